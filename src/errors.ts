/**
 * Expected failures, shared by every layer: a stable code (CI matches on it), a message for the user,
 * an exit code and a hint, printed as `flowc: error CODE: message` + `hint: …` without a stack trace.
 * Deploy, the datastores and the runtime throw these; the CLI only prints them. Anything else that
 * reaches the CLI is a bug and is reported as an internal error.
 */

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UserError extends Error {
  /** A stable code: an UPPER_SNAKE name; USAGE / FAILED when the thrower named none. */
  readonly code: string;

  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly hint?: string,
    code?: string,
  ) {
    super(message);
    this.code = code ?? (exitCode === EXIT.usage ? "USAGE" : "FAILED");
  }
}

/** The same error with another exit code (diff's 2 for "could not tell", …). */
export const withExitCode = (e: UserError, exitCode: number): UserError => (e.exitCode === exitCode ? e : new UserError(e.message, exitCode, e.hint, e.code));
