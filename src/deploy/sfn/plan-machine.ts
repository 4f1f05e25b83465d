import { diffValues } from "../diff.ts";
import { aliasHistory } from "./alias.ts";
import { sameJson } from "./canonical.ts";
import type { DesiredMachine, DesiredSfn } from "./desired.ts";
import { childIntegration, pinChildren, sameUnpinned } from "./family.ts";
import type { LiveSfn, LiveUnit } from "./live.ts";
import { loggingView } from "./normalize.ts";
import { additions, type PlanOptions, type PlanParts, type VersionRef } from "./ops.ts";
import { ownership } from "./refusals.ts";
import { tagDelta } from "./tags.ts";
import { keyOf, machineView } from "./view.ts";

/**
 * The family of state machines (one for most flows), children first and the flow's own machine last:
 * each machine, its version and the environment's alias. A parent pins each child to the version the
 * child ends on, so a child that changes gives its parent a new definition too, and a parent version
 * never names a child version that is not published yet. Returns the version the flow's alias ends on.
 */
export function planMachines(d: DesiredSfn, live: LiveSfn, opts: PlanOptions, out: PlanParts): VersionRef {
  const integration = childIntegration(d.sfn);
  const targets = new Map<string, VersionRef>();
  const pinsOf = (m: DesiredMachine) => new Map(m.children.map((arn) => [arn, targets.get(arn) ?? "new"] as const));
  for (const c of d.children) targets.set(c.machine.arn, planMachine(d, c.machine, c.alias, live.children?.[c.machine.name] ?? {}, pinsOf(c.machine), integration, opts, out));
  return planMachine(d, d.machine, d.alias, live, pinsOf(d.machine), integration, opts, out);
}

/** The version ARN a reference is pinned to; a version not published yet is `…:next` in a plan. */
const pinText = (arn: string, ref: VersionRef) => (ref === "new" ? `${arn}:next` : ref.arn);

/**
 * One machine, its version and the environment's alias. A version is published only when no existing
 * one has the desired definition and role: the alias's own (nothing to do), or the newest (a deploy
 * that died after publishing). $LATEST is written only to publish from it, so a machine that
 * environments share is not rewritten by a deploy that changes nothing for its environment.
 */
function planMachine(
  d: DesiredSfn,
  machine: DesiredMachine,
  aliasOf: { name: string; arn: string },
  live: LiveUnit,
  pins: Map<string, VersionRef>,
  integration: string,
  opts: PlanOptions,
  out: PlanParts,
): VersionRef {
  const { actions, ops, refusals } = out;
  const pending = [...pins.values()].some((r) => r === "new");
  const definition = pinChildren(machine.definition, integration, new Map([...pins].map(([arn, ref]) => [arn, pinText(arn, ref)])));
  const want = { ...machine, definition };
  const refs = Object.fromEntries(pins);
  const m = live.machine;
  const aliasName = `${want.name}:${aliasOf.name}`;
  if (!m) {
    const view = machineView({ definition: want.definition, roleArn: want.roleArn, logging: loggingView(want.logging), tracing: want.tracing, tags: want.tags.managed });
    actions.push(
      { op: "create", kind: "state-machine", name: want.name, changes: [...additions(view.states, ["states"]), ...additions(view.definition, ["definition"]), { op: "added", path: ["roleArn"], after: want.roleArn }] },
      { op: "create", kind: "version", name: `${want.name}:1`, reason: "first version", changes: [] },
      { op: "create", kind: "alias", name: aliasName, changes: [{ op: "added", path: ["version"], after: "new" }] },
    );
    ops.push({ kind: "createMachine", machine: want.name, refs }, { kind: "publishVersion", machine: want.name }, { kind: "setAlias", machine: want.name, create: true, to: "new", history: [] });
    return "new";
  }

  const refused = ownership(`state machine ${want.name}`, m.tags, d, opts);
  if (refused) refusals.push(refused);
  if (m.type && m.type !== want.type)
    refusals.push({ resource: `state machine ${want.name}`, message: `state machine ${want.name} is ${m.type}; the flow needs ${want.type}`, hint: `AWS cannot change a machine's type: flowc delete it first (flowc delete FLOW --env ${d.env})` });

  // A definition that pins a child version not published yet matches no version that exists.
  const same = (v: { definition: unknown; roleArn: string }) => !pending && v.roleArn === want.roleArn && sameJson(v.definition, want.definition);
  const runs = live.aliasVersion;
  const reuse = runs && same(runs) ? runs : live.latestVersion && same(live.latestVersion) ? live.latestVersion : undefined;
  const rewrite = !reuse && !same(m);
  const config = !sameJson(loggingView(m.logging), loggingView(want.logging)) || m.tracing !== want.tracing;
  const tags = tagDelta(m.tags, want.tags, rewrite);
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
  const writes = rewrite || config || tagWrites;
  actions.push({
    op: changes.length || writes ? "update" : "noop",
    kind: "state-machine",
    name: want.name,
    ...(changes.length && !writes && reuse ? { reason: `version ${reuse.number} already has this definition` } : {}),
    changes,
  });
  if (rewrite || config) ops.push({ kind: "updateMachine", machine: want.name, definition: rewrite, config, refs });
  if (tagWrites) ops.push({ kind: "tagMachine", machine: want.name, set: tags.set, remove: tags.remove });

  let target: VersionRef;
  if (!reuse) {
    ops.push({ kind: "publishVersion", machine: want.name });
    actions.push({ op: "create", kind: "version", name: `${want.name}:next`, reason: sameUnpinned(base.definition, want.definition, integration) && base.roleArn === want.roleArn ? "a child machine changed" : "the definition changed", changes: [] });
    target = "new";
  } else {
    target = { arn: reuse.arn, number: reuse.number };
    actions.push({ op: "noop", kind: "version", name: `${want.name}:${reuse.number}`, reason: reuse === runs ? "runs this build already" : "already published with this definition", changes: [] });
  }

  const a = live.alias;
  const to = target === "new" ? "new" : target.number;
  if (!a) {
    actions.push({ op: "create", kind: "alias", name: aliasName, changes: [{ op: "added", path: ["version"], after: to }] });
    ops.push({ kind: "setAlias", machine: want.name, create: true, to: target, history: [] });
  } else if (target === "new" || a.versionArn !== target.arn) {
    actions.push({ op: "update", kind: "alias", name: aliasName, changes: [{ op: "changed", path: ["version"], before: a.version ?? null, after: to }] });
    ops.push({ kind: "setAlias", machine: want.name, create: false, to: target, history: aliasHistory(a.description, a.version) });
  } else actions.push({ op: "noop", kind: "alias", name: aliasName, reason: `version ${a.version}`, changes: [] });
  return target;
}
