import type { Graph } from "../graph/types.ts";
import type { TaskResult } from "./executor.ts";
import type { SchedulerEvents, Task } from "./scheduler.ts";

export interface StepStats {
  name: string;
  /** How many tasks the step will have, when known (foreach bodies: the items fanned out so far). */
  expected?: number;
  running: number;
  succeeded: number;
  /** Tasks that failed the run. */
  failed: number;
  caught: number;
  retries: number;
  skipped: number;
  firstStart?: number;
  lastEnd?: number;
  /** Sum of the attempts' durations. */
  busyMs: number;
}

/** Counts per step, fed by the scheduler's events: what the progress display and the summary show. */
export class RunStats implements SchedulerEvents {
  readonly steps = new Map<string, StepStats>();
  readonly startedAt = Date.now();
  private readonly innermostForeach = new Map<string, string | undefined>();
  private readonly fanned = new Map<string, number>();

  constructor(graph: Graph) {
    for (const name of graph.order) {
      const node = graph.nodes.get(name)!;
      const fe = node.frames.filter((f) => f.kind === "foreach").at(-1);
      this.innermostForeach.set(name, fe?.step);
      this.steps.set(name, { name, running: 0, succeeded: 0, failed: 0, caught: 0, retries: 0, skipped: 0, busyMs: 0, ...(fe ? { expected: 0 } : {}) });
    }
  }

  private s(step: string): StepStats {
    return this.steps.get(step)!;
  }

  started(task: Task): void {
    const s = this.s(task.step);
    s.running++;
    s.firstStart ??= Date.now();
  }

  finished(task: Task, _attempt: number, result: TaskResult): void {
    const s = this.s(task.step);
    s.running--;
    s.lastEnd = Date.now();
    s.busyMs += result.durationMs;
    if (result.status === "succeeded") s.succeeded++;
  }

  retrying(task: Task): void {
    this.s(task.step).retries++;
  }

  caught(task: Task): void {
    const s = this.s(task.step);
    s.caught++;
  }

  skipped(task: Task): void {
    this.s(task.step).skipped++;
  }

  fannedOut(task: Task, count: number): void {
    this.fanned.set(task.step, (this.fanned.get(task.step) ?? 0) + count);
    for (const [step, opener] of this.innermostForeach) if (opener === task.step) this.s(step).expected = this.fanned.get(task.step);
  }

  /** The task that failed the run. */
  failedRun(task: Task): void {
    this.s(task.step).failed++;
  }

  totals(): { running: number; done: number; failed: number; retries: number } {
    let running = 0,
      done = 0,
      failed = 0,
      retries = 0;
    for (const s of this.steps.values()) {
      running += s.running;
      done += s.succeeded + s.skipped;
      failed += s.failed;
      retries += s.retries;
    }
    return { running, done, failed, retries };
  }
}
