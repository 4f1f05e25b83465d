import { argoOutputsDir } from "../contract/env.ts";
import { decodeArgoParams } from "../contract/params.ts";
import type { JsonValue } from "../flow/ir.ts";
import { openDatastore } from "../datastore/index.ts";
import { executeTask, type TaskResult } from "./executor.ts";
import { keys } from "../contract/layout.ts";
import { loadSpec } from "./spec-loader.ts";
import { resolveParams } from "../contract/params.ts";
import { failedRecord, writeJson } from "./records.ts";
import { shouldRetry } from "./retry.ts";
import { contextOf, recordContext } from "./run-context.ts";
import { StepRequestError } from "./task-types.ts";

/** One task, as `flowc step` receives it (flags or FLOWC_* variables) and as a pool worker does. */
export interface StepRequest {
  /** Datastore root: a folder or s3://bucket/prefix. */
  root: string;
  /** The spec: a key relative to the root (packages/<sha>.json) or an absolute URI. */
  spec: string;
  runId: string;
  step: string;
  index: string;
  attempt: number;
  /**
   * Run parameters as given; defaults and type checks happen here again. An object (Step Functions,
   * flowc run), or Argo's `{{workflow.parameters.json}}`: an array of {name, value} with string values.
   */
  params: Record<string, JsonValue> | { name: string; value: string }[];
  /**
   * The orchestrator does not record caught failures itself (Argo): when this attempt fails and no
   * retry follows, write failed.json and report the task as caught, so the flow carries on.
   */
  catch?: boolean;
  /** Copy the task's output to this process's stdout/stderr. */
  echo: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export { StepRequestError } from "./task-types.ts";

/**
 * The `flowc step` code path: open the datastore, load the spec (cached per process), check the
 * parameters, run one attempt. `flowc run`'s workers call exactly this.
 */
export async function runStep(req: StepRequest): Promise<TaskResult & { caught?: boolean }> {
  const ds = await openDatastore(req.root, req.cwd);
  const spec = await loadSpec(ds, req.spec, (root) => openDatastore(root, req.cwd));
  const node = spec.graph.nodes.get(req.step);
  if (!node) throw new StepRequestError(`the flow \`${spec.spec.flow.name}\` has no step \`${req.step}\` (spec ${spec.location})`);
  const declared = spec.spec.flow.parameters;
  const { context, params } = await contextOf(ds, spec.spec.flow, req);
  const decoded = Array.isArray(params) ? decodeArgoParams(JSON.stringify(params), declared) : { values: params, errors: [] };
  const { values, problems } = resolveParams(declared, decoded.values, { strict: false });
  const messages = [...decoded.errors, ...problems.map((p) => p.message)];
  if (messages.length) throw new StepRequestError(messages.join("; "));
  const flow = spec.spec.flow.name;
  if (req.step === "start") await recordContext(ds, { flow, runId: req.runId, ...context, params: values, spec: req.spec });
  const argoOutputs = argoOutputsDir(req.env);
  const result = await executeTask(
    { ds, spec, runId: req.runId, params: values, context, echo: req.echo, cwd: req.cwd, baseEnv: req.env, ...(argoOutputs ? { argoOutputs } : {}) },
    req.step,
    req.index,
    req.attempt,
  );
  if (req.catch && result.status !== "succeeded" && !shouldRetry(node.step.retry, req.attempt, result)) {
    await writeJson(ds, keys.failed({ flow, runId: req.runId, step: req.step, index: req.index }), failedRecord(result, req.attempt));
    return { ...result, caught: true };
  }
  return result;
}
