import { spawn } from "node:child_process";
import { LazyLog } from "./logfile.ts";

export interface CommandRun {
  command: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Local files that receive the command's output (created only if there is some). */
  stdoutFile: string;
  stderrFile: string;
  /** Also copy the output to this process's stdout/stderr (`flowc step` in a container: the platform's log). */
  echo: boolean;
  timeoutSeconds?: number;
}

export interface CommandOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The command could not start (not found, not executable). */
  spawnError?: string;
}

/** SIGTERM first, so a step can clean up; SIGKILL this long after. */
export const KILL_GRACE_MS = 2000;

/** Process groups of running commands, so a worker that is told to stop can take them with it. */
const activeGroups = new Set<number>();

export function killActiveCommands(signal: NodeJS.Signals = "SIGKILL"): void {
  for (const pgid of activeGroups) killGroup(pgid, signal);
}

/**
 * Runs a container step's command on this machine. It gets its own process group (detached), so a
 * timeout kills the command and everything it started, grandchildren included; anything still in the
 * group when the command exits is killed too, as it would be when a container stops.
 */
export function runCommand(r: CommandRun): Promise<CommandOutcome> {
  return new Promise((resolvePromise) => {
    const [file, ...args] = r.command;
    if (!file) return resolvePromise({ exitCode: null, signal: null, timedOut: false, spawnError: "the command is empty" });
    // Pipes, not files: a log file is created only when the command prints something.
    const child = spawn(file, args, { cwd: r.cwd, env: r.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const pgid = child.pid;
    if (pgid) activeGroups.add(pgid);
    const logs = [new LazyLog(r.stdoutFile), new LazyLog(r.stderrFile)] as const;
    child.stdout!.on("data", (b: Buffer) => {
      logs[0].write(b);
      if (r.echo) process.stdout.write(b);
    });
    child.stderr!.on("data", (b: Buffer) => {
      logs[1].write(b);
      if (r.echo) process.stderr.write(b);
    });
    // 'close' comes after 'exit', once both pipes are drained into the logs.
    const drained = new Promise<void>((res) => child.once("close", () => res()));

    let timedOut = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const timer =
      r.timeoutSeconds && pgid
        ? setTimeout(() => {
            timedOut = true;
            killGroup(pgid, "SIGTERM");
            graceTimer = setTimeout(() => killGroup(pgid, "SIGKILL"), KILL_GRACE_MS);
          }, r.timeoutSeconds * 1000)
        : undefined;

    let settled = false;
    const finish = (o: CommandOutcome, fromExit: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(graceTimer);
      if (pgid) {
        activeGroups.delete(pgid);
        // Whatever is left in the group (background jobs, a grandchild that ignored SIGTERM) goes now.
        killGroup(pgid, "SIGKILL");
      }
      const done = () => {
        for (const l of logs) l.close();
        resolvePromise({ ...o, timedOut });
      };
      if (fromExit) void drained.then(done);
      else done();
    };
    child.once("error", (e: NodeJS.ErrnoException) =>
      finish({ exitCode: null, signal: null, timedOut, spawnError: e.code === "ENOENT" ? `command not found: ${file}` : `cannot run ${file}: ${e.message}` }, false),
    );
    child.once("exit", (code, signal) => {
      // A process that left the group (setsid) could hold the pipes open forever: stop waiting.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, KILL_GRACE_MS).unref();
      finish({ exitCode: code, signal, timedOut }, true);
    });
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}
