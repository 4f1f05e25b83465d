// Shared by the runtime suites: the CLI as a subprocess (flowc run forks workers from bin/flowc, so
// the tests drive the built CLI, as users do), temp folders, and reading a datastore back.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/flowc");
export const FIXTURES = join(import.meta.dirname, "fixtures");
export const EXAMPLES = join(ROOT, "examples");

/** `npm test` builds first; a bare `vitest run test/runtime` rebuilds dist/ when src/ is newer. */
export function ensureBuilt(): void {
  const dist = join(ROOT, "dist/cli.js");
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, d) => {
      const p = join(dir, d.name);
      return Math.max(m, d.isDirectory() ? newest(p) : d.name.endsWith(".ts") ? statSync(p).mtimeMs : 0);
    }, 0);
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest(join(ROOT, "src"))) return;
  // Test files run in parallel processes: one builds, the others wait for it.
  const lock = join(ROOT, "dist.build-lock");
  for (let i = 0; i < 600; i++) {
    try {
      mkdirSync(lock);
    } catch {
      spawnSync("sleep", ["0.1"]);
      continue;
    }
    try {
      if (!existsSync(dist) || statSync(dist).mtimeMs < newest(join(ROOT, "src"))) {
        const r = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: ROOT, encoding: "utf8" });
        if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
      }
    } finally {
      rmdirSync(lock);
    }
    return;
  }
  throw new Error("timed out waiting for another test process to build dist/");
}

export function tempDir(prefix = "flowc-rt-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs bin/flowc to completion. */
export function flowc(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult> {
  const { child, result } = startFlowc(args, opts);
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  return result.finally(() => clearTimeout(timer));
}

export function startFlowc(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): { child: ChildProcess; result: Promise<CliResult> } {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: { ...process.env, NO_COLOR: "1", ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  const result = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })));
  return { child, result };
}

/** The run id `flowc run` printed in its summary. */
export function runIdOf(r: CliResult): string {
  const m = /run (\S+) of flow/.exec(r.stdout);
  if (!m) throw new Error(`no run id in:\n${r.stdout}\n${r.stderr}`);
  return m[1]!;
}

/** Reads a run's task files in a local datastore. */
export function localRun(datastore: string, flow: string, runId: string) {
  const base = join(datastore, flow, runId);
  const taskDir = (step: string, index = "") => join(base, step, index === "" ? "_" : index);
  const done = (step: string, index = "") => {
    const p = join(taskDir(step, index), "done.json");
    return existsSync(p) ? (JSON.parse(readFileSync(p, "utf8")) as { attempt: number; artifacts: string[]; inherited: Record<string, { at: string }> }) : undefined;
  };
  return {
    base,
    taskDir,
    done,
    /** The raw text of an artifact the task produced (through its done.json). */
    artifact(step: string, name: string, index = ""): string {
      const d = done(step, index);
      if (!d) throw new Error(`${step}[${index}] has no done.json`);
      return readFileSync(join(taskDir(step, index), `attempt-${d.attempt}`, "outputs", ...name.split("/")), "utf8");
    },
    stdout(step: string, index = ""): string {
      const d = done(step, index);
      return readFileSync(join(taskDir(step, index), `attempt-${d?.attempt ?? 0}`, "stdout"), "utf8");
    },
    meta(step: string, index: string, attempt: number) {
      return JSON.parse(readFileSync(join(taskDir(step, index), `attempt-${attempt}`, "meta.json"), "utf8")) as { status: string; startedAt: string; finishedAt: string; error?: string };
    },
    indexes(step: string): string[] {
      const dir = join(base, step);
      return existsSync(dir) ? readdirSync(dir) : [];
    },
  };
}

/** Whether a process is gone (a zombie counts as gone: it runs nothing and holds nothing). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}
