import { join } from "node:path";
import type { StepBody, StepContext } from "../flow/author/types.ts";
import { mapStack } from "../flow/load/stack.ts";
import { packageRoot } from "../util/package-root.ts";
import { LazyLog } from "./logfile.ts";

export interface BodyRun {
  body: StepBody<never>;
  ctx: StepContext;
  stdoutFile: string;
  stderrFile: string;
  /** Also copy the output to the real stdout/stderr (`flowc step` in a container). */
  echo: boolean;
  timeoutSeconds?: number;
}

export type BodyOutcome = { ok: true } | { ok: false; timedOut: boolean; error: string; cause: string };

/**
 * Calls a TypeScript step body in this process, with its console output going to the task's log files.
 * A timeout stops waiting but cannot stop the body: the caller must then end this process (a pool
 * worker is replaced; `flowc step` exits), which also ends whatever the body started.
 */
export async function runBody(r: BodyRun): Promise<BodyOutcome> {
  const restore = captureOutput(r.stdoutFile, r.stderrFile, r.echo);
  const exit = process.exit;
  // A body that calls process.exit would end the task without a record of it: make it a failure.
  process.exit = ((code?: number) => {
    throw new Error(`the step body called process.exit(${code ?? ""}); return (or throw) instead`);
  }) as typeof process.exit;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<"timeout">((res) => {
      if (r.timeoutSeconds) timer = setTimeout(() => res("timeout"), r.timeoutSeconds * 1000);
    });
    const result = await Promise.race([Promise.resolve().then(() => r.body(r.ctx as never)), timeout]);
    if (result === "timeout") return { ok: false, timedOut: true, error: `timed out after ${r.timeoutSeconds}s`, cause: "" };
    return { ok: true };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    const stack = userStack(err);
    process.stderr.write(`${stack}\n`);
    return { ok: false, timedOut: false, error: `${err.name}: ${err.message}`, cause: stack };
  } finally {
    clearTimeout(timer);
    process.exit = exit;
    restore();
  }
}

/**
 * The error's stack in the user's files (the code package's source map), up to flowc's own first
 * frame: from there on it is flowc calling the body (the runtime, the CLI, commander), the same for
 * every failure, saying nothing.
 */
function userStack(err: Error): string {
  const ours = join(packageRoot(), "dist");
  const lines = mapStack(err.stack ?? `${err.name}: ${err.message}`).split("\n");
  const cut = lines.findIndex((l, i) => i > 0 && /^\s+at /.test(l) && (l.includes(ours) || l.includes("/src/runtime/")));
  return (cut < 0 ? lines : lines.slice(0, cut)).join("\n");
}

type Write = typeof process.stdout.write;

/** Sends process.stdout/stderr (and so console.*) to files while a body runs. Returns the undo. */
function captureOutput(stdoutFile: string, stderrFile: string, echo: boolean): () => void {
  const logs = [new LazyLog(stdoutFile), new LazyLog(stderrFile)];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  streams.forEach((s, i) => {
    const orig = originals[i]!.bind(s);
    s.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((e?: Error | null) => void), cb?: (e?: Error | null) => void) => {
      logs[i]!.write(typeof chunk === "string" ? Buffer.from(chunk, typeof encoding === "string" ? encoding : "utf8") : chunk);
      if (echo) return orig(chunk as string, encoding as BufferEncoding, cb);
      const done = typeof encoding === "function" ? encoding : cb;
      done?.();
      return true;
    }) as Write;
  });
  return () => {
    streams.forEach((s, i) => (s.write = originals[i]!));
    for (const l of logs) l.close();
  };
}
