/**
 * A test-only seam in every AWS client flowc makes: tests (and nothing else) install a hook that sees
 * each HTTP attempt and may inject a fault at it, to prove that deploys survive throttling, connection
 * resets and a process killed midway. Production code never sets it; with no hook it costs one check.
 */
export type Fault =
  /** The service answers 400 ThrottlingException: the SDK backs off and retries. */
  | "throttle"
  /** The service fails with HTTP 500 InternalServerError (its work not done): retried. */
  | "server"
  /** The connection resets before the request reaches the service: retried. */
  | "reset"
  /** The service does the work, then the connection resets before the answer arrives: retried. */
  | "lost"
  /** The process "dies" here: a non-retryable error that ends the command. */
  | "crash";

export interface AwsCall {
  service: string;
  operation: string;
  write: boolean;
  /** 1-based position among all attempts of this process since the hook was installed. */
  seq: number;
}

export interface AwsTestHook {
  /** Called before each attempt (retries included); returns the fault to inject there, if any. */
  beforeCall?(call: AwsCall): Fault | undefined;
  /** Base of the SDK's retry backoff, so fault tests do not sleep for seconds. */
  retryBaseMs?: number;
}

let current: AwsTestHook | undefined;
let seq = 0;

export function setAwsTestHook(hook: AwsTestHook | undefined): void {
  current = hook;
  seq = 0;
}

export const awsTestHook = (): AwsTestHook | undefined => current;
export const nextSeq = (): number => ++seq;

/** The error thrown for an injected crash: not transient, so nothing retries it. */
export class InjectedCrash extends Error {
  override name = "InjectedCrash";
  constructor(call: AwsCall) {
    super(`injected crash at call ${call.seq} (${call.service}:${call.operation})`);
  }
}

export function faultError(fault: Exclude<Fault, "crash">, call: AwsCall): Error {
  if (fault === "throttle")
    return Object.assign(new Error(`Rate exceeded (injected at call ${call.seq})`), { name: "ThrottlingException", $fault: "client", $metadata: { httpStatusCode: 400 } });
  if (fault === "server")
    return Object.assign(new Error(`Internal failure (injected at call ${call.seq})`), { name: "InternalServerError", $fault: "server", $metadata: { httpStatusCode: 500 } });
  return Object.assign(new Error(`socket hang up (injected at call ${call.seq})`), { name: "Error", code: "ECONNRESET", $metadata: {} });
}
