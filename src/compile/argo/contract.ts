/**
 * What compiled Argo templates and `flowc step` agree on (docs/argo-mapping.md, "Contract with flowc step").
 * Change these only together with the runtime.
 */

import { ARGO_OUTPUTS, STEP_ENV } from "../../contract/env.ts";

/** `flowc step` writes a foreach step's child index paths here, as a JSON array of strings (["3.0","3.1"]). */
export const FOREACH_PATH = `${ARGO_OUTPUTS.dir}/${ARGO_OUTPUTS.foreach}`;
/** `flowc step` writes a switch step's chosen case here: the case name alone, no newline. */
export const SWITCH_PATH = `${ARGO_OUTPUTS.dir}/${ARGO_OUTPUTS.switch}`;

/**
 * Parameter names: outputs of foreach and switch step templates, inputs of every step template (the
 * step's name and index path), the list a parallelism wrapper hands on.
 */
export const PARAM = { foreach: "foreach", case: "case", step: "step", index: "index", items: "items" } as const;

/**
 * Argo v4's schema caps a WorkflowTemplate at 200 templates and a DAG at 200 tasks. Steps with the
 * same configuration share one container template, and a DAG with more tasks is cut into parts.
 */
export const ARGO_MAX = { templates: 200, dagTasks: 200, inputs: 500 } as const;

/** The container of every step template (Argo's schema requires a name). */
export const CONTAINER_NAME = "main";

/** The DAG template a Workflow starts at. */
export const ENTRYPOINT = "main";

/**
 * Environment of every task container, set once in the WorkflowTemplate's templateDefaults.
 * FLOWC_TARGET=argo tells `flowc step` to write FOREACH_PATH and SWITCH_PATH (docs/step-contract.md).
 */
export const ENV = { root: STEP_ENV.root, spec: STEP_ENV.spec, params: STEP_ENV.params, target: STEP_ENV.target, startedAt: STEP_ENV.startedAt, cronTime: STEP_ENV.cronTime } as const;
/**
 * The run's own clock: Argo sets {{workflow.scheduledTime}} only in Workflows a CronWorkflow creates
 * (elsewhere the tag stays as written, and flowc step ignores it); the creation time stands for the
 * start of any other run.
 */
export const CRON_TIME = "{{workflow.scheduledTime}}";
export const CREATED_AT = "{{workflow.creationTimestamp}}";
/** Argo fills this with the JSON array of all workflow parameters, JSON-encoded by Argo itself. */
export const ALL_PARAMS = "{{workflow.parameters.json}}";

/** `flowc step --run-id R --step S --index I --attempt N [--catch]`; S and I are the template's inputs. */
export function stepCommand(opts: { retried: boolean; caught: boolean }): string[] {
  return [
    "flowc",
    "step",
    "--run-id",
    "{{workflow.name}}",
    "--step",
    `{{inputs.parameters.${PARAM.step}}}`,
    "--index",
    `{{inputs.parameters.${PARAM.index}}}`,
    // {{retries}} exists only in templates with a retryStrategy; Argo rejects it elsewhere.
    "--attempt",
    opts.retried ? "{{retries}}" : "0",
    // The runtime records failed.json and exits 0 when the last attempt of a caught step fails.
    ...(opts.caught ? ["--catch"] : []),
  ];
}
