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

/** The CLI's name for the shared expected-failure type (src/errors.ts). */
export { EXIT, UserError as CliError } from "../errors.ts";
