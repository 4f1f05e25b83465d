/**
 * Secret references (`secrets:` on a step or in `defaults`): their forms and what each points at.
 * flowc only ever handles the reference; the value is injected by the platform (Batch job
 * definition `secrets`, Kubernetes `secretKeyRef`) or, for `flowc run`, taken from --secret or the
 * environment. docs/governance.md is the reference.
 */
import type { SecretIR } from "./ir.ts";

export type AwsSecretSource =
  | { service: "secretsmanager"; arn: string; partition: string; region: string; account: string; name: string; fullArn: boolean }
  | { service: "ssm"; arn: string; partition: string; region: string; account: string; name: string };

const PARTITION = "(aws|aws-cn|aws-us-gov)";
const REGION = "([a-z]{2}(?:-[a-z]+)+-\\d)";
const ACCOUNT = "(\\d{12})";
// Batch and ECS take a Secrets Manager ARN with an optional `:json-key:version-stage:version-id` tail.
const SECRETS_MANAGER = new RegExp(`^arn:${PARTITION}:secretsmanager:${REGION}:${ACCOUNT}:secret:([A-Za-z0-9/_+=.@-]+)(?::[^:]*:[^:]*:[^:]*)?$`);
const SSM = new RegExp(`^arn:${PARTITION}:ssm:${REGION}:${ACCOUNT}:parameter(/[A-Za-z0-9_.\\-/]+)$`);
const K8S_SECRET = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const K8S_KEY = /^[-._a-zA-Z0-9]+$/;
export const SECRET_REF_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Variables flowc or the platform set in every task: a secret must not shadow them. */
export const RESERVED_ENV_PREFIXES = ["FLOWC_", "AWS_BATCH_"] as const;

/** Where an `aws:` reference points, or undefined when it is not a Secrets Manager or SSM parameter ARN. */
export function parseAwsSecret(arn: string): AwsSecretSource | undefined {
  const sm = SECRETS_MANAGER.exec(arn);
  if (sm) {
    const name = sm[4]!;
    // Secrets Manager appends `-` and six random characters to a secret's name in its ARN. A name
    // that ends so (with a digit or capital, which a word rarely has) is taken as a full ARN.
    const suffix = /-([A-Za-z0-9]{6})$/.exec(name)?.[1];
    return { service: "secretsmanager", arn, partition: sm[1]!, region: sm[2]!, account: sm[3]!, name, fullArn: !!suffix && /[A-Z0-9]/.test(suffix) };
  }
  const ssm = SSM.exec(arn);
  if (ssm) return { service: "ssm", arn, partition: ssm[1]!, region: ssm[2]!, account: ssm[3]!, name: ssm[4]! };
  return undefined;
}

/** The ARN an IAM statement grants for a reference: a partial Secrets Manager ARN matches its suffix. */
export function iamResourceOf(src: AwsSecretSource): string {
  if (src.service === "ssm") return `arn:${src.partition}:ssm:${src.region}:${src.account}:parameter${src.name}`;
  const base = `arn:${src.partition}:secretsmanager:${src.region}:${src.account}:secret:${src.name}`;
  return src.fullArn ? base : `${base}-??????`;
}

/** `name/key` of a Kubernetes Secret, or undefined when malformed. */
export function parseK8sSecret(text: string): { secret: string; key: string } | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const secret = text.slice(0, slash);
  const key = text.slice(slash + 1);
  if (secret.length > 253 || !K8S_SECRET.test(secret) || key.length > 253 || !K8S_KEY.test(key)) return undefined;
  return { secret, key };
}

export interface SecretRefProblem {
  /** The field at fault, under the reference: `aws`, `k8s`, `ref`, or undefined for the name. */
  field?: "aws" | "k8s" | "ref";
  message: string;
  hint: string;
}

/** What is wrong with one entry of `secrets:` (its name and its reference), if anything. */
export function checkSecretRef(name: string, ref: Record<string, unknown>): SecretRefProblem[] {
  const out: SecretRefProblem[] = [];
  const reserved = RESERVED_ENV_PREFIXES.find((p) => name.startsWith(p));
  if (reserved) out.push({ message: `secret \`${name}\`: names starting with ${reserved} are set by flowc or the platform`, hint: "give the variable another name" });
  if (typeof ref.ref === "string" && (ref.aws !== undefined || ref.k8s !== undefined))
    out.push({ field: "ref", message: `secret \`${name}\` has both \`ref\` and a direct reference`, hint: "use `ref` (the environment's secrets in flowc.config.yaml) or `aws`/`k8s`, not both" });
  if (typeof ref.ref === "string" && !SECRET_REF_NAME.test(ref.ref))
    out.push({ field: "ref", message: `secret \`${name}\`: \`${ref.ref}\` is not a valid name for an entry of the environment's secrets`, hint: "use letters, digits, '.', '_' and '-'" });
  if (typeof ref.aws === "string" && !parseAwsSecret(ref.aws))
    out.push({
      field: "aws",
      message: `secret \`${name}\`: \`aws\` must be the ARN of a Secrets Manager secret or an SSM parameter`,
      hint: "write arn:aws:secretsmanager:<region>:<account>:secret:<name> (optionally :<json-key>:<stage>:<version>) or arn:aws:ssm:<region>:<account>:parameter/<name>",
    });
  if (typeof ref.k8s === "string" && !parseK8sSecret(ref.k8s))
    out.push({ field: "k8s", message: `secret \`${name}\`: \`k8s\` must be <secret name>/<key> of a Kubernetes Secret`, hint: "write e.g. k8s: db-credentials/password (lowercase secret name, then the key)" });
  return out;
}

/** One entry of `secrets:` as IR (tolerant: what the checks rejected is left out). */
export function secretIR(name: string, ref: Record<string, unknown>): SecretIR {
  const k8s = typeof ref.k8s === "string" ? parseK8sSecret(ref.k8s) : undefined;
  return {
    name,
    ...(typeof ref.aws === "string" ? { aws: ref.aws } : {}),
    ...(k8s ? { k8s } : {}),
    ...(typeof ref.ref === "string" ? { ref: ref.ref } : {}),
  };
}
