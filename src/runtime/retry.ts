import type { RetryIR } from "../flow/ir.ts";
import type { TaskResult } from "./executor.ts";

/**
 * The wait before retry number `n` (0 for the first retry): delay × factor^n, capped at the maximum.
 * With jitter, a uniform random wait between 0 and that (Step Functions' "FULL" jitter strategy), so
 * that many failing items do not retry in lockstep.
 */
export function backoffMs(retry: RetryIR, n: number, random: () => number = Math.random): number {
  const { delaySeconds, factor, maxDelaySeconds, jitter } = retry.backoff;
  let seconds = delaySeconds * factor ** n;
  if (maxDelaySeconds !== undefined) seconds = Math.min(seconds, maxDelaySeconds);
  const ms = seconds * 1000;
  return Math.round(jitter ? random() * ms : ms);
}

/** Whether a failed attempt gets another try: retries left, and a timeout only when the flow says so. */
export function shouldRetry(retry: RetryIR, retriesSoFar: number, result: TaskResult): boolean {
  if (retriesSoFar >= retry.times) return false;
  return result.status !== "timeout" || retry.onTimeout;
}
