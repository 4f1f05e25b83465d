import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonValue, StepIR } from "../flow/ir.ts";
import { runCommand } from "./container.ts";
import { uploadFiles } from "../datastore/upload.ts";
import type { ResolvedInputs } from "./inputs.ts";
import { keys, type TaskId } from "../contract/layout.ts";
import { materializeInputs } from "./materialize.ts";
import { collectOutputs } from "./outputs.ts";
import { COMMAND_ENV, envText, paramEnvName, PER_TASK_PREFIXES } from "../contract/env.ts";
import type { AttemptFiles, Produced, TaskEnv, TaskResult } from "./task-types.ts";
import { stepBaseEnv } from "./secrets.ts";

/** A container step: lay out FLOWC_INPUT_DIR, run the command, read FLOWC_OUTPUT_DIR. */
export async function runCommandStep(
  env: TaskEnv,
  t: TaskId,
  s: StepIR,
  attempt: number,
  resolved: ResolvedInputs,
  item: JsonValue | undefined,
  files: AttemptFiles,
): Promise<{ result: TaskResult; produced?: Produced }> {
  const input = inputDir();
  let outcome;
  try {
    await materializeInputs(env.ds, t.flow, t.runId, resolved, input.dir);
    const command = s.action.kind === "command" ? s.action.command : [];
    outcome = await runCommand({
      command,
      env: commandEnv(env, t, s, attempt, item, input.dir, files.outputsDir),
      cwd: env.cwd,
      stdoutFile: files.stdoutFile,
      stderrFile: files.stderrFile,
      echo: env.echo,
      ...(s.timeoutSeconds ? { timeoutSeconds: s.timeoutSeconds } : {}),
    });
  } finally {
    input.release();
  }
  if (outcome.timedOut) return { result: { status: "timeout", error: `timed out after ${s.timeoutSeconds}s: killed the command and its process group`, durationMs: 0 } };
  if (outcome.spawnError) return { result: { status: "failed", error: outcome.spawnError, durationMs: 0 } };
  if (outcome.exitCode !== 0) return { result: { status: "failed", error: outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.exitCode}`, durationMs: 0 } };
  const out = await collectOutputs(files.outputsDir, s);
  if (!env.ds.localPath) await uploadFiles(env.ds, out.artifacts.map((name) => [`${keys.outputs(t, attempt)}/${name}`, join(files.outputsDir, ...name.split("/"))]));
  return { result: { status: "succeeded", durationMs: 0 }, produced: { artifacts: out.artifacts, ...(out.foreach ? { foreach: out.foreach } : {}), ...(out.choice ? { choice: out.choice } : {}) } };
}

/** The container step contract (docs/step-contract.md). */
export function commandEnv(env: TaskEnv, t: TaskId, s: StepIR, attempt: number, item: JsonValue | undefined, inputDir: string, outputDir: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  // Values of an enclosing task (flowc run inside a step) must not leak into this one, nor secrets
  // the step does not declare.
  for (const [k, v] of Object.entries(stepBaseEnv(env.spec.spec.flow, s, env.baseEnv))) if (!PER_TASK_PREFIXES.some((p) => k.startsWith(p))) out[k] = v;
  Object.assign(out, s.env, {
    [COMMAND_ENV.runId]: t.runId,
    [COMMAND_ENV.flow]: t.flow,
    [COMMAND_ENV.step]: t.step,
    [COMMAND_ENV.index]: t.index,
    [COMMAND_ENV.attempt]: String(attempt),
    [COMMAND_ENV.inputDir]: inputDir,
    [COMMAND_ENV.outputDir]: outputDir,
    [COMMAND_ENV.params]: JSON.stringify(env.params),
    [COMMAND_ENV.scheduledTime]: env.context.scheduledTime,
    [COMMAND_ENV.trigger]: env.context.trigger,
  });
  if (env.context.upstream) {
    out[COMMAND_ENV.upstreamFlow] = env.context.upstream.flow;
    out[COMMAND_ENV.upstreamRunId] = env.context.upstream.runId;
  }
  for (const [name, v] of Object.entries(env.params)) out[paramEnvName(name)] = envText(v);
  if (item !== undefined) {
    out[COMMAND_ENV.item] = envText(item);
    out[COMMAND_ENV.itemJson] = JSON.stringify(item);
  }
  return out;
}

let scratchRoot: string | undefined;
let inputDirBusy = false;

/**
 * FLOWC_INPUT_DIR, empty, and its release. One folder per process, emptied between tasks, instead of a
 * new temp folder per task: creating and deleting folders was a good part of a command step's
 * overhead on a busy disk. (A second task running at the same time in this process gets its own.)
 */
function inputDir(): { dir: string; release: () => void } {
  if (inputDirBusy) {
    const dir = mkdtempSync(join(tmpdir(), "flowc-input-"));
    return { dir, release: () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (!scratchRoot) {
    scratchRoot = mkdtempSync(join(tmpdir(), "flowc-inputs-"));
    const root = scratchRoot;
    process.once("exit", () => rmSync(root, { recursive: true, force: true }));
  }
  const dir = join(scratchRoot, "input");
  let entries: string[] | undefined;
  try {
    entries = readdirSync(dir);
  } catch {
    entries = undefined;
  }
  if (entries?.length) rmSync(dir, { recursive: true, force: true });
  if (!entries || entries.length > 0) mkdirSync(dir);
  inputDirBusy = true;
  return { dir, release: () => void (inputDirBusy = false) };
}
