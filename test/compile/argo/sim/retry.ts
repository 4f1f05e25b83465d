/**
 * How the Argo controller paces and cuts off the attempts of a retried step (operator.go,
 * processNodeRetries), for the worst case a flow's budget must survive: every attempt fails only when
 * its pod deadline kills it. Times are seconds from the first attempt's node (its `startedAt`).
 *
 * - Before each retry: past `startedAt(first) + maxDuration` the step fails ("Max duration limit
 *   exceeded"); the backoff is `duration × factor^(attempts-1)`, at most `cap`; if the backoff would
 *   end after that deadline the step fails too ("Backoff would exceed max duration limit").
 * - Every retry's pod gets that deadline as ARGO_DEADLINE: the executor kills its container there.
 */
import { parseGoDuration } from "./duration.ts";

type Obj = Record<string, any>;

export interface Pace {
  /** Seconds from an attempt's node to its container starting (scheduling, a new node, image pull). */
  start: number;
  /** Seconds from an attempt's deadline to the next attempt's node, besides the backoff. */
  latency: number;
}

export interface RetryTimeline {
  /** Attempts that ran. */
  attempts: number;
  /** Why the retries stopped, when the budget stopped them. */
  stoppedBy?: string;
  /** Seconds the last attempt's container had before a deadline killed it: its pod deadline, or the budget's end. */
  lastAttemptSeconds: number;
}

export function retryTimeline(template: Obj, pace: Pace): RetryTimeline {
  const rs = template.retryStrategy;
  const podDeadline: number = template.activeDeadlineSeconds;
  const limit = Number(rs.limit);
  const b = rs.backoff;
  const budgetEnd = b.maxDuration ? parseGoDuration(b.maxDuration) : Infinity;
  let startedAt = 0;
  for (let attempt = 1; ; attempt++) {
    const containerStart = startedAt + pace.start;
    // The first attempt runs without ARGO_DEADLINE; every retry is given the budget's end.
    const finishedAt = Math.min(containerStart + podDeadline, attempt === 1 ? Infinity : budgetEnd);
    const lastAttemptSeconds = finishedAt - containerStart;
    if (attempt > limit) return { attempts: attempt, lastAttemptSeconds };
    if (finishedAt > budgetEnd) return { attempts: attempt, stoppedBy: "Max duration limit exceeded", lastAttemptSeconds };
    let wait = parseGoDuration(b.duration) * Number(b.factor) ** (attempt - 1);
    if (b.cap) wait = Math.min(wait, parseGoDuration(b.cap));
    if (finishedAt + wait > budgetEnd) return { attempts: attempt, stoppedBy: "Backoff would exceed max duration limit", lastAttemptSeconds };
    startedAt = finishedAt + wait + pace.latency;
  }
}
