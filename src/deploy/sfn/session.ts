import { AwsSession } from "../../aws/clients.ts";
import type { DeployContext } from "../target.ts";
import { SfnError } from "./errors.ts";

/** The AWS clients for one command, in the environment's region (the bundle's ARNs are built from it). */
export function awsSession(ctx: DeployContext): AwsSession {
  const sfn = ctx.compiled.env.sfn;
  if (!sfn) throw new SfnError("DEPLOY_PRECONDITION", `environment \`${ctx.compiled.env.name}\` has no sfn section`, "add sfn: { region, account, stateMachineRoleArn, ... } to flowc.config.yaml");
  return new AwsSession({ region: sfn.region, ...(ctx.options.profile ? { profile: ctx.options.profile } : {}), ...(ctx.options.endpoint ? { endpoint: ctx.options.endpoint } : {}), env: ctx.env });
}

/** Runs `fn` with a session and closes its connections afterwards, so the CLI exits at once. */
export async function withSession<T>(ctx: DeployContext, fn: (aws: AwsSession) => Promise<T>): Promise<T> {
  const aws = awsSession(ctx);
  try {
    return await fn(aws);
  } finally {
    await aws.close();
  }
}
