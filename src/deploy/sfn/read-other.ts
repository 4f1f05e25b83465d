import type { AwsSession } from "../../aws/clients.ts";
import { isAccessDenied, isNotFound } from "../../aws/errors.ts";
import { parseJson } from "./canonical.ts";
import type { LiveSfn } from "./live.ts";

/** Reads of the role's inline policy (IAM) and of the datastore objects (S3). */
export async function readPolicy(aws: AwsSession, roleName: string, policyName: string): Promise<LiveSfn["policy"]> {
  const { c, m } = await aws.iam();
  try {
    const p = await c.send(new m.GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    return { document: parseJson(decodeURIComponent(p.PolicyDocument ?? "")) };
  } catch (e) {
    if (isNotFound(e)) return undefined;
    if (isAccessDenied(e)) return "unreadable";
    throw e;
  }
}

export async function objectExists(aws: AwsSession, bucket: string, key: string): Promise<boolean> {
  const { c, m } = await aws.s3();
  try {
    await c.send(new m.HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}
