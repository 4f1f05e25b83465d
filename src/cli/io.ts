/** Everything a command touches of the outside world, so tests can drive the CLI in-process. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (live progress, colour). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

let pipeHandled = false;

export const processIo = (): Io => {
  // `flowc runs | head`: the reader is gone, so the output is no longer wanted; that is not a failure.
  if (!pipeHandled)
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
      process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
    });
  pipeHandled = true;
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTTY: !!process.stdout.isTTY,
    env: process.env,
    cwd: process.cwd(),
  };
};

/** The CLI's name for the shared expected-failure type (src/errors.ts). */
export { EXIT, UserError as CliError } from "../errors.ts";
