import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARGO_OUTPUTS, argoOutputsDir } from "../contract/env.ts";
import { decodeArgoParams } from "../contract/params.ts";
import type { JsonValue } from "../flow/ir.ts";
import { openDatastore } from "../datastore/index.ts";
import { executeTask, type TaskResult } from "./executor.ts";
import { indexDepth, keys, taskPrefix, type TaskId } from "../contract/layout.ts";
import type { Datastore } from "../datastore/types.ts";
import { loadSpec } from "./spec-loader.ts";
import { resolveParams } from "../contract/params.ts";
import { failedRecord, readDone, readForeach, readSwitchCase, writeJson, type DoneRecord } from "./records.ts";
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
 *
 * A task whose done.json exists is not run again (docs/step-contract.md, "Running a task again"):
 * a resumed or redriven run costs a container start per finished task, not its work. An attempt
 * number whose folder exists already (an earlier execution of the same run used it) is stored under
 * the next free number, so the logs of every earlier attempt are kept.
 */
export async function runStep(req: StepRequest): Promise<StepResult> {
  const ds = await openDatastore(req.root, req.cwd);
  const spec = await loadSpec(ds, req.spec, (root) => openDatastore(root, req.cwd));
  const node = spec.graph.nodes.get(req.step);
  if (!node) throw new StepRequestError(`the flow \`${spec.spec.flow.name}\` has no step \`${req.step}\` (spec ${spec.location})`);
  const declared = spec.spec.flow.parameters;
  const { context, params, runId } = await contextOf(ds, spec.spec.flow, req);
  const decoded = Array.isArray(params) ? decodeArgoParams(JSON.stringify(params), declared) : { values: params, errors: [] };
  const { values, problems } = resolveParams(declared, decoded.values, { strict: false });
  const messages = [...decoded.errors, ...problems.map((p) => p.message)];
  if (messages.length) throw new StepRequestError(messages.join("; "));
  const flow = spec.spec.flow.name;
  const task: TaskId = { flow, runId, step: req.step, index: req.index };
  if (indexDepth(req.index) !== node.foreachDepth)
    throw new StepRequestError(`step \`${req.step}\` is inside ${node.foreachDepth} foreach(es), so its index path has ${node.foreachDepth} number(s), not ${JSON.stringify(req.index)}`);
  if (req.step === "start") await recordContext(ds, { flow, runId, ...context, params: values, spec: req.spec });
  const argoOutputs = argoOutputsDir(req.env);

  const done = await finished(ds, task);
  if (done) {
    const [children, choice] = await Promise.all([readForeach(ds, task), readSwitchCase(ds, task)]);
    if (argoOutputs) replayArgoOutputs(argoOutputs, children, choice);
    return { status: "succeeded", durationMs: 0, skipped: done.attempt, artifacts: done.artifacts, ...(children ? { foreachCount: children.length } : {}), ...(choice !== undefined ? { choice } : {}) };
  }
  const attempt = await freeAttempt(ds, task, req.attempt);
  const result = await executeTask(
    { ds, spec, runId, params: values, context, echo: req.echo, cwd: req.cwd, baseEnv: req.env, ...(argoOutputs ? { argoOutputs } : {}) },
    req.step,
    req.index,
    attempt,
  );
  // Whether a retry follows is the orchestrator's count, not the storage number.
  if (req.catch && result.status !== "succeeded" && !shouldRetry(node.step.retry, req.attempt, result)) {
    await writeJson(ds, keys.failed(task), failedRecord(result, attempt));
    return { ...result, caught: true, ...(attempt !== req.attempt ? { storedAs: attempt } : {}) };
  }
  return { ...result, ...(attempt !== req.attempt ? { storedAs: attempt } : {}) };
}

export type StepResult = TaskResult & {
  caught?: boolean;
  /** The task had finished before (done.json of this attempt): nothing ran. */
  skipped?: number;
  /** The attempt was stored under this number (its own was used by an earlier execution of the run). */
  storedAs?: number;
};

/** done.json, when it is whole and names this task; anything else means the task has not finished. */
async function finished(ds: Datastore, t: TaskId): Promise<DoneRecord | undefined> {
  let done: DoneRecord | undefined;
  try {
    done = await readDone(ds, t);
  } catch {
    return undefined;
  }
  if (!done || done.step !== t.step || done.index !== t.index || !Number.isInteger(done.attempt) || !Array.isArray(done.artifacts)) return undefined;
  return done;
}

/** Argo reads a skipped task's outputs from the pod as for one that ran: write them from the records. */
function replayArgoOutputs(dir: string, children: string[] | undefined, choice: string | undefined): void {
  mkdirSync(dir, { recursive: true });
  if (children) writeFileSync(join(dir, ARGO_OUTPUTS.foreach), JSON.stringify(children));
  if (choice !== undefined) writeFileSync(join(dir, ARGO_OUTPUTS.switch), choice);
}

/** The orchestrator's attempt number, or the next free one when an earlier execution of the run used it. */
async function freeAttempt(ds: Datastore, t: TaskId, asked: number): Promise<number> {
  const used = (await ds.children(taskPrefix(t)))
    .map((n) => /^attempt-(\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  return used.includes(asked) ? Math.max(...used) + 1 : asked;
}
