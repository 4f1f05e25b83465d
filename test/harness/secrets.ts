// Secrets Manager and SSM Parameter Store on moto, for the secrets tests. Neither SDK client is a
// dependency, so these call the JSON protocol directly; moto does not check signatures, the
// Authorization header only tells its dispatcher which service and region.
import type { MotoClientConfig } from "./moto.ts";

type Config = Pick<MotoClientConfig, "endpoint" | "region" | "credentials">;

async function awsJson<T>(config: Config, service: string, target: string, body: unknown): Promise<T> {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  const res = await fetch(config.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": target,
      authorization: `AWS4-HMAC-SHA256 Credential=${config.credentials.accessKeyId}/${day}/${config.region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target}: HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Creates a Secrets Manager secret; returns its full ARN (with the random suffix). */
export async function createSecret(config: Config, name: string, value: string): Promise<string> {
  return (await awsJson<{ ARN: string }>(config, "secretsmanager", "secretsmanager.CreateSecret", { Name: name, SecretString: value })).ARN;
}

/** Puts a SecureString parameter; returns its ARN. */
export async function putParameter(config: Config, name: string, value: string): Promise<string> {
  await awsJson(config, "ssm", "AmazonSSM.PutParameter", { Name: name, Value: value, Type: "SecureString" });
  return `arn:aws:ssm:${config.region}:123456789012:parameter${name}`;
}
