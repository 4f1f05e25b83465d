import { diffValues } from "../diff.ts";
import type { DesiredSfn } from "./desired.ts";
import type { LiveSfn } from "./live.ts";
import type { PlanOptions, PlanParts, SfnPlan } from "./ops.ts";
import { planJobDefinitions } from "./plan-jobdefs.ts";
import { planMachines } from "./plan-machine.ts";
import { ownership } from "./refusals.ts";
import { planHookRemovals, planHooks, resolveTargets } from "./plan-hooks.ts";
import { planRules } from "./plan-rules.ts";
import { planSchedule } from "./plan-schedule.ts";
import { keyOf } from "./view.ts";

export type { Op, PlanOptions, Refusal, SfnPlan, VersionRef } from "./ops.ts";
export { aliasDescription, aliasHistory } from "./alias.ts";

/**
 * The pure heart of `flowc deploy|diff --target sfn`: desired bundle + live AWS state → the plan a
 * person reads (one action per resource, with structural changes) and the exact API operations that
 * apply it, in the order that keeps every schedule and trigger pointing at something that exists:
 * datastore objects → role policy → job definitions → child machines (each with its version and
 * alias) → machine → version → alias → schedule → webhook API destinations → rules → removals
 * (schedules, rules, API destinations, aliases of children the flow no longer has, then job definitions).
 * A plan with no changes has no operations: that is the "no change, no writes" guarantee.
 */
export function planSfn(d: DesiredSfn, live: LiveSfn, opts: PlanOptions = {}): SfnPlan {
  const out: PlanParts = {
    actions: [],
    ops: [],
    refusals: d.problems.map((p) => ({ resource: "bundle", message: p, hint: "fix the flow or flowc.config.yaml" })),
    warnings: [],
    removals: { actions: [], ops: [] },
  };
  planObjects(d, live, out);
  planPolicy(d, live, out);
  // Before the machine: a version must never name a job definition that does not exist yet.
  const jobDefinitionRemovals = planJobDefinitions(d, live, opts, out);
  const target = planMachines(d, live, opts, out);
  planSchedule(d, live, opts, out);
  planHooks(d, live, out);
  // Notification targets name their webhook's API destination, whose ARN only AWS knows (apply resolves new ones).
  const arns = new Map((live.apiDestinations ?? []).map((a) => [a.name, a.arn]));
  planRules({ ...d, rules: d.rules.map((r) => resolveTargets(r, arns)) }, live, opts, out);
  planHookRemovals(d, live, out);
  planStaleChildren(d, live, opts, out);
  // Last: only once the alias runs a version that no longer names them.
  out.removals.actions.push(...jobDefinitionRemovals.actions);
  out.removals.ops.push(...jobDefinitionRemovals.ops);
  out.actions.push(...out.removals.actions);
  out.ops.push(...out.removals.ops);
  return { plan: { target: "sfn", flow: d.flow, env: d.env, actions: out.actions }, ops: out.ops, refusals: out.refusals, warnings: out.warnings, target };
}

/**
 * A child the environment's running family starts and the new build does not (the flow shrank, or was
 * cut elsewhere): its alias for this environment goes once the flow's alias has moved. The machine
 * and its versions stay, since older versions of the flow still start them (rollback); `flowc delete`
 * removes them with the flow.
 */
function planStaleChildren(d: DesiredSfn, live: LiveSfn, opts: PlanOptions, out: PlanParts): void {
  for (const c of live.staleChildren ?? []) {
    const refused = ownership(`state machine ${c.name}`, c.tags, d, opts);
    if (refused) out.refusals.push(refused);
    out.removals.actions.push({ op: "delete", kind: "alias", name: `${c.name}:${c.alias.name}`, reason: "the flow no longer runs this child machine; its versions stay for rollback", changes: [] });
    out.removals.ops.push({ kind: "deleteAlias", machine: c.name, arn: c.alias.arn });
  }
}

/** Datastore objects are content-addressed: one that exists holds these bytes, and is never rewritten. */
function planObjects(d: DesiredSfn, live: LiveSfn, out: PlanParts): void {
  for (const o of d.objects) {
    const exists = live.objects[`${o.bucket}/${o.key}`];
    out.actions.push({ op: exists ? "noop" : "create", kind: "datastore-object", name: `s3://${o.bucket}/${o.key}`, changes: [] });
    if (!exists) out.ops.push({ kind: "putObject", object: o });
  }
}

/** The role's inline policy, before the machine: it is what lets the machine's tasks run. */
function planPolicy(d: DesiredSfn, live: LiveSfn, out: PlanParts): void {
  if (!d.policy) return;
  const name = `${d.policy.roleName}/${d.policy.name}`;
  if (live.policy === "unreadable") {
    out.warnings.push(`cannot read the inline policy ${name} (access denied): left as it is; attach ${d.flow}.iam.json to the role yourself`);
    out.actions.push({ op: "noop", kind: "role-policy", name, reason: "IAM not readable with these credentials", changes: [] });
    return;
  }
  if (!live.policy) {
    out.actions.push({ op: "create", kind: "role-policy", name, changes: [{ op: "added", path: ["Statement"], after: (d.policy.document as { Statement?: unknown }).Statement }] });
    out.ops.push({ kind: "putRolePolicy", policy: d.policy });
    return;
  }
  const changes = diffValues(live.policy.document, d.policy.document, { keyOf });
  out.actions.push({ op: changes.length ? "update" : "noop", kind: "role-policy", name, changes });
  if (changes.length) out.ops.push({ kind: "putRolePolicy", policy: d.policy });
}
