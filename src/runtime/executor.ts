import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { FLOWC_VERSION } from "../version.ts";
import { runCommandStep } from "./command-step.ts";
import { uploadFiles } from "../datastore/upload.ts";
import type { Datastore } from "../datastore/types.ts";
import { runFunctionStep } from "./function-step.ts";
import { itemOf, resolveInputs, type ResolvedInputs } from "./inputs.ts";
import { ARGO_OUTPUTS } from "../contract/env.ts";
import { childIndex, indexDepth, keys, type TaskId } from "../contract/layout.ts";
import { RunReader } from "./reader.ts";
import { readDone, writeJson, type AttemptMeta, type DoneRecord } from "./records.ts";
import { StepRequestError, type Produced, type TaskEnv, type TaskResult } from "./task-types.ts";

export type { TaskEnv, TaskResult } from "./task-types.ts";

/** The end of a log, for failure messages. */
const TAIL_BYTES = 2000;

/**
 * Runs one attempt of one task: the single code path behind `flowc step` and every task of `flowc run`.
 * It reads the task's inputs from the datastore, runs the command or the body, stores outputs, logs
 * and meta.json, then (success only) the control files and, last, done.json.
 */
export async function executeTask(env: TaskEnv, step: string, index: string, attempt: number): Promise<TaskResult> {
  const { ds, spec } = env;
  const node = spec.graph.nodes.get(step);
  if (!node) throw new StepRequestError(`the flow \`${spec.spec.flow.name}\` has no step \`${step}\``);
  if (indexDepth(index) !== node.foreachDepth)
    throw new StepRequestError(`step \`${step}\` is inside ${node.foreachDepth} foreach(es), so its index path has ${node.foreachDepth} number(s), not ${JSON.stringify(index)}`);
  const t: TaskId = { flow: spec.spec.flow.name, runId: env.runId, step, index };
  const s = node.step;
  const started = Date.now();
  const meta: AttemptMeta = {
    flow: t.flow,
    runId: t.runId,
    step,
    index,
    attempt,
    kind: s.action.kind,
    status: "running",
    startedAt: new Date(started).toISOString(),
    host: hostname(),
    pid: process.pid,
    flowcVersion: FLOWC_VERSION,
  };

  // Re-running an attempt that already succeeded replaces it, and a done.json cut short is no
  // result at all: stop trusting either before anything else is written.
  const previous = await readDone(ds, t).catch(() => "unreadable" as const);
  if (previous === "unreadable" || previous?.attempt === attempt) await ds.delete(keys.done(t));

  // A local datastore gets outputs and logs in place; a remote one through a temp folder, uploaded
  // after. (Synchronous file calls: this process runs one task at a time.)
  const inPlace = ds.localPath?.(keys.attempt(t, attempt));
  const scratch = inPlace ? undefined : mkdtempSync(join(tmpdir(), "flowc-task-"));
  const work = inPlace ?? join(scratch!, "attempt");
  if (inPlace) rmSync(inPlace, { recursive: true, force: true });
  const outputsDir = join(work, "outputs");
  mkdirSync(outputsDir, { recursive: true });
  const stdoutFile = join(work, "stdout");
  const stderrFile = join(work, "stderr");
  // meta.json is written once, when the attempt ends (an attempt folder without one is running, or
  // was killed). It is for people (flowc show): only done.json needs an atomic write, and in place a
  // plain write saves a rename.
  const writeMeta = () => (inPlace ? writeFileSync(join(work, "meta.json"), `${JSON.stringify(meta, null, 1)}\n`) : writeJson(ds, keys.meta(t, attempt), meta));

  let result: TaskResult;
  let produced: Produced | undefined;
  let resolved: ResolvedInputs | undefined;
  try {
    const reader = new RunReader({ ds, flow: t.flow, runId: t.runId, graph: spec.graph });
    resolved = await resolveInputs(reader, step, index);
    const item = await itemOf(reader, step, index);
    const ran =
      s.action.kind === "command"
        ? await runCommandStep(env, t, s, attempt, resolved, item, { outputsDir, stdoutFile, stderrFile })
        : await runFunctionStep(env, t, s, attempt, resolved, item, { outputsDir, stdoutFile, stderrFile });
    result = ran.result;
    produced = ran.produced;
  } catch (e) {
    const err = e as Error;
    result = { status: "failed", error: err.message, cause: err.stack ?? err.message, durationMs: 0 };
    try {
      appendFileSync(stderrFile, `flowc: ${err.message}\n`);
    } catch {
      // the log folder itself is the problem; the result carries the message
    }
  }

  try {
    if (!inPlace) await uploadLogs(ds, t, attempt, stdoutFile, stderrFile);
    const finished = Date.now();
    meta.status = result.status;
    meta.finishedAt = new Date(finished).toISOString();
    meta.durationMs = result.durationMs = finished - started;
    if (result.error) meta.error = result.error;
    if (result.status !== "succeeded" || !produced || !resolved) {
      if (result.status === "failed" && !result.cause?.includes("\n")) result.cause = (await tail(stderrFile)) || result.cause;
      await writeMeta();
      return result;
    }
    await writeMeta();
    await commit(env, t, attempt, produced, resolved, started, finished);
    return { ...result, artifacts: produced.artifacts, ...(produced.foreach ? { foreachCount: produced.foreach.length } : {}), ...(produced.choice ? { choice: produced.choice } : {}) };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Success (meta.json is written): the control files, then done.json, last, in one atomic write. */
async function commit(env: TaskEnv, t: TaskId, attempt: number, p: Produced, resolved: ResolvedInputs, started: number, finished: number): Promise<void> {
  const { ds } = env;
  const writes: Promise<void>[] = [];
  const children = p.foreach?.map((_, i) => childIndex(t.index, i));
  if (p.foreach) {
    writes.push(ds.write(keys.items(t, attempt), JSON.stringify(p.foreach)));
    // The child index list is what Step Functions' Distributed Map and Argo's withParam iterate over.
    writes.push(ds.write(keys.foreach(t), JSON.stringify(children)));
  }
  if (p.choice !== undefined) writes.push(writeJson(ds, keys.switch(t), { case: p.choice }));
  await Promise.all(writes);
  const done: DoneRecord = {
    step: t.step,
    index: t.index,
    attempt,
    artifacts: p.artifacts,
    ...(p.encodings && Object.keys(p.encodings).length ? { encodings: p.encodings } : {}),
    inherited: resolved.view,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
  };
  await writeJson(ds, keys.done(t), done);
  if (env.argoOutputs) {
    mkdirSync(env.argoOutputs, { recursive: true });
    if (children) writeFileSync(join(env.argoOutputs, ARGO_OUTPUTS.foreach), JSON.stringify(children));
    if (p.choice !== undefined) writeFileSync(join(env.argoOutputs, ARGO_OUTPUTS.switch), p.choice);
  }
}

/** Logs exist only when something was printed (LazyLog); upload what there is. */
async function uploadLogs(ds: Datastore, t: TaskId, attempt: number, stdoutFile: string, stderrFile: string): Promise<void> {
  const pairs: [string, string][] = [
    [keys.stdout(t, attempt), stdoutFile],
    [keys.stderr(t, attempt), stderrFile],
  ];
  await uploadFiles(
    ds,
    pairs.filter(([, f]) => existsSync(f)),
  );
}

async function tail(file: string): Promise<string> {
  try {
    const fh = await open(file);
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, TAIL_BYTES);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      return buf.toString("utf8").trim();
    } finally {
      await fh.close();
    }
  } catch {
    return "";
  }
}
