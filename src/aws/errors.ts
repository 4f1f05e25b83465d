/**
 * AWS errors as flowc reads them: by the error's name (the service's error code), never its message.
 */
export interface AwsErrorLike {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

const NOT_FOUND = new Set([
  "StateMachineDoesNotExist",
  "ResourceNotFound",
  "ResourceNotFoundException",
  "NotFound",
  "NoSuchKey",
  "NoSuchEntity",
  "NoSuchEntityException",
  "ExecutionDoesNotExist",
]);

export const errorName = (e: unknown): string => (e as AwsErrorLike)?.name ?? "Error";

export function isNotFound(e: unknown): boolean {
  const err = e as AwsErrorLike;
  return NOT_FOUND.has(err?.name ?? "") || err?.$metadata?.httpStatusCode === 404;
}

/** Someone (or our own lost response) got there first: re-read the live state and plan again. */
export function isConflict(e: unknown): boolean {
  return /AlreadyExists|Conflict|ConcurrentModification|StateMachineDeleting/.test(errorName(e)) || isNotFound(e);
}

export function isAccessDenied(e: unknown): boolean {
  return /AccessDenied|UnauthorizedOperation|NotAuthorized/.test(errorName(e)) || (e as AwsErrorLike)?.$metadata?.httpStatusCode === 403;
}

export function isCredentialsError(e: unknown): boolean {
  return /CredentialsProviderError|ExpiredToken|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch/.test(errorName(e));
}

/** The way out of a credentials error, wherever flowc meets one (deploy, an S3 datastore). */
export const AWS_CREDENTIALS_HINT = "set AWS_PROFILE or pass --profile, or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (in CI: the role your runner assumes)";

export function isUnreachable(e: unknown): boolean {
  const err = e as AwsErrorLike & { code?: string };
  return /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH/.test(`${err?.code ?? ""} ${err?.message ?? ""}`);
}
