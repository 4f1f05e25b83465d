/**
 * Expected failures, shared by every layer: a message for the user, an exit code and a hint, printed
 * without a stack trace. Deploy and the runtime throw these; the CLI only prints them. Anything else
 * that reaches the CLI is a bug and is reported as an internal error.
 */

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly hint?: string,
  ) {
    super(message);
  }
}
