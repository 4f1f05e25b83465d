import { diffValues } from "../diff.ts";
import { aliasHistory } from "./alias.ts";
import { sameJson } from "./canonical.ts";
import type { DesiredSfn } from "./desired.ts";
import { sameVersion, type LiveSfn } from "./live.ts";
import { loggingView } from "./normalize.ts";
import { additions, type PlanOptions, type PlanParts, type VersionRef } from "./ops.ts";
import { ownership } from "./refusals.ts";
import { tagDelta } from "./tags.ts";
import { keyOf, machineView } from "./view.ts";

/**
 * The state machine, its version and the environment's alias. A version is published only when no
 * existing one has the desired definition and role: the alias's own (nothing to do), or the newest
 * (a deploy that died after publishing). $LATEST is written only to publish from it, so a machine
 * that environments share is not rewritten by a deploy that changes nothing for its environment.
 * Returns the version the alias ends on.
 */
export function planMachine(d: DesiredSfn, live: LiveSfn, opts: PlanOptions, out: PlanParts): VersionRef {
  const { actions, ops, refusals } = out;
  const want = d.machine;
  const m = live.machine;
  const aliasName = `${want.name}:${d.alias.name}`;
  if (!m) {
    const view = machineView({ definition: want.definition, roleArn: want.roleArn, logging: loggingView(want.logging), tracing: want.tracing, tags: want.tags.managed });
    actions.push(
      { op: "create", kind: "state-machine", name: want.name, changes: [...additions(view.states, ["states"]), ...additions(view.definition, ["definition"]), { op: "added", path: ["roleArn"], after: want.roleArn }] },
      { op: "create", kind: "version", name: `${want.name}:1`, reason: "first version", changes: [] },
      { op: "create", kind: "alias", name: aliasName, changes: [{ op: "added", path: ["version"], after: "new" }] },
    );
    ops.push({ kind: "createMachine" }, { kind: "publishVersion" }, { kind: "setAlias", create: true, to: "new", history: [] });
    return "new";
  }

  const refused = ownership(`state machine ${want.name}`, m.tags, d, opts);
  if (refused) refusals.push(refused);
  if (m.type && m.type !== want.type)
    refusals.push({ resource: `state machine ${want.name}`, message: `state machine ${want.name} is ${m.type}; the flow needs ${want.type}`, hint: `AWS cannot change a machine's type: flowc delete it first (flowc delete FLOW --env ${d.env})` });

  const runs = live.aliasVersion;
  const reuse = runs && sameVersion(runs, want) ? runs : live.latestVersion && sameVersion(live.latestVersion, want) ? live.latestVersion : undefined;
  const definition = !reuse && !sameVersion(m, want);
  const config = !sameJson(loggingView(m.logging), loggingView(want.logging)) || m.tracing !== want.tracing;
  const tags = tagDelta(m.tags, want.tags, definition);
  const tagWrites = Object.keys(tags.set).length > 0 || tags.remove.length > 0;

  // The baseline a reviewer compares with is what the environment runs now, not $LATEST (which
  // another environment sharing the machine may have written).
  const base = runs ?? { definition: m.definition, roleArn: m.roleArn };
  const shownTags = Object.fromEntries(Object.entries(m.tags).filter(([k]) => k in want.tags.managed || tags.remove.includes(k)));
  const changes = diffValues(
    machineView({ definition: base.definition, roleArn: base.roleArn, logging: loggingView(m.logging), tracing: m.tracing, tags: shownTags }),
    machineView({ definition: want.definition, roleArn: want.roleArn, logging: loggingView(want.logging), tracing: want.tracing, tags: want.tags.managed }),
    { keyOf },
  );
  const writes = definition || config || tagWrites;
  actions.push({
    op: changes.length || writes ? "update" : "noop",
    kind: "state-machine",
    name: want.name,
    ...(changes.length && !writes && reuse ? { reason: `version ${reuse.number} already has this definition` } : {}),
    changes,
  });
  if (definition || config) ops.push({ kind: "updateMachine", definition, config });
  if (tagWrites) ops.push({ kind: "tagMachine", set: tags.set, remove: tags.remove });

  let target: VersionRef;
  if (!reuse) {
    ops.push({ kind: "publishVersion" });
    actions.push({ op: "create", kind: "version", name: `${want.name}:next`, reason: "the definition changed", changes: [] });
    target = "new";
  } else {
    target = { arn: reuse.arn, number: reuse.number };
    actions.push({ op: "noop", kind: "version", name: `${want.name}:${reuse.number}`, reason: reuse === runs ? "runs this build already" : "already published with this definition", changes: [] });
  }

  const a = live.alias;
  const to = target === "new" ? "new" : target.number;
  if (!a) {
    actions.push({ op: "create", kind: "alias", name: aliasName, changes: [{ op: "added", path: ["version"], after: to }] });
    ops.push({ kind: "setAlias", create: true, to: target, history: [] });
  } else if (target === "new" || a.versionArn !== target.arn) {
    actions.push({ op: "update", kind: "alias", name: aliasName, changes: [{ op: "changed", path: ["version"], before: a.version ?? null, after: to }] });
    ops.push({ kind: "setAlias", create: false, to: target, history: aliasHistory(a.description, a.version) });
  } else actions.push({ op: "noop", kind: "alias", name: aliasName, reason: `version ${a.version}`, changes: [] });
  return target;
}
