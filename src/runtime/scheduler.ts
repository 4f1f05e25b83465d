import type { FlowIR, StepIR } from "../flow/ir.ts";
import type { Graph, GraphNode } from "../graph/types.ts";
import type { TaskResult } from "./executor.ts";
import { childIndex, indexDepth, parentIndex } from "../contract/layout.ts";
import { backoffMs, shouldRetry } from "./retry.ts";

export interface Task {
  step: string;
  index: string;
}

/** What happened to a task before this invocation (resume), read from the datastore. */
export type Recalled = { kind: "done"; foreachCount?: number; choice?: string } | { kind: "caught" } | { kind: "new"; nextAttempt: number };

export interface SchedulerDeps {
  flow: FlowIR;
  graph: Graph;
  maxWorkers: number;
  /** Runs one attempt (through the worker pool). */
  run(task: Task, attempt: number, step: StepIR): Promise<TaskResult>;
  /** Kills the attempts in flight: the run failed or was interrupted. */
  cancelRunning(): void;
  /** Records a caught failure (failed.json) before the flow carries on. */
  recordCaught(task: Task, attempt: number, result: TaskResult): Promise<void>;
  /** Resuming: what the datastore knows of a task. Absent: every task is new. */
  recall?(task: Task): Promise<Recalled>;
  events?: SchedulerEvents;
}

export interface SchedulerEvents {
  started?(task: Task, attempt: number): void;
  finished?(task: Task, attempt: number, result: TaskResult): void;
  retrying?(task: Task, attempt: number, result: TaskResult, delayMs: number): void;
  caught?(task: Task, attempt: number, result: TaskResult): void;
  /** A task done in an earlier invocation of this run (resume). */
  skipped?(task: Task): void;
  /** A foreach task finished: this many items of its body will run. */
  fannedOut?(task: Task, count: number): void;
}

export interface RunOutcome {
  status: "succeeded" | "failed" | "interrupted";
  /** For a failed run: which task and why. */
  failure?: { task?: Task; attempt?: number; error: string; cause?: string };
}

/** A foreach task's items: admitted `limit` at a time (its `parallelism`), counted back at the join. */
interface Gate {
  opener: Task;
  body: string;
  count: number;
  next: number;
  active: number;
  arrived: number;
  limit: number;
}

const keyOf = (t: Task) => `${t.step}@${t.index}`;

/**
 * Runs a flow's DAG on a bounded number of workers. It only decides what runs when; each attempt is
 * `deps.run` (flowc step's code path) and tasks find their inputs in the datastore, not here.
 *   - a task becomes ready when its parent finishes (a join: when all its branches or items arrive);
 *   - a foreach admits its items up to its `parallelism`;
 *   - a failed attempt is retried after the step's backoff; when retries run out, a step with
 *     `catch` records failed.json and the flow carries on, otherwise the run fails at once and
 *     attempts in flight are cancelled.
 */
