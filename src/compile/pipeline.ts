import { dirname, relative, resolve, sep } from "node:path";
import { loadConfig, resolveEnv, DEFAULT_CONFIG_FILE, type LoadedConfig } from "../config/load.ts";
import type { EnvConfig } from "../config/types.ts";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.ts";
import { makeDiagnostic } from "../flow/load/source.ts";
import { readFlow, isValid, type ValidFlow } from "../flow/read.ts";
import { buildSpec } from "../flow/spec.ts";
import { policyDiagnostics } from "../policy/index.ts";
import { FLOWC_VERSION } from "../version.ts";
import { TARGETS } from "./targets.ts";
import { resolveSecrets } from "./secrets.ts";
import type { CompileProblem, CompileResult, TargetName } from "./types.ts";

export interface CompiledFlow {
  flow: ValidFlow;
  env: EnvConfig;
  result: CompileResult;
}

/**
 * What a valid flow must satisfy in one environment, whatever the target: its secrets' `ref`s exist
 * in the environment's `secrets`, and the environment's policy holds. `flowc validate --env` reports
 * exactly these; compile, diff and deploy check them before compiling.
 */
export function envDiagnostics(flow: ValidFlow, config: LoadedConfig, env: EnvConfig): Diagnostic[] {
  const problems: CompileProblem[] = [];
  const reported = new Set<string>();
  for (const step of flow.ir.steps) resolveSecrets(step, env, undefined, problems, reported);
  return [...problems.map((p) => makeDiagnostic(flow.loaded, { ...p, severity: p.severity ?? "error" })), ...policyDiagnostics(flow, config, env)];
}

/**
 * read → validate → resolve the environment → compile, collecting diagnostics from every stage in the
 * user's own files. Used by compile, diff and deploy so they all see the same bundle.
 */
export async function compileFlowFile(
  file: string,
  opts: { target: TargetName; env: string; config?: string; cwd?: string },
): Promise<{ compiled?: CompiledFlow; diagnostics: Diagnostic[]; sources: Map<string, string> }> {
  const read = await readFlow(file);
  const sources = new Map([[read.loaded.file, read.loaded.text]]);
  const configFile = resolve(opts.cwd ?? process.cwd(), opts.config ?? DEFAULT_CONFIG_FILE);
  // Diagnostics name the file as the user would: relative to where they ran flowc.
  const config = loadConfig(relative(process.cwd(), configFile) || configFile);
  sources.set(config.file, config.text);
  const resolved = resolveEnv(config, opts.env);
  const diagnostics = [...read.diagnostics, ...resolved.diagnostics];
  if (!isValid(read) || !resolved.env || hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics), sources };
  // The environment's policy before anything is compiled: a violation stops compile, diff and deploy alike.
  diagnostics.push(...envDiagnostics(read, config, resolved.env));
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics), sources };

  const spec = buildSpec(read.ir, read.loaded.package?.sha256);
  // Messages (notifications) name the flow file as the repository does: relative to the configuration's folder.
  const source = relative(dirname(configFile), resolve(opts.cwd ?? process.cwd(), file)).split(sep).join("/");
  const result = TARGETS[opts.target]({ ir: read.ir, graph: read.graph, env: resolved.env, spec, flowcVersion: FLOWC_VERSION, source });
  diagnostics.push(...result.problems.map((p) => makeDiagnostic(read.loaded, { ...p, severity: p.severity ?? "error" })));
  return { compiled: { flow: read, env: resolved.env, result }, diagnostics: sortDiagnostics(diagnostics), sources };
}
