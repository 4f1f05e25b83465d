/**
 * The typed authoring API for TypeScript flows. The DAG is plain data (the same keys as the YAML
 * format), so flowc reads the graph without running any step; step bodies are the `run` functions.
 */
import type { JsonValue, ParameterType } from "../ir.ts";

export type { JsonValue, ParameterType };

export interface ParameterDef {
  type: ParameterType;
  default?: JsonValue;
  required?: boolean;
  description?: string;
}
export type ParameterDefs = Record<string, ParameterDef>;

type ValueOf<T extends ParameterType> = T extends "string"
  ? string
  : T extends "number" | "integer"
    ? number
    : T extends "boolean"
      ? boolean
      : JsonValue;

/** The run's parameter values as a step sees them: required or defaulted ones are always present. */
export type ParamValues<P extends ParameterDefs> = {
  readonly [K in keyof P]: P[K] extends { required: true } | { default: JsonValue }
    ? ValueOf<P[K]["type"]>
    : ValueOf<P[K]["type"]> | undefined;
};

/** One parent task's artifacts, as a join sees them. */
export interface StepInput {
  readonly step: string;
  readonly index: string;
  /** The foreach item of that task, when it ran inside a foreach. */
  readonly item: JsonValue | undefined;
  get<T extends JsonValue = JsonValue>(name: string): T;
  has(name: string): boolean;
  /** Names of the artifacts this parent task produced. */
  readonly names: readonly string[];
}

export interface StepContext<P = Record<string, JsonValue | undefined>> {
  readonly flow: string;
  readonly runId: string;
  readonly step: string;
  /** Foreach index path: "" at top level, "3" in a foreach, "3.7" nested. */
  readonly index: string;
  /** 0 for the first attempt, 1 for the first retry, ... */
  readonly attempt: number;
  readonly params: P;
  /**
   * The time this run is for, ISO-8601 UTC (`2026-12-04T05:00:00Z`): the schedule's tick, the
   * upstream run's end for an afterFlow trigger, the start of a run started by hand.
   */
  readonly scheduledTime: string;
  /** What started the run: `manual`, `schedule`, `backfill`, `after-<flow>` or `event-<n>`. */
  readonly trigger: string;
  /** The run that triggered this one (afterFlow triggers). */
  readonly upstream: { readonly flow: string; readonly runId: string } | undefined;
  /** The item of the innermost enclosing foreach, undefined outside a foreach. */
  readonly item: JsonValue | undefined;
  /** Store an artifact; it becomes visible to every step downstream. */
  set(name: string, value: JsonValue): void;
  /** Read an artifact set by this step or by any step upstream of it (through joins: see `inputs`). */
  get<T extends JsonValue = JsonValue>(name: string): T;
  has(name: string): boolean;
  /** A join's parent tasks (one per split branch or foreach item); a single entry elsewhere. */
  readonly inputs: readonly StepInput[];
  /** In a foreach step: the items; the next step runs once per item. */
  foreach(items: readonly JsonValue[]): void;
  /** In a switch step: the case to follow. */
  choose(caseName: string): void;
  /**
   * The value of a secret this step declares under `secrets:` (deployed: injected by Batch or
   * Kubernetes; `flowc run`: from --secret or the environment). Throws for a name the step does not declare.
   */
  secret(name: string): string;
}

/**
 * Where a secret's value is kept: never the value itself. `aws`: a Secrets Manager or SSM parameter
 * ARN; `k8s`: "<secret>/<key>" of a Kubernetes Secret; `ref`: an entry of the environment's `secrets`
 * in flowc.config.yaml (docs/governance.md).
 */
export type SecretRefDef = { aws?: string; k8s?: string; ref?: never } | { ref: string; aws?: never; k8s?: never };

export interface ResourcesDef {
  cpu?: number;
  memory?: string;
  gpu?: number;
}
export interface RetryDef {
  times: number;
  backoff?: { delay?: string; factor?: number; max?: string; jitter?: boolean };
  onTimeout?: boolean;
}

export interface StepOptions {
  description?: string;
  image?: string;
  env?: Record<string, string>;
  /** Environment variables whose values come from a secret store, by reference. */
  secrets?: Record<string, SecretRefDef>;
  resources?: ResourcesDef;
  retry?: RetryDef;
  timeout?: string;
  catch?: boolean;
}

export interface TransitionDef {
  next?: string | string[];
  join?: boolean;
  foreach?: boolean;
  /** Foreach only: how many items may run at once. */
  parallelism?: number;
  switch?: Record<string, string>;
}

export type StepBody<P> = (ctx: StepContext<P>) => void | Promise<void>;

export type StepDef<P = Record<string, JsonValue | undefined>> = StepOptions &
  TransitionDef &
  ({ run: StepBody<P>; command?: never } | { command: string[]; run?: never });

/** Parameter → template (`{date}`, `{upstream.params.day}`…; docs/flow-format.md), by declared name. */
export type ParamMapping<P extends ParameterDefs = ParameterDefs> = { [K in keyof P & string]?: string };

export interface ScheduleDef<P extends ParameterDefs = ParameterDefs> {
  cron: string;
  timezone?: string;
  concurrency?: "allow" | "forbid" | "replace";
  startingDeadline?: string;
  /** What scheduled runs pass, e.g. `{ day: "{date}" }`. */
  parameters?: ParamMapping<P>;
}

export type TriggerDef<P extends ParameterDefs = ParameterDefs> =
  | { afterFlow: string | { flow: string; parameters?: ParamMapping<P> } }
  | {
      event: {
        source: string[];
        detailType?: string[];
        detail?: Record<string, JsonValue>;
        /** Parameter → JSONPath into the event (`$.detail.key`) or a template. */
        parameters?: ParamMapping<P>;
      };
    };

export interface FlowDef<P extends ParameterDefs = ParameterDefs> {
  apiVersion?: "flowc/v1";
  name: string;
  description?: string;
  parameters?: P;
  defaults?: StepOptions;
  timeout?: string;
  schedule?: ScheduleDef<P>;
  triggers?: TriggerDef<P>[];
  tags?: Record<string, string>;
  steps: Record<string, StepDef<ParamValues<P>>>;
}

export const FLOW_BRAND = "flowc.flow/v1";

export type Flow<P extends ParameterDefs = ParameterDefs> = FlowDef<P> & { readonly [FLOW_BRAND]: true };
