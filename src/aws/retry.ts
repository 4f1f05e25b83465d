import { awsTestHook } from "./testing.ts";

/**
 * The SDK retry strategy flowc's clients use: like the SDK's standard one (throttling, transient and
 * 5xx errors, exponential backoff with full jitter) but with no shared retry quota, so a long
 * reconcile that meets a burst of throttling keeps retrying each call, and with a backoff base tests
 * can shrink. Structural types: the interface lives in @smithy/types, which flowc does not depend on.
 */
interface Token {
  getRetryCount(): number;
  getRetryDelay(): number;
}
type ErrorType = "TRANSIENT" | "THROTTLING" | "SERVER_ERROR" | "CLIENT_ERROR";

const token = (count: number, delay: number): Token => ({ getRetryCount: () => count, getRetryDelay: () => delay });

export const DEFAULT_MAX_ATTEMPTS = 5;

export class FlowcRetryStrategy {
  readonly mode = "standard";
  constructor(
    private readonly maxAttempts = DEFAULT_MAX_ATTEMPTS,
    private readonly baseMs = 100,
    private readonly maxDelayMs = 20_000,
  ) {}

  async acquireInitialRetryToken(_scope: string): Promise<Token> {
    return token(0, 0);
  }

  async refreshRetryTokenForRetry(previous: Token, info: { errorType: ErrorType }): Promise<Token> {
    const count = previous.getRetryCount();
    if (info.errorType === "CLIENT_ERROR" || count + 1 >= this.maxAttempts) throw new Error("No retry token available");
    const base = awsTestHook()?.retryBaseMs ?? (info.errorType === "THROTTLING" ? this.baseMs * 5 : this.baseMs);
    return token(count + 1, Math.floor(Math.random() * Math.min(this.maxDelayMs, base * 2 ** count)));
  }

  recordSuccess(_token: Token): void {}
}
