import { diffValues } from "../diff.ts";
import { TAG } from "../ownership.ts";
import { sameJson } from "./canonical.ts";
import type { DesiredSfn } from "./desired.ts";
import type { LiveRule, LiveSfn } from "./live.ts";
import { ruleView } from "./normalize.ts";
import { additions, type PlanOptions, type PlanParts } from "./ops.ts";
import { notFlowc, ownership } from "./refusals.ts";
import { tagDelta } from "./tags.ts";
import { keyOf } from "./view.ts";

/** flowc made it, for this flow and this environment: the only rules a deploy may remove. */
const ours = (r: LiveRule, d: DesiredSfn) => r.tags[TAG.managedBy] === "flowc" && r.tags[TAG.flow] === d.flow && r.tags[TAG.env] === d.env;

/**
 * Trigger rules: the rule itself (pattern, description, state), its tags and its targets are written
 * separately and only when they differ. Rules of this flow and environment that the bundle no longer
 * has are removed last; any other rule, even one targeting the alias, is never touched.
 */
export function planRules(d: DesiredSfn, live: LiveSfn, opts: PlanOptions, out: PlanParts): void {
  for (const r of d.rules) {
    const l = live.rules.find((x) => x.name === r.name && x.bus === r.bus);
    const want = ruleView(r);
    if (!l) {
      out.actions.push({ op: "create", kind: "rule", name: r.name, changes: additions({ ...want, tags: r.tags.managed }) });
      out.ops.push({ kind: "putRule", rule: r, create: true }, { kind: "putTargets", rule: r, remove: [] });
      continue;
    }
    const refused = l.tags[TAG.managedBy] === "flowc" ? ownership(`rule ${r.name}`, l.tags, d, opts, d.env) : notFlowc(`rule ${r.name}`);
    if (refused) out.refusals.push(refused);
    const have = ruleView(l);
    const body = !sameJson({ ...have, Targets: [] }, { ...want, Targets: [] });
    const targets = !sameJson(have.Targets, want.Targets);
    const tags = tagDelta(l.tags, r.tags, body || targets);
    const tagWrites = Object.keys(tags.set).length > 0 || tags.remove.length > 0;
    const shown = Object.fromEntries(Object.entries(l.tags).filter(([k]) => k in r.tags.managed || tags.remove.includes(k)));
    const changes = diffValues({ ...have, tags: shown }, { ...want, tags: r.tags.managed }, { keyOf });
    out.actions.push({ op: body || targets || tagWrites ? "update" : "noop", kind: "rule", name: r.name, changes });
    if (body) out.ops.push({ kind: "putRule", rule: r, create: false });
    if (tagWrites) out.ops.push({ kind: "tagRule", rule: r, arn: l.arn, set: tags.set, remove: tags.remove });
    if (targets) {
      const keep = new Set(r.targets.map((t) => String(t.Id)));
      out.ops.push({ kind: "putTargets", rule: r, remove: l.targets.map((t) => String(t.Id)).filter((id) => !keep.has(id)) });
    }
  }
  for (const l of live.rules) {
    if (d.rules.some((r) => r.name === l.name && r.bus === l.bus) || !ours(l, d)) continue;
    const refused = ownership(`rule ${l.name}`, l.tags, d, opts, d.env);
    if (refused) out.refusals.push(refused);
    out.removals.actions.push({ op: "delete", kind: "rule", name: l.name, reason: "trigger removed from the flow", changes: [] });
    out.removals.ops.push({ kind: "deleteRule", name: l.name, bus: l.bus, targetIds: l.targets.map((t) => String(t.Id)) });
  }
}
