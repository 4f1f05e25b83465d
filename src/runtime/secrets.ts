/**
 * Secrets at run time. A deployed task gets its step's secrets as environment variables from the
 * platform (Batch job definition `secrets`, Kubernetes `secretKeyRef`); `flowc run` puts the values
 * given with --secret, or found in its own environment, into its workers' environment. Either way a
 * step sees exactly the secrets it declares: the others are taken out of its environment, as they
 * would be absent from its container. Values are never written anywhere by flowc.
 */
import type { FlowIR, StepIR } from "../flow/ir.ts";
import { closest } from "../util/closest.ts";

export const SECRET_SOURCES = "deployed, Batch or Kubernetes injects it; `flowc run` takes it from --secret NAME=VALUE or from the variable NAME in its environment";

/** Every secret name the flow declares → the steps that declare it. */
export function declaredSecrets(flow: FlowIR): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of flow.steps) for (const x of s.secrets ?? []) out.set(x.name, [...(out.get(x.name) ?? []), s.name]);
  return out;
}

const declaredCache = new WeakMap<FlowIR, Set<string>>();

/**
 * The environment a step starts from: `base` without the flow's secrets this step does not declare.
 * Throws when a secret the step declares has no value (the task then fails with that message).
 */
export function stepBaseEnv(flow: FlowIR, step: StepIR, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  let all = declaredCache.get(flow);
  if (!all) declaredCache.set(flow, (all = new Set(declaredSecrets(flow).keys())));
  if (!all.size) return base;
  const own = new Set((step.secrets ?? []).map((s) => s.name));
  const missing = [...own].filter((n) => base[n] === undefined);
  if (missing.length) throw new Error(`step \`${step.name}\` declares the secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, which ${missing.length > 1 ? "have" : "has"} no value in the task's environment (${SECRET_SOURCES})`);
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (own.has(k) || !all.has(k)) out[k] = v;
  return out;
}

/**
 * While a TypeScript body runs (in this process, one task at a time), `process.env` loses the flow's
 * secrets its step does not declare, as its container would not have them. Returns the undo.
 */
export function hideUndeclaredSecrets(flow: FlowIR, step: StepIR, env: NodeJS.ProcessEnv = process.env): () => void {
  const own = new Set((step.secrets ?? []).map((s) => s.name));
  const hidden: [string, string][] = [];
  for (const name of declaredSecrets(flow).keys())
    if (!own.has(name) && env[name] !== undefined) {
      hidden.push([name, env[name]!]);
      delete env[name];
    }
  return () => {
    for (const [k, v] of hidden) env[k] = v;
  };
}

export interface RunSecrets {
  /** Name → value, for the workers' environment (never logged, never stored). */
  values: Record<string, string>;
  problems: { code: "SECRET_FLAG_INVALID" | "SECRET_UNKNOWN" | "SECRET_MISSING"; message: string; hint: string }[];
}

/**
 * `flowc run`: a value for every secret the flow declares, from `--secret NAME=VALUE` first, then
 * from the variable of that name in the environment. Unknown names and missing values are problems,
 * reported before any step runs.
 */
export function resolveRunSecrets(flow: FlowIR, flags: readonly string[], env: NodeJS.ProcessEnv): RunSecrets {
  const declared = declaredSecrets(flow);
  const values: Record<string, string> = {};
  const problems: RunSecrets["problems"] = [];
  const given = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    const name = eq < 0 ? flag : flag.slice(0, eq);
    if (eq < 0) {
      problems.push({ code: "SECRET_FLAG_INVALID", message: `--secret ${name}: expected NAME=VALUE`, hint: `or leave --secret out and export ${name} in the environment` });
      continue;
    }
    if (!declared.has(name)) {
      const guess = closest(name, [...declared.keys()]);
      problems.push({ code: "SECRET_UNKNOWN", message: `--secret ${name}: no step of flow \`${flow.name}\` declares a secret \`${name}\``, hint: guess ? `did you mean ${guess}?` : declared.size ? `declared: ${[...declared.keys()].join(", ")}` : "the flow declares no secrets" });
      continue;
    }
    given.set(name, flag.slice(eq + 1));
  }
  for (const [name, steps] of [...declared].sort(([a], [b]) => a.localeCompare(b))) {
    const v = given.get(name) ?? env[name];
    if (v !== undefined) values[name] = v;
    else problems.push({ code: "SECRET_MISSING", message: `secret \`${name}\` (step${steps.length > 1 ? "s" : ""} ${steps.join(", ")}) has no value`, hint: `pass --secret ${name}=… or export ${name}; flowc run never reads secrets from a file` });
  }
  return { values, problems };
}
