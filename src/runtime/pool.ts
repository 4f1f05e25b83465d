import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../util/package-root.ts";
import type { TaskResult } from "./executor.ts";
import type { StepRequest } from "./step.ts";
import type { FromWorker, ToWorker } from "./worker.ts";

interface Worker {
  proc: ChildProcess;
  ready: Promise<void>;
  job?: Job;
  /** The last few KB of the worker's own output, for "the worker died" messages. */
  log: string;
  stopping?: NodeJS.Timeout;
}

interface Job {
  id: number;
  request: ToWorker["request"];
  watchdogMs?: number;
  /** The error of a task the watchdog killed. */
  timeoutMessage?: string;
  resolve: (r: TaskResult) => void;
  timer?: NodeJS.Timeout;
  /** Why the pool killed the worker running it, if it did. */
  killed?: "timeout" | "cancelled";
  started: number;
}

/** How long a worker told to stop (SIGTERM) has before its process group gets SIGKILL. */
export const WORKER_KILL_GRACE_MS = 1000;

/** How a worker process is started, in its own process group. */
export type WorkerSpawner = () => ChildProcess;

/**
 * dist/worker.js (src/runtime/worker-main.ts) loads only the runtime and starts several times faster
 * than the whole CLI; `bin/flowc __worker` runs the same loop when a build does not have it.
 */
export function defaultSpawner(env: NodeJS.ProcessEnv, cwd: string): WorkerSpawner {
  const lean = join(packageRoot(), "dist", "worker.js");
  const [file, args] = existsSync(lean) ? [lean, []] : [join(packageRoot(), "bin", "flowc"), ["__worker"]];
  return () => fork(file, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe", "ipc"] });
}

/**
 * Long-lived worker processes that run tasks through runStep. A process per worker (not a thread)
 * so that a task can be killed for real: a stuck TypeScript body or a command's whole process tree
 * goes with the worker's process group, and a fresh worker takes its place.
 */
export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly spawnWorker: WorkerSpawner,
  ) {}

  /**
   * Runs one task. `watchdog`: kill the worker if the task is not back by then (a timeout the task
   * could not enforce itself, e.g. a synchronous loop in a body), and report it with this message.
   */
  run(request: ToWorker["request"], watchdog?: { ms: number; message: string }): Promise<TaskResult> {
    return new Promise((resolve) => {
      const job: Job = { id: this.nextId++, request, resolve, started: Date.now(), ...(watchdog ? { watchdogMs: watchdog.ms, timeoutMessage: watchdog.message } : {}) };
      this.waiting.push(job);
      this.dispatch();
    });
  }

  /** Kills every busy worker; their tasks come back as failed ("cancelled"). */
  cancelAll(): void {
    for (const w of this.workers) if (w.job) this.kill(w, "cancelled");
    for (const job of this.waiting.splice(0)) job.resolve({ status: "failed", error: "cancelled", durationMs: 0 });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelAll();
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((res) => {
            if (w.proc.exitCode !== null || w.proc.signalCode !== null) return res();
            w.proc.once("exit", () => res());
            if (w.proc.connected) w.proc.disconnect();
            // A worker stuck in a body does not see the disconnect.
            setTimeout(() => killGroup(w.proc, "SIGKILL"), WORKER_KILL_GRACE_MS).unref();
          }),
      ),
    );
  }

  get busy(): number {
    return this.workers.filter((w) => w.job).length;
  }

  private dispatch(): void {
    while (this.waiting.length > 0 && !this.closed) {
      // A worker being replaced (it ran a body that timed out) takes no task and leaves its slot.
      let w = this.workers.find((x) => !x.job && !x.stopping);
      if (!w) {
        if (this.workers.filter((x) => !x.stopping).length >= this.size) return;
        w = this.start();
      }
      const job = this.waiting.shift()!;
      this.assign(w, job);
    }
  }

  private assign(w: Worker, job: Job): void {
    w.job = job;
    void w.ready.then(() => {
      if (w.job !== job || !w.proc.connected) return;
      if (job.watchdogMs) job.timer = setTimeout(() => this.kill(w, "timeout"), job.watchdogMs);
      w.proc.send({ type: "task", id: job.id, request: job.request } satisfies ToWorker);
    });
  }

  private start(): Worker {
    const proc = this.spawnWorker();
    let ready!: () => void;
    const w: Worker = { proc, ready: new Promise<void>((res) => (ready = res)), log: "" };
    const keep = (b: Buffer) => (w.log = (w.log + b.toString("utf8")).slice(-4000));
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    proc.on("message", (msg: FromWorker) => {
      if (msg.type === "ready") return ready();
      if (msg.type !== "result" || !w.job || w.job.id !== msg.id) return;
      const job = w.job;
      this.finish(w, job, msg.result);
      // A body that timed out may still be running in there: replace the worker.
      if (msg.result.tainted) this.kill(w);
      this.dispatch();
    });
    // A worker that cannot even start (fork failed) fails its task like one that died.
    proc.once("error", (e) => {
      w.log += `\n${e.message}`;
      if (proc.exitCode === null && proc.signalCode === null && !proc.pid) proc.emit("exit", null, null);
    });
    proc.on("exit", (code, signal) => {
      const i = this.workers.indexOf(w);
      if (i < 0) return; // already handled ('error' without a process, then 'exit')
      this.workers.splice(i, 1);
      clearTimeout(w.stopping);
      killGroup(w.proc, "SIGKILL");
      ready();
      const job = w.job;
      if (job) {
        const secs = ((Date.now() - job.started) / 1000).toFixed(1);
        const result: TaskResult =
          job.killed === "timeout"
            ? { status: "timeout", error: job.timeoutMessage ?? `timed out: no result after ${secs}s`, durationMs: Date.now() - job.started }
            : job.killed === "cancelled"
              ? { status: "failed", error: "cancelled", durationMs: Date.now() - job.started }
              : { status: "failed", error: `the worker running this task exited (${signal ?? `code ${code}`})`, cause: w.log.trim(), durationMs: Date.now() - job.started };
        this.finish(w, job, result);
      }
      this.dispatch();
    });
    this.workers.push(w);
    return w;
  }

  private finish(w: Worker, job: Job, result: TaskResult): void {
    clearTimeout(job.timer);
    w.job = undefined;
    job.resolve(result);
  }

  /**
   * SIGTERM first: the worker then kills its commands' process groups (they are groups of their own)
   * and exits. A worker stuck in synchronous code cannot react, so its group gets SIGKILL after a
   * moment; and once it is gone, whatever is left in its group (processes a body started) goes too.
   */
  private kill(w: Worker, why?: Job["killed"]): void {
    if (w.job && why) w.job.killed = why;
    if (w.stopping) return;
    try {
      w.proc.kill("SIGTERM");
    } catch {
      // already gone
    }
    w.stopping = setTimeout(() => killGroup(w.proc, "SIGKILL"), WORKER_KILL_GRACE_MS);
  }
}

/** A worker is a process-group leader (detached): this ends it and everything it started. */
function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (!proc.pid) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    try {
      proc.kill(signal);
    } catch {
      // already gone
    }
  }
}
