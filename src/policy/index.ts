import type { LoadedConfig } from "../config/load.ts";
import { locateInConfig } from "../config/locate.ts";
import type { EnvConfig } from "../config/types.ts";
import type { Diagnostic, Severity } from "../diagnostics/diagnostic.ts";
import type { FlowIR } from "../flow/ir.ts";
import { makeDiagnostic, type LoadedFlow } from "../flow/load/source.ts";
import { checkPolicy } from "./check.ts";
import type { Violation } from "./types.ts";

export { checkPolicy, RULES } from "./check.ts";
export type { PolicyInput, PolicyRule, Violation } from "./types.ts";

/**
 * The environment's policy as diagnostics: each at the violating value (in the flow, or in the
 * configuration when the environment sets it) and naming the policy key it breaks, with that key's
 * place in flowc.config.yaml. `enforcement: warn` makes them warnings.
 */
export function policyDiagnostics(flow: { loaded: Pick<LoadedFlow, "file" | "locator" | "raw">; ir: FlowIR }, config: LoadedConfig, env: EnvConfig): Diagnostic[] {
  const policy = env.policy;
  if (!policy) return [];
  const severity: Severity = policy.enforcement === "warn" ? "warning" : "error";
  return checkPolicy({ ir: flow.ir, raw: flow.loaded.raw, env, policy }).map((v) => {
    const ref = policyRef(config, env, v);
    const d =
      v.where.in === "flow"
        ? makeDiagnostic(flow.loaded, { code: v.code, severity, message: v.message, hint: v.hint, path: v.where.path, part: v.where.part ?? "key" })
        : { code: v.code, severity, message: v.message, hint: v.hint, file: config.file, ...locateInConfig(config, v.where.path, "value") };
    return { ...d, policy: ref } satisfies Diagnostic;
  });
}

function policyRef(config: LoadedConfig, env: EnvConfig, v: Violation): NonNullable<Diagnostic["policy"]> {
  const path = ["environments", env.name, "policy", ...v.rule];
  const at = locateInConfig(config, path, "key").start;
  let value: unknown = env.policy;
  for (const k of v.rule) value = (value as Record<string, unknown> | undefined)?.[k];
  return { key: path.join("."), file: config.file, line: at.line, col: at.col, value };
}
