import { isSecretName } from "../../flow/validate/credentials.ts";
import type { PolicyRule, Violation, Where } from "../types.ts";
import { stepOrigin } from "../where.ts";

/** env.plaintext: forbid: no variable named like a secret holds a value in `env`, whatever it looks like. */
export const plaintextEnv: PolicyRule = (input) => {
  if (input.policy.env?.plaintext !== "forbid") return [];
  const out: Violation[] = [];
  for (const s of input.ir.steps)
    for (const [name, value] of Object.entries(s.env))
      if (value !== "" && isSecretName(name))
        out.push({
          code: "POLICY_PLAINTEXT_ENV",
          message: `\`${name}\` is named like a secret and is set in plain text; environment \`${input.env.name}\` takes secrets only from a secret store`,
          hint: `move it to \`secrets: { ${name}: { aws: …, k8s: … } }\` (docs/governance.md)`,
          where: stepOrigin(input, s, ["env", name]),
          rule: ["env", "plaintext"],
        });
  return out;
};

/** secrets.allow: every secret reference (direct, or through the environment's `secrets`) starts with an allowed prefix. */
export const secretSources: PolicyRule = (input) => {
  const allow = input.policy.secrets?.allow;
  if (!allow) return [];
  const out: Violation[] = [];
  for (const s of input.ir.steps)
    for (const secret of s.secrets ?? []) {
      const viaRef = secret.ref ? input.env.secrets?.[secret.ref] : undefined;
      const refs: [string, string | undefined][] = [
        ["aws", viaRef ? viaRef.aws : secret.aws],
        ["k8s", viaRef ? viaRef.k8s : secret.k8s && `${secret.k8s.secret}/${secret.k8s.key}`],
      ];
      for (const [kind, ref] of refs) {
        if (ref === undefined || allow.some((p) => ref.startsWith(p))) continue;
        const where: Where = viaRef ? { in: "config", path: ["environments", input.env.name, "secrets", secret.ref!, kind] } : stepOrigin(input, s, ["secrets", secret.name, kind]);
        out.push({
          code: "POLICY_SECRET_SOURCE",
          message: `secret \`${secret.name}\` of step \`${s.name}\` comes from ${ref}, outside the secret stores environment \`${input.env.name}\` allows (${allow.join(", ")})`,
          hint: "keep the secret in an allowed store (account, region, path or namespace) and reference it there",
          where,
          rule: ["secrets", "allow"],
        });
      }
    }
  return out;
};
