import type { AwsSession } from "../../aws/clients.ts";
import { ownerToken } from "../ownership.ts";
import type { DeployContext } from "../target.ts";
import { SfnError } from "./errors.ts";

/**
 * Who is deploying, as the token kept in the `flowc.dev/owner` tag:
 *  1. --owner NAME, else FLOWC_OWNER: a team or pipeline name, the same from every machine;
 *  2. else the AWS caller: an assumed role counts as the role, not the session, so every CI run of
 *     one pipeline (same role, new session name each time) is the same owner.
 * The token is a 16-hex-digit hash of that identity: not secret, it only names the owner.
 */
export interface Owner {
  token: string;
  identity: string;
  source: "--owner" | "FLOWC_OWNER" | "aws caller";
  account: string;
}

export function callerIdentity(arn: string): string {
  const m = /^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
}

export async function resolveOwner(aws: AwsSession, ctx: DeployContext): Promise<Owner> {
  const { c, m } = await aws.sts();
  // Always asked: it also proves the credentials work and point at the configured account.
  const me = await c.send(new m.GetCallerIdentityCommand({}));
  const expected = ctx.compiled.env.sfn!.account;
  if (me.Account && me.Account !== expected)
    throw new SfnError(
      "AWS_ACCOUNT_MISMATCH",
      `the AWS credentials in use are for account ${me.Account} (${me.Arn}), but environment \`${ctx.compiled.env.name}\` deploys to account ${expected}`,
      "use the profile or role of that account (--profile), or fix sfn.account in flowc.config.yaml",
    );
  const explicit = ctx.options.owner ?? ctx.env.FLOWC_OWNER;
  const source = ctx.options.owner ? "--owner" : ctx.env.FLOWC_OWNER ? "FLOWC_OWNER" : "aws caller";
  const identity = explicit ?? callerIdentity(me.Arn ?? "");
  return { token: ownerToken(identity), identity, source, account: me.Account ?? expected };
}
