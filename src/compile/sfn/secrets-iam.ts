import { iamResourceOf, parseAwsSecret } from "../../flow/secrets.ts";
import type { SfnContext } from "./context.ts";
import type { Statement } from "./iam.ts";

/**
 * What the job definitions' **execution role** needs so that Batch (or ECS) can fetch the steps'
 * secrets when a container starts: `<flow>.secrets.iam.json`, for review. It is not the state
 * machine's role (which only submits jobs) and flowc deploy does not attach it: the execution role
 * belongs to the configured job definition. A secret encrypted with a customer-managed KMS key also
 * needs kms:Decrypt on that key, which the ARN does not reveal (docs/governance.md).
 */
export function secretsPolicyDocument(ctx: SfnContext): Record<string, unknown> | undefined {
  const sources = [...ctx.definitionSecrets.values()].flat().flatMap((s) => parseAwsSecret(s.valueFrom) ?? []);
  if (!sources.length) return undefined;
  const resources = (service: "secretsmanager" | "ssm") => [...new Set(sources.filter((s) => s.service === service).map(iamResourceOf))].sort();
  const statements: Statement[] = [];
  const secrets = resources("secretsmanager");
  const parameters = resources("ssm");
  if (secrets.length) statements.push({ Sid: "ReadStepSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secrets });
  if (parameters.length) statements.push({ Sid: "ReadStepParameters", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: parameters });
  return { Version: "2012-10-17", Statement: statements };
}

/** The secrets of every derived definition, by definition name: what deploy registers with them. */
export function definitionSecretsManifest(ctx: SfnContext): Record<string, { name: string; valueFrom: string }[]> | undefined {
  if (!ctx.definitionSecrets.size) return undefined;
  return Object.fromEntries([...ctx.definitionSecrets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
