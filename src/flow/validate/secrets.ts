import type { DocPath } from "../load/source.ts";
import type { Problem } from "../normalize.ts";
import { checkSecretRef } from "../secrets.ts";
import { credentialKind, credentialShape, isSecretName } from "./credentials.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);

const MOVE_HINT = (name: string) =>
  `reference it instead: secrets: { ${name}: { aws: arn:aws:secretsmanager:…, k8s: <secret>/<key> } } (docs/governance.md); the value was committed in plain text, so rotate it`;

/**
 * The rules of `secrets:` and of plain-text credentials: every reference well formed, no name both
 * in `env` and in `secrets`, and no credential in an `env` value, a command argument or a parameter
 * default.
 */
export function checkSecrets(raw: unknown): Problem[] {
  const problems: Problem[] = [];
  const doc = isObj(raw) ? raw : {};
  const defaults = isObj(doc.defaults) ? doc.defaults : {};
  const steps = isObj(doc.steps) ? doc.steps : {};

  const refs = (base: DocPath, secrets: unknown) => {
    if (!isObj(secrets)) return;
    for (const [name, ref] of Object.entries(secrets)) {
      if (!isObj(ref)) continue;
      for (const p of checkSecretRef(name, ref))
        problems.push({ code: "INVALID_SECRET", message: p.message, hint: p.hint, path: p.field ? [...base, name, p.field] : [...base, name], part: p.field ? "value" : "key" });
    }
  };
  const plaintext = (base: DocPath, env: unknown) => {
    if (!isObj(env)) return;
    for (const [name, value] of Object.entries(env)) {
      if (typeof value !== "string") continue;
      const kind = credentialKind(name, value);
      if (kind) problems.push({ code: "PLAINTEXT_SECRET", message: `the value of \`${name}\` looks like ${kind}, written in plain text`, hint: MOVE_HINT(name), path: [...base, name], part: "value" });
    }
  };

  refs(["defaults", "secrets"], defaults.secrets);
  plaintext(["defaults", "env"], defaults.env);
  for (const [step, s] of Object.entries(steps)) {
    if (!isObj(s)) continue;
    refs(["steps", step, "secrets"], s.secrets);
    plaintext(["steps", step, "env"], s.env);
    if (Array.isArray(s.command))
      s.command.forEach((arg, i) => {
        const kind = typeof arg === "string" ? credentialShape(arg) : undefined;
        if (kind)
          problems.push({ code: "PLAINTEXT_SECRET", message: `argument ${i} of \`${step}\`'s command holds ${kind}, written in plain text`, hint: "declare it under `secrets:` and read it from the environment variable in the command; then rotate it", path: ["steps", step, "command", i], part: "value" });
      });
    // A name both in env and in secrets: which one would the step get? Neither target can say.
    const env = { ...(isObj(defaults.env) ? defaults.env : {}), ...(isObj(s.env) ? s.env : {}) };
    const secrets = { ...(isObj(defaults.secrets) ? defaults.secrets : {}), ...(isObj(s.secrets) ? s.secrets : {}) };
    for (const name of Object.keys(secrets).filter((n) => n in env).sort()) {
      const at: DocPath = isObj(s.secrets) && name in s.secrets ? ["steps", step, "secrets", name] : isObj(s.env) && name in s.env ? ["steps", step, "env", name] : ["steps", step];
      problems.push({ code: "SECRET_ENV_CONFLICT", message: `step \`${step}\` has \`${name}\` both in \`env\` and in \`secrets\``, hint: "keep one: a secret's value comes from the secret store, an env value is written in the flow", path: at });
    }
  }
  if (isObj(doc.parameters))
    for (const [name, p] of Object.entries(doc.parameters)) {
      const def = isObj(p) ? p.default : undefined;
      const kind = typeof def === "string" ? (isSecretName(name) ? credentialKind(name, def) : credentialShape(def)) : undefined;
      if (kind)
        problems.push({ code: "PLAINTEXT_SECRET", message: `the default of parameter \`${name}\` looks like ${kind}, written in plain text`, hint: "parameters are visible in every run's input: make it a step secret (`secrets:`) instead, and rotate it", path: ["parameters", name, "default"], part: "value" });
    }
  return problems;
}
