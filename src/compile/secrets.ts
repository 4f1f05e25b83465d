import type { EnvConfig } from "../config/types.ts";
import type { StepIR } from "../flow/ir.ts";
import { parseK8sSecret } from "../flow/secrets.ts";
import type { CompileProblem, TargetName } from "./types.ts";

export interface ResolvedSecret {
  name: string;
  aws?: string;
  k8s?: { secret: string; key: string };
}

/**
 * A step's secrets with `ref`s looked up in the environment's `secrets:` (flowc.config.yaml). With a
 * target, each must have that target's kind of reference (`aws` for Step Functions, `k8s` for Argo);
 * without one (`flowc validate --env`) only the refs are checked. Problems are reported once per
 * secret and reference, however many steps share it through `defaults`.
 */
export function resolveSecrets(step: StepIR, env: EnvConfig, target: TargetName | undefined, problems: CompileProblem[], reported = new Set<string>()): ResolvedSecret[] {
  const out: ResolvedSecret[] = [];
  const report = (key: string, p: Omit<CompileProblem, "code">) => {
    if (reported.has(key)) return;
    reported.add(key);
    problems.push({ code: "SECRET_UNRESOLVED", ...p });
  };
  for (const s of step.secrets ?? []) {
    const path = ["steps", step.name, "secrets", s.name];
    let aws = s.aws;
    let k8s = s.k8s;
    if (s.ref !== undefined) {
      const entry = env.secrets?.[s.ref];
      if (!entry) {
        const known = Object.keys(env.secrets ?? {});
        report(`ref|${s.name}|${s.ref}`, {
          message: `secret \`${s.name}\` refers to \`${s.ref}\`, which environment \`${env.name}\` does not define`,
          hint: `add secrets: { ${s.ref}: { aws: …, k8s: … } } to environment \`${env.name}\` in flowc.config.yaml${known.length ? ` (it defines ${known.join(", ")})` : ""}`,
          path,
        });
        continue;
      }
      aws = entry.aws;
      k8s = entry.k8s ? parseK8sSecret(entry.k8s) : undefined;
    }
    if (target === "sfn" && !aws) {
      report(`sfn|${s.name}|${s.ref ?? ""}`, { message: `secret \`${s.name}\` has no \`aws\` reference, which Step Functions needs`, hint: s.ref ? `add aws: arn:aws:secretsmanager:… to \`${s.ref}\` under the environment's secrets` : "add aws: arn:aws:secretsmanager:… (or an SSM parameter ARN) to it", path });
      continue;
    }
    if (target === "argo" && !k8s) {
      report(`argo|${s.name}|${s.ref ?? ""}`, { message: `secret \`${s.name}\` has no \`k8s\` reference, which Argo needs`, hint: s.ref ? `add k8s: <secret>/<key> to \`${s.ref}\` under the environment's secrets` : "add k8s: <secret>/<key> to it", path });
      continue;
    }
    out.push({ name: s.name, ...(aws ? { aws } : {}), ...(k8s ? { k8s } : {}) });
  }
  return out;
}