export class Scheduler {
  private readonly ready: { task: Task; attempt: number; first: number }[] = [];
  private readonly seen = new Set<string>();
  private readonly splitArrivals = new Map<string, number>();
  private readonly gates = new Map<string, Gate>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private pendingRecalls = 0;
  private reachedEnd = false;
  private stopped?: RunOutcome;
  private finish!: (o: RunOutcome) => void;
  private flowTimer?: NodeJS.Timeout;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): Promise<RunOutcome> {
    const done = new Promise<RunOutcome>((res) => (this.finish = res));
    if (this.deps.flow.timeoutSeconds) {
      const secs = this.deps.flow.timeoutSeconds;
      this.flowTimer = setTimeout(() => this.stop({ status: "failed", failure: { error: `the flow timed out after ${secs}s` } }), secs * 1000);
    }
    this.enqueue({ step: "start", index: "" });
    this.settle();
    return done;
  }

  /** Ctrl-C: cancel what runs, start nothing new. */
  interrupt(): void {
    this.stop({ status: "interrupted", failure: { error: "interrupted" } });
  }

  private node(step: string): GraphNode {
    const n = this.deps.graph.nodes.get(step);
    if (!n) throw new Error(`no step ${step}`);
    return n;
  }

  private enqueue(task: Task): void {
    const k = keyOf(task);
    if (this.seen.has(k) || this.stopped) return;
    this.seen.add(k);
    if (!this.deps.recall) {
      this.ready.push({ task, attempt: 0, first: 0 });
      return;
    }
    this.pendingRecalls++;
    this.deps.recall(task).then(
      (r) => {
        this.pendingRecalls--;
        if (this.stopped) return this.settle();
        if (r.kind === "new") this.ready.push({ task, attempt: r.nextAttempt, first: r.nextAttempt });
        else {
          this.deps.events?.skipped?.(task);
          this.advance(task, r.kind === "caught" ? undefined : { status: "succeeded", durationMs: 0, ...r });
        }
        this.settle();
      },
      (e: Error) => {
        this.pendingRecalls--;
        this.stop({ status: "failed", failure: { task, error: `cannot read the datastore: ${e.message}` } });
      },
    );
  }

  /** Starts what can start; resolves the run when nothing is left. */
  private settle(): void {
    while (!this.stopped && this.running < this.deps.maxWorkers && this.ready.length > 0) this.dispatch(this.ready.shift()!);
    if (this.running === 0 && this.pendingRecalls === 0 && (this.stopped || (this.ready.length === 0 && this.timers.size === 0))) {
      clearTimeout(this.flowTimer);
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.finish(
        this.stopped ??
          (this.reachedEnd ? { status: "succeeded" } : { status: "failed", failure: { error: "the run stopped before reaching `end` (a bug in flowc: please report it)" } }),
      );
    }
  }

  private dispatch(entry: { task: Task; attempt: number; first: number }): void {
    const { task, attempt, first } = entry;
    const step = this.node(task.step).step;
    this.running++;
    this.deps.events?.started?.(task, attempt);
    this.deps.run(task, attempt, step).then(
      (result) => this.onResult(task, attempt, first, step, result),
      (e: Error) => this.onResult(task, attempt, first, step, { status: "failed", error: e.message, cause: e.stack ?? "", durationMs: 0 }),
    );
  }

  private onResult(task: Task, attempt: number, first: number, step: StepIR, result: TaskResult): void {
    this.running--;
    this.deps.events?.finished?.(task, attempt, result);
    if (this.stopped) return this.settle();
    if (result.status === "succeeded") {
      this.advance(task, result);
    } else if (shouldRetry(step.retry, attempt - first, result)) {
      const delay = backoffMs(step.retry, attempt - first);
      this.deps.events?.retrying?.(task, attempt, result, delay);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.stopped) this.ready.push({ task, attempt: attempt + 1, first });
        this.settle();
      }, delay);
      this.timers.add(timer);
    } else if (step.catch) {
      this.running++; // the failed.json write is part of the task
      this.deps.recordCaught(task, attempt, result).then(
        () => {
          this.running--;
          this.deps.events?.caught?.(task, attempt, result);
          if (!this.stopped) this.advance(task, undefined);
          this.settle();
        },
        (e: Error) => {
          this.running--;
          this.stop({ status: "failed", failure: { task, attempt, error: `cannot record the caught failure: ${e.message}` } });
        },
      );
    } else {
      this.stop({ status: "failed", failure: { task, attempt, error: result.error ?? result.status, ...(result.cause ? { cause: result.cause } : {}) } });
    }
    this.settle();
  }

  private stop(outcome: RunOutcome): void {
    if (this.stopped) return;
    this.stopped = outcome;
    this.ready.length = 0;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.deps.cancelRunning();
    this.settle();
  }

  /** A task finished (`result`) or failed with the failure caught (undefined): follow its edges. */
  private advance(task: Task, result: TaskResult | undefined): void {
    const t = this.node(task.step).step.transition;
    switch (t.kind) {
      case "linear":
        return this.arrive(t.next, task);
      case "split":
        for (const next of t.next) this.arrive(next, task);
        return;
      case "foreach":
        return this.fanOut(task, t.next, result?.foreachCount ?? 0, t.parallelism);
      case "switch": {
        const target = t.cases.find((c) => c.value === result?.choice)?.next;
        if (!target)
          return this.stop({
            status: "failed",
            failure: { task, error: result ? `switch \`${task.step}\` chose ${JSON.stringify(result.choice)}, which is not a case` : `switch \`${task.step}\` failed (caught), so no case was chosen` },
          });
        return this.arrive(target, task);
      }
      case "end":
        this.reachedEnd = true;
        return;
    }
  }

  private fanOut(task: Task, body: string, count: number, parallelism: number | undefined): void {
    this.deps.events?.fannedOut?.(task, count);
    const gate: Gate = { opener: task, body, count, next: 0, active: 0, arrived: 0, limit: parallelism && parallelism > 0 ? parallelism : Infinity };
    this.gates.set(keyOf(task), gate);
    if (count === 0) this.enqueue({ step: this.node(task.step).closedBy!, index: task.index });
    this.release(gate);
  }

  private release(g: Gate): void {
    while (g.active < g.limit && g.next < g.count) {
      g.active++;
      this.enqueue({ step: g.body, index: childIndex(g.opener.index, g.next++) });
    }
  }

  /** `from` finished and leads to `target`. */
  private arrive(target: string, from: Task): void {
    const node = this.node(target);
    // Only a join closing a foreach is shallower than its parent; foreach bodies start in fanOut.
    const index = node.foreachDepth < indexDepth(from.index) ? parentIndex(from.index) : from.index;
    if (!node.step.join) return this.enqueue({ step: target, index });
    const opener = this.node(node.closes!);
    const openerKey = keyOf({ step: opener.step.name, index });
    if (opener.step.transition.kind === "foreach") {
      const g = this.gates.get(openerKey);
      if (!g) throw new Error(`join ${target}: foreach ${openerKey} never fanned out`);
      g.active--;
      g.arrived++;
      this.release(g);
      if (g.arrived === g.count) this.enqueue({ step: target, index });
    } else if (opener.step.transition.kind === "split") {
      const n = (this.splitArrivals.get(openerKey) ?? 0) + 1;
      this.splitArrivals.set(openerKey, n);
      if (n === opener.step.transition.next.length) this.enqueue({ step: target, index });
    }
  }
}
