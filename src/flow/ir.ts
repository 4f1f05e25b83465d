/**
 * The flow IR: what a YAML file and a TypeScript module both become, with defaults applied and units
 * normalized (seconds, MiB). Every later stage (graph, compilers, runtime, deploy) reads only this.
 *
 * Maps from the source are turned into arrays sorted by name, so that reordering keys in a YAML file
 * never changes anything downstream. Step order is "flow order" (see graph/order.ts), not file order.
 */

export type ParameterType = "string" | "number" | "integer" | "boolean" | "json";
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface ParameterIR {
  name: string;
  type: ParameterType;
  required: boolean;
  default?: JsonValue;
  description?: string;
}

export interface BackoffIR {
  delaySeconds: number;
  factor: number;
  maxDelaySeconds?: number;
  jitter: boolean;
}

export interface RetryIR {
  /** Retries after the first attempt; 0 means the step runs once. */
  times: number;
  backoff: BackoffIR;
  /** Whether a timed-out attempt is retried too (by default only failures are). */
  onTimeout: boolean;
}

export interface ResourcesIR {
  cpu: number;
  memoryMiB: number;
  gpu: number;
}

/** How a step leaves: the discriminant every compiler and the runtime switch on. */
export type TransitionIR =
  | { kind: "linear"; next: string }
  | { kind: "split"; next: string[] }
  | { kind: "foreach"; next: string; parallelism?: number }
  | { kind: "switch"; cases: { value: string; next: string }[] }
  | { kind: "end" };

/**
 * A secret a step receives as an environment variable, by reference only: the value never enters the
 * IR, a compiled file or a plan. `aws` is a Secrets Manager or SSM Parameter Store ARN (Step
 * Functions), `k8s` a Kubernetes Secret's key (Argo); `ref` names an entry of the environment's
 * `secrets:` in flowc.config.yaml, which holds those per environment.
 */
export interface SecretIR {
  /** The environment variable's name. */
  name: string;
  aws?: string;
  k8s?: { secret: string; key: string };
  ref?: string;
}

/** What a step runs: a container command (YAML or TS) or a TypeScript function in the flow module. */
export type ActionIR = { kind: "command"; command: string[] } | { kind: "function" };

export interface StepIR {
  name: string;
  description?: string;
  /** True when this step closes a split or a foreach (the graph says which). */
  join: boolean;
  transition: TransitionIR;
  action: ActionIR;
  image?: string;
  env: Record<string, string>;
  /** Sorted by name; absent when the step has none (so flows without secrets keep their content hash). */
  secrets?: SecretIR[];
  resources: ResourcesIR;
  retry: RetryIR;
  timeoutSeconds?: number;
  /** On failure, record it and carry on to the next step. */
  catch: boolean;
}

export type Concurrency = "allow" | "forbid" | "replace";

export interface ScheduleIR {
  /** The cron expression exactly as written (5-field Unix or 6-field AWS). */
  cron: string;
  timezone?: string;
  concurrency: Concurrency;
  startingDeadlineSeconds?: number;
  /** Parameter → template (src/flow/placeholders.ts) the scheduled runs pass, e.g. `{day: "{date}"}`. */
  parameters: Record<string, string>;
}

export type TriggerIR =
  /** parameter name → template (src/flow/placeholders.ts), e.g. `{upstream.params.day}`. */
  | { kind: "afterFlow"; flow: string; parameters: Record<string, string> }
  | {
      kind: "event";
      source: string[];
      detailType?: string[];
      detail?: Record<string, JsonValue>;
      /** parameter name → JSONPath into the event (e.g. `$.detail.key`) or a template (`{date}`). */
      parameters: Record<string, string>;
    };

export interface FlowIR {
  apiVersion: "flowc/v1";
  name: string;
  description?: string;
  parameters: ParameterIR[];
  timeoutSeconds?: number;
  schedule?: ScheduleIR;
  triggers: TriggerIR[];
  tags: Record<string, string>;
  /** Flow order: start first, end last, each step before the steps it leads to. */
  steps: StepIR[];
  /** Which front end produced it; a TypeScript flow's function steps need its code package. */
  language: "yaml" | "typescript";
}
