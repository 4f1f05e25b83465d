import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileSfn } from "../../../src/compile/sfn/index.ts";
import type { CompileResult } from "../../../src/compile/types.ts";
import { loadConfig, resolveEnv } from "../../../src/config/load.ts";
import type { EnvConfig } from "../../../src/config/types.ts";
import { loadYamlFlow } from "../../../src/flow/load/yaml.ts";
import { isValid, readFlow } from "../../../src/flow/read.ts";
import { buildSpec } from "../../../src/flow/spec.ts";
import { validateFlow } from "../../../src/flow/validate/index.ts";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const FIXTURES = join(REPO, "test/fixtures/sfn");
export const CONFIG = join(FIXTURES, "flowc.config.yaml");
/** Goldens must not move when flowc's version does. */
export const TEST_VERSION = "0.0.0-test";

export const EXAMPLES = readdirSync(join(REPO, "examples"))
  .filter((f) => /\.(ya?ml|ts)$/.test(f))
  .sort()
  .map((f) => join(REPO, "examples", f));

const envs = new Map<string, EnvConfig>();
/** An environment of test/fixtures/sfn/flowc.config.yaml (read once per name: tests may not change it). */
export function testEnv(name = "prod"): EnvConfig {
  const cached = envs.get(name);
  if (cached) return structuredClone(cached);
  const r = resolveEnv(loadConfig(CONFIG), name);
  if (!r.env) throw new Error(JSON.stringify(r.diagnostics));
  envs.set(name, r.env);
  return structuredClone(r.env);
}

export async function compileFile(file: string, env: EnvConfig = testEnv()): Promise<CompileResult> {
  const read = await readFlow(file);
  if (!isValid(read)) throw new Error(`${file}: ${JSON.stringify(read.diagnostics)}`);
  return compileSfn({ ir: read.ir, graph: read.graph, env, spec: buildSpec(read.ir, read.loaded.package?.sha256), flowcVersion: TEST_VERSION });
}

export function compileText(text: string, env: EnvConfig = testEnv()): CompileResult {
  const v = validateFlow(loadYamlFlow("flow.yaml", text));
  if (!v.ir || !v.graph || v.diagnostics.some((d) => d.severity === "error")) throw new Error(`invalid flow: ${JSON.stringify(v.diagnostics)}\n${text}`);
  return compileSfn({ ir: v.ir, graph: v.graph, env, spec: buildSpec(v.ir), flowcVersion: TEST_VERSION });
}

export const file = (r: CompileResult, suffix: string) => r.files.find((f) => f.name.endsWith(suffix));
export const asl = (r: CompileResult) => JSON.parse(file(r, ".asl.json")!.content);
