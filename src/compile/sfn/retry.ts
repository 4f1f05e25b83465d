import type { StepIR } from "../../flow/ir.ts";
import type { Retrier } from "./asl.ts";

/**
 * Errors the compute API raises when it is busy or briefly down (SubmitJob admits ~50 jobs/s per
 * queue). Step Functions names integration errors `<Service>.<Exception>`: a throttled SubmitJob (HTTP
 * 429, which Batch does not model) surfaces as the SDK's catch-all Batch.AWSBatchException, a 5xx as
 * Batch.ServerException; ECS alike. These retries never use the step's own retry budget.
 */
export const API_ERRORS = {
  batch: ["Batch.AWSBatchException", "Batch.ServerException"],
  ecs: ["ECS.AmazonECSException", "ECS.ServerException"],
} as const;

/** 2, 4, 8, 16, 32, 64 s with full jitter: about two minutes in all, enough to ride out a burst. */
export function apiRetrier(compute: keyof typeof API_ERRORS): Retrier {
  return { ErrorEquals: [...API_ERRORS[compute]], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL" };
}

/**
 * The step's own retry policy over task failures (the container exited non-zero, the job failed), with
 * its real delay and backoff: retries are Step Functions retries, never Batch attempts, so the delay is
 * honoured (Metaflow#678).
 */
export function stepRetrier(step: StepIR): Retrier | undefined {
  const r = step.retry;
  if (r.times <= 0) return undefined;
  return {
    ErrorEquals: r.onTimeout ? ["States.TaskFailed", "States.Timeout"] : ["States.TaskFailed"],
    IntervalSeconds: Math.max(1, Math.ceil(r.backoff.delaySeconds)),
    MaxAttempts: r.times,
    BackoffRate: r.backoff.factor,
    ...(r.backoff.maxDelaySeconds ? { MaxDelaySeconds: Math.ceil(r.backoff.maxDelaySeconds) } : {}),
    JitterStrategy: r.backoff.jitter ? "FULL" : "NONE",
  };
}

/** Helper SDK calls (S3 reads and writes, execution listing): a few quick retries on anything. */
export const sdkRetrier = (): Retrier => ({ ErrorEquals: ["States.ALL"], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "FULL" });
