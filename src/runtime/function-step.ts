import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { JsonValue, StepIR } from "../flow/ir.ts";
import { createContext } from "./context.ts";
import { runBody } from "./function.ts";
import type { ResolvedInputs } from "./inputs.ts";
import { keys, type TaskId } from "../contract/layout.ts";
import { artifactLoader } from "./loader.ts";
import { hideUndeclaredSecrets, stepBaseEnv } from "./secrets.ts";
import { loadStepBody } from "./spec-loader.ts";
import type { AttemptFiles, Produced, TaskEnv, TaskResult } from "./task-types.ts";

/** A TypeScript step: load its body from the code package, call it with ctx, keep what it set. */
export async function runFunctionStep(
  env: TaskEnv,
  t: TaskId,
  s: StepIR,
  attempt: number,
  resolved: ResolvedInputs,
  item: JsonValue | undefined,
  files: AttemptFiles,
): Promise<{ result: TaskResult; produced?: Produced }> {
  const body = await loadStepBody(env.ds, env.spec.spec, s.name);
  const load = await artifactLoader(env.ds, t.flow, t.runId, resolved.view, resolved.inputs);
  const { ctx, outputs } = createContext({ task: t, step: s, attempt, params: env.params, run: env.context, item, view: resolved.view, inputs: resolved.inputs, load, env: stepBaseEnv(env.spec.spec.flow, s, env.baseEnv) });
  const reveal = hideUndeclaredSecrets(env.spec.spec.flow, s);
  let outcome;
  try {
    outcome = await runBody({ body, ctx, stdoutFile: files.stdoutFile, stderrFile: files.stderrFile, echo: env.echo, ...(s.timeoutSeconds ? { timeoutSeconds: s.timeoutSeconds } : {}) });
  } finally {
    reveal();
  }
  if (!outcome.ok) return { result: { status: outcome.timedOut ? "timeout" : "failed", error: outcome.error, cause: outcome.cause, durationMs: 0, ...(outcome.timedOut ? { tainted: true } : {}) } };
  const kind = s.transition.kind;
  if (kind === "foreach" && !outputs.foreach) return { result: { status: "failed", error: `foreach step \`${s.name}\` did not call ctx.foreach(items)`, durationMs: 0 } };
  if (kind === "switch" && outputs.choice === undefined) return { result: { status: "failed", error: `switch step \`${s.name}\` did not call ctx.choose(case)`, durationMs: 0 } };
  const names = [...outputs.values.keys()].sort();
  // Outputs need no atomic write: nothing reads them before done.json names them.
  if (env.ds.localPath)
    for (const name of names) {
      const file = join(files.outputsDir, ...name.split("/"));
      if (name.includes("/")) mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, outputs.values.get(name)!.bytes);
    }
  else await Promise.all(names.map((name) => env.ds.write(`${keys.outputs(t, attempt)}/${name}`, outputs.values.get(name)!.bytes)));
  const encodings = Object.fromEntries(names.map((n) => [n, outputs.values.get(n)!.enc]));
  return {
    result: { status: "succeeded", durationMs: 0 },
    produced: { artifacts: names, encodings, ...(outputs.foreach ? { foreach: outputs.foreach } : {}), ...(outputs.choice !== undefined ? { choice: outputs.choice } : {}) },
  };
}
