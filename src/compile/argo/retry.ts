import type { StepIR } from "../../flow/ir.ts";
import { goDuration } from "./duration.ts";
import type { RetryStrategy } from "./types.ts";

/**
 * What an attempt may spend before its pod deadline starts counting: waiting for a node (a cluster
 * autoscaler adding one takes minutes) and being placed on it. Argo counts `maxDuration` from the
 * first attempt's node, which exists before its pod is scheduled.
 */
export const ATTEMPT_START_ALLOWANCE_SECONDS = 600;
/**
 * Between an attempt's deadline and the next attempt's node, besides the backoff delay: the kubelet
 * killing the container (30 s grace), the controller seeing the pod fail, and its requeue.
 */
export const RETRY_LATENCY_SECONDS = 60;

/**
 * A step's retry as Argo's retryStrategy, or undefined when the step runs once. `podDeadline` is the
 * template's activeDeadlineSeconds (the step's timeout, plus the grace a caught step gets).
 *
 * - `limit` counts retries after the first attempt, like the flow's `times`.
 * - `retryPolicy: Always` retries failed and errored pods alike (the flow does not tell them apart).
 * - The flow's maximum delay is Argo's `cap`.
 * - Argo's `maxDuration` is not a delay limit but a budget for the whole step, counted from the first
 *   attempt's node, and the controller makes its end a hard deadline of every retry (ARGO_DEADLINE: the
 *   executor kills the container there, whatever the pod's own deadline). So it is set only when the
 *   step has a timeout, to what every attempt may take at most, start and kill included, plus every
 *   delay with the controller's latency:
 *
 *     (times + 1) × (ATTEMPT_START_ALLOWANCE + podDeadline) + Σ (delay + RETRY_LATENCY)
 *
 *   Then however the earlier attempts went (each ended by its deadline at the latest), the last one
 *   still has its start allowance and its whole pod deadline before the budget ends: a caught step
 *   gets to write failed.json. The allowance is pooled: only attempts that together waited more than
 *   (times + 1) × 10 min for a node can eat into the last one's time. docs/argo-mapping.md.
 * - Timed-out attempts are retried only when the flow says `onTimeout: true`; a timeout shows in the
 *   attempt's message (Kubernetes: "...longer than the specified deadline"; Argo: "...exceeded its deadline").
 * - Argo has no jitter; a flow's `jitter: true` is ignored here (docs/argo-mapping.md).
 */
export function retryStrategy(step: StepIR, podDeadline: number | undefined): RetryStrategy | undefined {
  const { times, backoff, onTimeout } = step.retry;
  if (times <= 0) return undefined;
  const delays = Array.from({ length: times }, (_, k) => Math.min(backoff.delaySeconds * backoff.factor ** k, backoff.maxDelaySeconds ?? Infinity));
  const budget = podDeadline ? (times + 1) * (ATTEMPT_START_ALLOWANCE_SECONDS + podDeadline) + delays.reduce((a, d) => a + d + RETRY_LATENCY_SECONDS, 0) : undefined;
  return {
    limit: times,
    retryPolicy: "Always",
    ...(step.timeoutSeconds && !onTimeout ? { expression: '!(lastRetry.message contains "deadline")' } : {}),
    backoff: {
      duration: goDuration(backoff.delaySeconds),
      // IntOrString: Argo parses the string form as a float.
      factor: Number.isInteger(backoff.factor) ? backoff.factor : String(backoff.factor),
      ...(backoff.maxDelaySeconds !== undefined ? { cap: goDuration(backoff.maxDelaySeconds) } : {}),
      ...(budget !== undefined ? { maxDuration: goDuration(Math.ceil(budget)) } : {}),
    },
  };
}
