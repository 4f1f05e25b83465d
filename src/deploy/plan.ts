import type { Change } from "./diff.ts";

/**
 * A deploy plan: pure data computed from the desired bundle and the live state, printed by
 * `--dry-run` and `flowc diff`, then applied in order. Both targets use this shape.
 */
export type ActionOp = "create" | "update" | "delete" | "noop";

export interface PlannedAction {
  op: ActionOp;
  /** e.g. "state-machine", "alias", "schedule", "rule", "WorkflowTemplate", "CronWorkflow", "Sensor". */
  kind: string;
  name: string;
  /** Why, in words, when it is not obvious (e.g. "schedule removed from the flow"). */
  reason?: string;
  /** Structural changes for an update (and the whole body for a create, as additions). */
  changes: Change[];
}

export interface Plan {
  target: "sfn" | "argo";
  flow: string;
  env: string;
  actions: PlannedAction[];
}

export const hasChanges = (p: Plan) => p.actions.some((a) => a.op !== "noop");

export function summarize(p: Plan): Record<ActionOp, number> {
  const out: Record<ActionOp, number> = { create: 0, update: 0, delete: 0, noop: 0 };
  for (const a of p.actions) out[a.op]++;
  return out;
}
