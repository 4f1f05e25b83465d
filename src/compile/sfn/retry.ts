import type { StepIR } from "../../flow/ir.ts";
import type { Retrier } from "./asl.ts";

/**
 * Errors the compute API raises when it is busy or briefly down. Batch admits 50 SubmitJob calls per
 * second per account (a fixed quota, shared by every flow of the account) and answers more with HTTP
 * 429 TooManyRequestsException; Step Functions names integration errors `<Service>.<Exception>`, and
 * a 429 that the SDK does not model surfaces as its catch-all Batch.AWSBatchException, so both names
 * are listed, and ServerException (5xx). ECS alike (RunTask throttles with ThrottlingException). These
 * retries never use the step's own retry budget.
 */
export const API_ERRORS = {
  batch: ["Batch.TooManyRequestsException", "Batch.AWSBatchException", "Batch.ServerException"],
  ecs: ["ECS.ThrottlingException", "ECS.AmazonECSException", "ECS.ServerException"],
} as const;

/**
 * 2, 4, 8, 16, 32 s, then 60 s at most, 30 attempts with full jitter: up to 26 minutes (about 13
 * expected) before the step fails. A foreach's first burst of submissions queues behind the account's
 * 50 SubmitJob/s: 10,000 items in flight (a nested foreach at the default concurrency) take 200 s to
 * submit even with the quota to themselves, far more than two minutes
 * (docs/sfn-mapping.md, "A very wide foreach").
 */
export function apiRetrier(compute: keyof typeof API_ERRORS): Retrier {
  return { ErrorEquals: [...API_ERRORS[compute]], IntervalSeconds: 2, MaxAttempts: 30, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: "FULL" };
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
