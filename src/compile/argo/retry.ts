import type { StepIR } from "../../flow/ir.ts";
import { goDuration } from "./duration.ts";
import type { RetryStrategy } from "./types.ts";

/**
 * A step's retry as Argo's retryStrategy, or undefined when the step runs once.
 *
 * - `limit` counts retries after the first attempt, like the flow's `times`.
 * - `retryPolicy: Always` retries failed and errored pods alike (the flow does not tell them apart).
 * - The flow's maximum delay is Argo's `cap`. Argo's `maxDuration` is different: a budget for the whole
 *   step since its first attempt. flowc sets it only when the step has a timeout, to the most the
 *   attempts and delays can take, so it never cuts a retry short but stops a step that cannot finish.
 * - Timed-out attempts are retried only when the flow says `onTimeout: true`; a timeout shows in the
 *   attempt's message (Kubernetes: "...longer than the specified deadline"; Argo: "...exceeded its deadline").
 * - Argo has no jitter; a flow's `jitter: true` is ignored here (docs/argo-mapping.md).
 */
export function retryStrategy(step: StepIR): RetryStrategy | undefined {
  const { times, backoff, onTimeout } = step.retry;
  if (times <= 0) return undefined;
  const delays = Array.from({ length: times }, (_, k) => Math.min(backoff.delaySeconds * backoff.factor ** k, backoff.maxDelaySeconds ?? Infinity));
  const budget = step.timeoutSeconds ? (times + 1) * step.timeoutSeconds + delays.reduce((a, b) => a + b, 0) : undefined;
  return {
    limit: times,
    retryPolicy: "Always",
    ...(step.timeoutSeconds && !onTimeout ? { expression: '!(lastRetry.message contains "deadline")' } : {}),
    backoff: {
      duration: goDuration(backoff.delaySeconds),
      // IntOrString: Argo parses the string form as a float.
      factor: Number.isInteger(backoff.factor) ? backoff.factor : String(backoff.factor),
      ...(backoff.maxDelaySeconds !== undefined ? { cap: goDuration(backoff.maxDelaySeconds) } : {}),
      ...(budget !== undefined ? { maxDuration: goDuration(budget) } : {}),
    },
  };
}
