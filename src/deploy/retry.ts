/**
 * Retries a cloud call on throttling, 5xx and connection faults with exponential backoff and full
 * jitter. The AWS SDK retries too; this wraps whole reconcile steps (e.g. "update then publish") so a
 * fault between two calls is retried at the right granularity, and it is what the Kubernetes client
 * (which does not retry) gets.
 */
export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  isRetryable?: (e: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (e: unknown, attempt: number, delayMs: number) => void;
  /** Adjusts the computed backoff for one failure, e.g. to honour a 429's Retry-After. */
  delayFor?: (e: unknown, computedMs: number) => number;
}

export function isTransient(e: unknown): boolean {
  const err = e as { name?: string; code?: string | number; $metadata?: { httpStatusCode?: number }; statusCode?: number; $retryable?: unknown };
  const status = err?.$metadata?.httpStatusCode ?? err?.statusCode ?? (typeof err?.code === "number" ? err.code : undefined);
  if (status === 429 || (typeof status === "number" && status >= 500)) return true;
  if (err?.$retryable) return true;
  const name = `${err?.name ?? ""} ${typeof err?.code === "string" ? err.code : ""}`;
  return /Throttl|TooManyRequests|RequestLimitExceeded|ServiceUnavailable|InternalServerError|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|socket hang up|TimeoutError/i.test(
    `${name} ${(e as Error)?.message ?? ""}`,
  );
}

export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const base = opts.baseMs ?? 200;
  const max = opts.maxMs ?? 10_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const retryable = opts.isRetryable ?? isTransient;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= attempts || !retryable(e)) throw e;
      const backoff = Math.floor(Math.random() * Math.min(max, base * 2 ** (attempt - 1)));
      const delay = opts.delayFor ? opts.delayFor(e, backoff) : backoff;
      opts.onRetry?.(e, attempt, delay);
      await sleep(delay);
    }
  }
}
