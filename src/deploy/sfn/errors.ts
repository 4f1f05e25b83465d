import { AWS_CREDENTIALS_HINT, errorName, isAccessDenied, isCredentialsError, isUnreachable, type AwsErrorLike } from "../../aws/errors.ts";

/**
 * Expected failures of the sfn target: a stable code (CI matches on it), what happened, what to do.
 * The CLI prints them as `flowc: error CODE: message` + hint, with no stack trace.
 */
export type SfnErrorCode =
  | "DEPLOY_REFUSED"
  | "DEPLOY_PRECONDITION"
  | "AWS_ACCOUNT_MISMATCH"
  | "AWS_CREDENTIALS"
  | "AWS_ACCESS_DENIED"
  | "AWS_ERROR"
  | "NOT_DEPLOYED"
  | "PROMOTE_REFUSED"
  | "ROLLBACK_REFUSED"
  | "PARAM_INVALID"
  | "RUN_UNKNOWN"
  | "RUN_ELSEWHERE"
  | "RUN_NOT_RESUMABLE";

export class SfnError extends Error {
  constructor(
    readonly code: SfnErrorCode,
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const SERVICE = { sfn: "Step Functions", scheduler: "EventBridge Scheduler", events: "EventBridge", s3: "S3", sts: "STS", iam: "IAM", batch: "AWS Batch" } as Record<string, string>;

/** An SDK error as a person should read it: which call, the service's error code and message, and a way out. */
export function explainAwsError(e: unknown): SfnError | undefined {
  if (e instanceof SfnError) return e;
  const err = e as AwsErrorLike & { $flowcCall?: string; $metadata?: unknown };
  const call = err?.$flowcCall;
  if (!call && !isCredentialsError(e)) return undefined;
  const [service, operation] = (call ?? "sts:call").split(":");
  const where = `${SERVICE[service!] ?? service} ${operation}`;
  const what = `${where} failed: ${errorName(e)}: ${err.message ?? ""}`.trim();
  if (isCredentialsError(e))
    return new SfnError("AWS_CREDENTIALS", `no usable AWS credentials: ${err.message}`, AWS_CREDENTIALS_HINT, { cause: e });
  if (isAccessDenied(e)) return new SfnError("AWS_ACCESS_DENIED", what, "the credentials in use lack this permission: see docs/deploy-sfn.md, \"Permissions\"", { cause: e });
  if (isUnreachable(e))
    return new SfnError("AWS_ERROR", `${where}: cannot reach the service (${err.message})`, "check --endpoint / AWS_ENDPOINT_URL and the network; flowc retried with backoff before giving up", { cause: e });
  return new SfnError("AWS_ERROR", what, "a retry will resume where this stopped: flowc deploy is safe to rerun", { cause: e });
}
