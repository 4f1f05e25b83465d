/** Everything a command touches of the outside world, so tests can drive the CLI in-process. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (live progress, colour). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const processIo = (): Io => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTTY: !!process.stdout.isTTY,
  env: process.env,
  cwd: process.cwd(),
});

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** An expected failure with a message for the user and an exit code (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failed,
    readonly hint?: string,
  ) {
    super(message);
  }
}
