import type { Change } from "../diff.ts";
import type { Plan, PlannedAction } from "../plan.ts";
import type { DesiredApiDestination, DesiredObject, DesiredPolicy, DesiredRule } from "./desired.ts";
import type { Tags } from "./tags.ts";

/**
 * The API operations a plan applies (src/deploy/sfn/apply.ts runs each), and what a plan returns.
 * One operation is one AWS call, or two for a rule's targets; each is safe to repeat.
 */
export type VersionRef = { arn: string; number: number } | "new";

export type Op =
  | { kind: "putObject"; object: DesiredObject }
  | { kind: "putRolePolicy"; policy: DesiredPolicy }
  /**
   * `machine` names the family member (the flow's own machine, or a child); `refs` pins each child the
   * definition starts (unqualified ARN) to a version, "new" being the one this deploy publishes.
   */
  | { kind: "createMachine"; machine: string; refs: Record<string, VersionRef> }
  /** definition: definition + role; config: logging + tracing. Publishing is its own operation. */
  | { kind: "updateMachine"; machine: string; definition: boolean; config: boolean; refs: Record<string, VersionRef> }
  | { kind: "tagMachine"; machine: string; set: Tags; remove: string[] }
  | { kind: "publishVersion"; machine: string }
  | { kind: "setAlias"; machine: string; create: boolean; to: VersionRef; history: number[] }
  /** The environment's alias on a child machine its family no longer starts (the machine and versions stay). */
  | { kind: "deleteAlias"; machine: string; arn: string }
  | { kind: "putSchedule"; create: boolean }
  | { kind: "deleteSchedule"; name: string; group: string }
  | { kind: "putRule"; rule: DesiredRule; create: boolean }
  | { kind: "tagRule"; rule: DesiredRule; arn: string; set: Tags; remove: string[] }
  | { kind: "putTargets"; rule: DesiredRule; remove: string[] }
  | { kind: "deleteRule"; name: string; bus: string; targetIds: string[] }
  /** A webhook's connection (a fixed API-key header: the URL carries the hook's own token) and API destination. */
  | { kind: "createConnection"; hook: DesiredApiDestination }
  | { kind: "putApiDestination"; hook: DesiredApiDestination; create: boolean }
  | { kind: "deleteApiDestination"; name: string }
  | { kind: "deleteConnection"; name: string }
  /** A new revision of a per-image Batch job definition: `body` is RegisterJobDefinition's input but its name and tags. */
  | { kind: "registerJobDefinition"; name: string; body: Record<string, unknown> }
  /** Every ACTIVE revision of a per-image job definition, one call each. */
  | { kind: "deregisterJobDefinition"; name: string; arns: string[] };

export interface Refusal {
  resource: string;
  message: string;
  hint: string;
  liveOwner?: string;
}

export interface SfnPlan {
  plan: Plan;
  ops: Op[];
  /** Problems that stop a deploy before its first write (ownership, bad input, missing prerequisites). */
  refusals: Refusal[];
  warnings: string[];
  /** The version the alias ends on ("new" until one is published). */
  target?: VersionRef;
}

export interface PlanOptions {
  authorize?: string;
}

/** What the planning steps add to, in order; removals are appended last. */
export interface PlanParts {
  actions: PlannedAction[];
  ops: Op[];
  refusals: Refusal[];
  warnings: string[];
  removals: { actions: PlannedAction[]; ops: Op[] };
}

/** A created resource's body as additions, so `flowc diff` of a flow never deployed lists it. */
export const additions = (body: Record<string, unknown>, prefix: (string | number)[] = []): Change[] =>
  Object.entries(body).map(([k, v]) => ({ op: "added" as const, path: [...prefix, k], after: v }));
