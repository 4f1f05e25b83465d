/**
 * The environment of a task: what the compilers put into every task container and what `flowc step`
 * and the commands it runs read (docs/step-contract.md). Compile, deploy and the runtime import these
 * names from here, so the two sides cannot drift apart.
 */
import type { JsonValue } from "../flow/ir.ts";

/** What the orchestrator gives `flowc step` (flags override them). */
export const STEP_ENV = {
  /** Datastore root: a folder or s3://bucket/prefix. */
  root: "FLOWC_ROOT",
  /** The flow spec: packages/<sha256>.json under the root, or an absolute URI. */
  spec: "FLOWC_SPEC",
  /** The run's parameters: a JSON object, or Argo's [{name, value}]. */
  params: "FLOWC_PARAMS",
  /** `argo` makes `flowc step` write Argo's output parameter files (see ARGO_OUTPUTS). */
  target: "FLOWC_TARGET",
  /** Overrides the folder of Argo's output parameter files. */
  argoOutputs: "FLOWC_ARGO_OUTPUTS",
  /** When the run started, set once per run by the target: the scheduled time of a run started by hand. */
  startedAt: "FLOWC_RUN_STARTED_AT",
  /** Argo CronWorkflow runs: `{{workflow.scheduledTime}}` (left unresolved in other Workflows). */
  cronTime: "FLOWC_CRON_TIME",
} as const;

/** What a command step sees besides the step's own `env` (these win over it). */
export const COMMAND_ENV = {
  runId: "FLOWC_RUN_ID",
  flow: "FLOWC_FLOW",
  step: "FLOWC_STEP",
  index: "FLOWC_INDEX",
  attempt: "FLOWC_ATTEMPT",
  inputDir: "FLOWC_INPUT_DIR",
  outputDir: "FLOWC_OUTPUT_DIR",
  params: "FLOWC_PARAMS",
  item: "FLOWC_ITEM",
  itemJson: "FLOWC_ITEM_JSON",
  /** The run context (src/contract/run-context.ts). */
  scheduledTime: "FLOWC_SCHEDULED_TIME",
  trigger: "FLOWC_TRIGGER",
  upstreamFlow: "FLOWC_UPSTREAM_FLOW",
  upstreamRunId: "FLOWC_UPSTREAM_RUN_ID",
} as const;

/** Prefixes of per-task variables that must not leak from an enclosing task into a nested one. */
export const PER_TASK_PREFIXES = ["FLOWC_PARAM_", "FLOWC_ITEM", "FLOWC_UPSTREAM_"] as const;

/** FLOWC_PARAM_<NAME>: upper case, anything but letters, digits and _ becomes _. */
export const paramEnvName = (name: string) => `FLOWC_PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, "_")}`;

/** A value as a command sees it in an environment variable: strings as they are, the rest as JSON. */
export const envText = (v: JsonValue | undefined) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/**
 * Argo reads a foreach step's child index list and a switch step's case from files in the task
 * container (output parameters with valueFrom.path). `flowc step` writes them when the task runs
 * under Argo: FLOWC_TARGET=argo (this folder) or FLOWC_ARGO_OUTPUTS=<dir>.
 */
export const ARGO_OUTPUTS = {
  dir: "/tmp/flowc",
  /** A JSON array of the child index paths (["3.0","3.1"]). */
  foreach: "foreach.json",
  /** The chosen case name alone, no newline. */
  switch: "switch",
} as const;

/** Where Argo output parameter files go for this task, or undefined when it does not run under Argo. */
export function argoOutputsDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env[STEP_ENV.argoOutputs]) return env[STEP_ENV.argoOutputs];
  return env[STEP_ENV.target] === "argo" ? ARGO_OUTPUTS.dir : undefined;
}
