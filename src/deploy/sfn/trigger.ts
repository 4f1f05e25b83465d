import { randomBytes } from "node:crypto";
import type { AwsSession } from "../../aws/clients.ts";
import type { DeployContext, RunInfo } from "../target.ts";
import { SfnError } from "./errors.ts";
import { executionLink } from "./links.ts";
import { readAlias } from "./live.ts";
import { machineRef, notDeployed } from "./versions.ts";

/**
 * A run's name is its run id (`$$.Execution.Name`), which keys its artifacts in the datastore:
 * readable, sortable by time, unique (Step Functions allows 80 characters of [A-Za-z0-9_-]).
 */
export function runName(env: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..+$/, "");
  return `${env}-${stamp}-${randomBytes(3).toString("hex")}`.slice(0, 80);
}

/** StartExecution on the environment's alias; `params` were checked against the flow by the caller. */
export async function trigger(aws: AwsSession, ctx: DeployContext, params: Record<string, unknown>): Promise<RunInfo> {
  const ref = machineRef(ctx.compiled);
  const alias = await readAlias(aws, ref.aliasArn);
  if (!alias) throw notDeployed(ctx.compiled, "cannot start a run");
  const input = JSON.stringify(params);
  if (Buffer.byteLength(input) > 262_144) throw new SfnError("PARAM_INVALID", `the parameters are ${Buffer.byteLength(input)} bytes; Step Functions accepts 256 KiB of input`, "pass a datastore key instead of the data");
  const { c, m } = await aws.sfn();
  const name = runName(ctx.compiled.env.name);
  const out = await c.send(new m.StartExecutionCommand({ stateMachineArn: ref.aliasArn, name, input }));
  return { id: out.executionArn!, name, status: "RUNNING", startedAt: out.startDate?.toISOString() ?? new Date().toISOString(), link: executionLink(ctx.compiled.env.sfn!, out.executionArn!) };
}
