import type { ValidFlow } from "../flow/read.ts";
import { FLOWC_VERSION } from "../version.ts";
import { hostname } from "node:os";
import type { Datastore } from "../datastore/types.ts";
import type { TaskResult } from "./executor.ts";
import { KILL_GRACE_MS } from "./container.ts";
import { keys, newRunId, runPrefix, type TaskId } from "../contract/layout.ts";
import { publishSpec } from "../datastore/publish.ts";
import { RUN_CONTEXT_PARAM, runContextInput, type RunContext } from "../contract/run-context.ts";
import type { ParamValues } from "../contract/params.ts";
import { defaultSpawner, WorkerPool, WORKER_KILL_GRACE_MS, type WorkerSpawner } from "./pool.ts";
import { PlainProgress, TtyProgress, type ProgressOut } from "./progress.ts";
import { failedRecord, readJson, writeJson, type AttemptMeta, type RunRecord } from "./records.ts";
import { Scheduler, type Recalled, type RunOutcome, type SchedulerEvents, type Task } from "./scheduler.ts";
import { RunStats } from "./stats.ts";

export interface RunFlowOptions {
  flow: ValidFlow;
  /** Resolved parameters (flowc run checks them before calling this). */
  params: ParamValues;
  /** When the run is for and what started it; every task gets it as a deployed task does. */
  context: RunContext;
  ds: Datastore;
  runId?: string;
  maxWorkers: number;
  /** Where progress goes (stderr of the CLI) and whether it is a terminal. */
  progress: ProgressOut & { isTTY: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  spawner?: WorkerSpawner;
  /** Handle Ctrl-C (SIGINT/SIGTERM): stop cleanly, record the run as interrupted. */
  handleSignals?: boolean;
}

export interface RunFlowResult {
  runId: string;
  outcome: RunOutcome;
  stats: RunStats;
  specKey: string;
  resumed: boolean;
}

/**
 * `flowc run`: publishes the spec (and code package) as deploy does, then schedules every task on a
 * pool of workers that run them through flowc step's code path. A run id that exists already is
 * resumed: tasks with done.json (or a caught failure) are not run again.
 */
export async function runFlow(o: RunFlowOptions): Promise<RunFlowResult> {
  const { ds, flow } = o;
  const name = flow.ir.name;
  const spec = await publishSpec(ds, flow);
  const runId = o.runId ?? newRunId();
  const resumed = (await ds.children(runPrefix(name, runId))).length > 0;
  const record: RunRecord = {
    flow: name,
    runId,
    status: "running",
    params: o.params,
    context: o.context,
    spec: spec.key,
    startedAt: new Date().toISOString(),
    host: hostname(),
    pid: process.pid,
    flowcVersion: FLOWC_VERSION,
  };
  await writeJson(ds, keys.run(name, runId), record);

  const task = (t: Task): TaskId => ({ flow: name, runId, ...t });
  // The run context travels the way every target passes it: a reserved parameter that flowc step takes out.
  const taskParams = { ...o.params, [RUN_CONTEXT_PARAM]: runContextInput(o.context) };
  const pool = new WorkerPool(o.maxWorkers, o.spawner ?? defaultSpawner(o.env, o.cwd));
  const stats = new RunStats(flow.graph);
  const plain = o.progress.isTTY ? undefined : new PlainProgress(o.progress);
  const tty = o.progress.isTTY ? new TtyProgress(o.progress, stats, `flow ${name} · run ${runId} · ${o.maxWorkers} worker${o.maxWorkers === 1 ? "" : "s"}`, !o.env.NO_COLOR) : undefined;
  const events = fanOutEvents([stats, plain]);

  const scheduler = new Scheduler({
    flow: flow.ir,
    graph: flow.graph,
    maxWorkers: o.maxWorkers,
    events,
    run: async (t, attempt, step) => {
      // Backstop only: a command's timeout is enforced inside the task; this catches a body stuck in
      // synchronous code, which nothing in its own process can interrupt.
      const watchdog = step.timeoutSeconds
        ? {
            ms: step.timeoutSeconds * 1000 + (step.action.kind === "function" ? WORKER_KILL_GRACE_MS : KILL_GRACE_MS + 5000),
            message: `timed out after ${step.timeoutSeconds}s: the step did not return, so flowc killed its worker process and everything it started`,
          }
        : undefined;
      const result = await pool.run({ root: ds.root, spec: spec.key, runId, step: t.step, index: t.index, attempt, params: taskParams, echo: false, cwd: o.cwd }, watchdog);
      if (result.status !== "succeeded") await settleMeta(ds, task(t), attempt, result);
      return result;
    },
    cancelRunning: () => pool.cancelAll(),
    recordCaught: (t, attempt, result) => writeJson(ds, keys.failed(task(t)), failedRecord(result, attempt)),
    ...(resumed ? { recall: (t: Task) => recall(ds, task(t)) } : {}),
  });

  const onSignal = () => scheduler.interrupt();
  if (o.handleSignals) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  tty?.start();
  let outcome: RunOutcome;
  try {
    outcome = await scheduler.start();
  } finally {
    tty?.stop();
    await pool.close();
    if (o.handleSignals) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
  if (outcome.failure?.task) stats.failedRun(outcome.failure.task);
  await writeJson(ds, keys.run(name, runId), {
    ...record,
    status: outcome.status,
    finishedAt: new Date().toISOString(),
    ...(outcome.failure ? { error: outcome.failure.error } : {}),
  } satisfies RunRecord);
  return { runId, outcome, stats, specKey: spec.key, resumed };
}

/** An attempt the pool had to kill (or cancel) never wrote its meta.json: write it for `flowc show`. */
async function settleMeta(ds: Datastore, t: TaskId, attempt: number, result: TaskResult): Promise<void> {
  const meta = await readJson<AttemptMeta>(ds, keys.meta(t, attempt)).catch(() => undefined);
  if (meta && meta.status !== "running") return;
  const now = new Date();
  await writeJson(ds, keys.meta(t, attempt), {
    flow: t.flow,
    runId: t.runId,
    step: t.step,
    index: t.index,
    attempt,
    kind: "command",
    startedAt: new Date(now.getTime() - result.durationMs).toISOString(),
    host: hostname(),
    pid: process.pid,
    flowcVersion: FLOWC_VERSION,
    ...meta,
    status: result.status,
    finishedAt: now.toISOString(),
    durationMs: result.durationMs,
    ...(result.error ? { error: result.error } : {}),
  } satisfies AttemptMeta);
}

/** Resuming: a task with done.json (or a caught failure) is not run again; a new one gets a fresh attempt number. */
async function recall(ds: Datastore, t: TaskId): Promise<Recalled> {
  const done = await readJson<{ attempt: number }>(ds, keys.done(t));
  if (done) {
    const children = await readJson<string[]>(ds, keys.foreach(t));
    const sw = await readJson<{ case: string }>(ds, keys.switch(t));
    return { kind: "done", ...(children ? { foreachCount: children.length } : {}), ...(sw ? { choice: sw.case } : {}) };
  }
  if (await ds.exists(keys.failed(t))) return { kind: "caught" };
  // Attempts of the earlier invocation keep their logs: number the new ones after them.
  const names = await ds.children(keys.done(t).replace(/\/done\.json$/, ""));
  const used = names.filter((n) => /^attempt-\d+$/.test(n)).map((n) => Number(n.slice("attempt-".length)));
  return { kind: "new", nextAttempt: used.length ? Math.max(...used) + 1 : 0 };
}

function fanOutEvents(list: (SchedulerEvents | undefined)[]): SchedulerEvents {
  const all = list.filter((x): x is SchedulerEvents => !!x);
  return {
    started: (...a) => all.forEach((e) => e.started?.(...a)),
    finished: (...a) => all.forEach((e) => e.finished?.(...a)),
    retrying: (...a) => all.forEach((e) => e.retrying?.(...a)),
    caught: (...a) => all.forEach((e) => e.caught?.(...a)),
    skipped: (...a) => all.forEach((e) => e.skipped?.(...a)),
    fannedOut: (...a) => all.forEach((e) => e.fannedOut?.(...a)),
  };
}
