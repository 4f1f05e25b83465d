import type { KubeObject } from "../../kube/client.ts";
import { diffValues, type Change, type DiffPath } from "../diff.ts";
import { checkOwnership, TAG } from "../ownership.ts";
import type { Plan, PlannedAction } from "../plan.ts";
import { DEPLOYED_KINDS, type DeployedKind } from "./desired.ts";
import { comparable, inSync, predictConflicts, projectLive, type FieldConflict } from "./fields.ts";

/** One action with what executing it needs (kept out of `Plan`, which is printed and serialized). */
export interface Step {
  action: PlannedAction;
  kind: DeployedKind;
  name: string;
  /** create/update: the object to apply. */
  desired?: KubeObject;
  /** update/delete: the live object's resourceVersion, a precondition of the write. */
  resourceVersion?: string;
  conflicts: FieldConflict[];
}

export interface Refusal {
  kind: string;
  name: string;
  message: string;
  hint: string;
}

export interface ArgoPlan {
  plan: Plan;
  steps: Step[];
  refusals: Refusal[];
}

/** Argo templates, DAG tasks, parameters, env vars, volumes...: every list of named things is keyed by name. */
const keyOf = (_path: DiffPath) => "name";
export const diffObjects = (before: unknown, after: unknown): Change[] => diffValues(before, after, { keyOf });

const REASON: Record<DeployedKind, string> = {
  WorkflowTemplate: "no longer part of the flow's deployment",
  CronWorkflow: "the flow has no schedule any more",
  Sensor: "the flow has no triggers any more",
};

const id = (o: { kind: string; metadata: { name?: string } }) => `${o.kind}/${o.metadata.name}`;

/**
 * Pure: the desired objects against what was read live (objects of the desired names, and every
 * object labelled as this deployment) → the actions, in a safe order: the template first, then what
 * starts it (CronWorkflow, Sensor), then deletions, schedule and triggers before the template.
 */
export function planArgo(input: {
  flow: string;
  env: string;
  desired: KubeObject[];
  live: KubeObject[];
  ownerToken: string;
  authorize?: string;
  /** Why live objects that are not desired go (default: per kind, as the flow changed). */
  deleteReason?: string;
}): ArgoPlan {
  const live = new Map(input.live.map((o) => [id(o), o]));
  const steps: Step[] = [];
  const refusals: Refusal[] = [];
  const guard = (l: KubeObject) => {
    const v = checkOwnership(l.metadata.labels ?? {}, input.ownerToken, input.authorize);
    if (!v.ok) refusals.push({ kind: l.kind, name: l.metadata.name!, message: v.message, hint: v.hint });
    return v;
  };

  for (const d of input.desired) {
    const kind = d.kind as DeployedKind;
    const name = d.metadata.name!;
    const l = live.get(id(d));
    if (!l) {
      steps.push({ kind, name, desired: d, conflicts: [], action: { op: "create", kind, name, changes: diffObjects({}, comparable(d)) } });
      continue;
    }
    const verdict = guard(l);
    const rv = l.metadata.resourceVersion;
    // A refused object is still planned, so `flowc diff` shows what a deploy would change; the
    // refusal stops the deploy before its first write.
    const refused = verdict.ok ? undefined : `refused: ${verdict.message}`;
    if (verdict.ok && inSync(d, l)) {
      steps.push({ kind, name, conflicts: [], action: { op: "noop", kind, name, changes: [] } });
      continue;
    }
    const changes = diffObjects(projectLive(l, d), comparable(d));
    const conflicts = predictConflicts(d, l);
    const reason =
      refused ??
      (verdict.ok && verdict.takeover
        ? `taking over from owner ${l.metadata.labels?.[TAG.owner]}`
        : conflicts.length
          ? `conflicts with ${[...new Set(conflicts.map((c) => `"${c.manager}"`))].join(", ")} on ${[...new Set(conflicts.map((c) => c.field))].join(", ")}: deploy needs --force`
          : changes.length === 0
            ? "field ownership moves to flowc"
            : undefined);
    steps.push({ kind, name, desired: d, ...(rv ? { resourceVersion: rv } : {}), conflicts, action: { op: "update", kind, name, ...(reason ? { reason } : {}), changes } });
  }

  const wanted = new Set(input.desired.map(id));
  const stale = input.live
    .filter((l) => !wanted.has(id(l)) && isThisDeployment(l, input.flow, input.env))
    .sort((a, b) => DEPLOYED_KINDS.indexOf(b.kind as DeployedKind) - DEPLOYED_KINDS.indexOf(a.kind as DeployedKind));
  for (const l of stale) {
    const verdict = guard(l);
    const kind = l.kind as DeployedKind;
    const name = l.metadata.name!;
    const rv = l.metadata.resourceVersion;
    // Another object of the kind stays (a flow with fewer triggers needs fewer Sensors): not "no triggers".
    const kept = input.desired.some((d) => d.kind === kind);
    const reason = verdict.ok ? (input.deleteReason ?? (kept ? REASON.WorkflowTemplate : REASON[kind])) : `refused: ${verdict.message}`;
    steps.push({ kind, name, ...(rv ? { resourceVersion: rv } : {}), conflicts: [], action: { op: "delete", kind, name, reason, changes: [] } });
  }

  return { plan: { target: "argo", flow: input.flow, env: input.env, actions: steps.map((s) => s.action) }, steps, refusals };
}

/** Deploy deletes only what carries all three labels; an object merely named like ours is left alone. */
export function isThisDeployment(o: KubeObject, flow: string, env: string): boolean {
  const l = o.metadata.labels ?? {};
  return l[TAG.managedBy] === "flowc" && l[TAG.flow] === flow && l[TAG.env] === env && (DEPLOYED_KINDS as readonly string[]).includes(o.kind);
}
