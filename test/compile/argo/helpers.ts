import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { compileArgo } from "../../../src/compile/argo/index.ts";
import { compileFlowFile } from "../../../src/compile/pipeline.ts";
import type { CompileResult } from "../../../src/compile/types.ts";
import { readTemplates } from "../../../src/config/load.ts";
import type { EnvConfig } from "../../../src/config/types.ts";
import { loadYamlFlow } from "../../../src/flow/load/yaml.ts";
import { buildSpec } from "../../../src/flow/spec.ts";
import { validateFlow } from "../../../src/flow/validate/index.ts";
import type { FlowIR } from "../../../src/flow/ir.ts";
import type { Graph } from "../../../src/graph/types.ts";

export const ROOT = join(import.meta.dirname, "../../..");
export type Obj = Record<string, any>;

/** An environment like flowc.config.yaml's prod, built in memory; templates from flowc's templates/. */
export function testEnv(over: Partial<EnvConfig> = {}, argo: Partial<NonNullable<EnvConfig["argo"]>> = {}): EnvConfig {
  return {
    name: "prod",
    datastore: "s3://acme-flowc/prod",
    image: "registry.example.com/ml:1.4",
    tags: {},
    templates: readTemplates([]),
    argo: { namespace: "ml-prod", serviceAccount: "flowc-runner", imagePullSecrets: [], nodeSelector: {}, tolerations: [], labels: {}, annotations: {}, ...argo },
    ...over,
  };
}

/** A YAML flow from text, validated; throws on any error so that a broken test flow is obvious. */
export function flowFromYaml(text: string): { ir: FlowIR; graph: Graph } {
  const r = validateFlow(loadYamlFlow("t.yaml", text));
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length || !r.ir || !r.graph) throw new Error(`test flow is invalid:\n${errors.map((d) => `${d.code} ${d.message}`).join("\n")}\n${text}`);
  return { ir: r.ir, graph: r.graph };
}

export function compileYaml(text: string, env: EnvConfig = testEnv()): CompileResult {
  const { ir, graph } = flowFromYaml(text);
  return compileArgo({ ir, graph, env, spec: buildSpec(ir), flowcVersion: "0.0.0-test" });
}

/** Compiles a file under examples/ the way `flowc compile` does, with the repository's flowc.config.yaml. */
export async function compileExample(file: string, env = "prod"): Promise<CompileResult> {
  const r = await compileFlowFile(join(ROOT, "examples", file), { target: "argo", env, cwd: ROOT });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.compiled || errors.length) throw new Error(`${file}: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return r.compiled.result;
}

export const yamlOf = (r: CompileResult) => r.files.find((f) => f.name.endsWith(".argo.yaml"))!.content;

export function docsOf(r: CompileResult): Obj[] {
  return parseAllDocuments(yamlOf(r)).map((d) => d.toJS() as Obj);
}

export const byKind = (r: CompileResult, kind: string) => docsOf(r).find((d) => d.kind === kind);

/** The DAG task of a step, wherever it is. */
export function taskOf(wt: Obj, name: string): Obj | undefined {
  for (const t of wt.spec.templates) for (const task of t.dag?.tasks ?? []) if (task.name === name) return task;
  return undefined;
}

export const templateOf = (wt: Obj, name: string): Obj | undefined => wt.spec.templates.find((t: Obj) => t.name === name);
