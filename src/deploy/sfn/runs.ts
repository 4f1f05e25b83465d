import type { AwsSession } from "../../aws/clients.ts";
import { errorName, isNotFound } from "../../aws/errors.ts";
import type { DeployContext, RunInfo } from "../target.ts";
import { executionLink } from "../../names/sfn-links.ts";
import { resumedRun, type Execution as ResumeExecution } from "./resume.ts";
import { readMachine } from "./live.ts";
import { machineRef, notDeployed } from "./versions.ts";

type Execution = Pick<ResumeExecution, "executionArn" | "name" | "status" | "startDate" | "stopDate" | "stateMachineAliasArn">;

/**
 * The environment's executions, newest first. ListExecutions takes an alias ARN and lists the runs
 * started through it; a service that does not know aliases there (moto) gets the machine's runs,
 * filtered by the alias each execution records when it records one.
 */
export async function runs(aws: AwsSession, ctx: DeployContext, opts: { limit: number }): Promise<RunInfo[]> {
  const ref = machineRef(ctx.compiled);
  const { c, m } = await aws.sfn();
  let list: Execution[];
  try {
    list = (await c.send(new m.ListExecutionsCommand({ stateMachineArn: ref.aliasArn, maxResults: opts.limit }))).executions ?? [];
  } catch (e) {
    if (!isNotFound(e) && !/InvalidArn|Validation/.test(errorName(e))) throw e;
    if (!(await readMachine(aws, ref.arn))) throw notDeployed(ctx.compiled, "no runs");
    const all = (await c.send(new m.ListExecutionsCommand({ stateMachineArn: ref.arn, maxResults: opts.limit }))).executions ?? [];
    list = all.some((x) => x.stateMachineAliasArn) ? all.filter((x) => x.stateMachineAliasArn === ref.aliasArn) : all;
  }
  const sfn = ctx.compiled.env.sfn!;
  return list
    .sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0))
    .slice(0, opts.limit)
    .map((x) => ({
      id: x.executionArn!,
      ...(x.name ? { name: x.name } : {}),
      status: x.status ?? "UNKNOWN",
      ...(x.startDate ? { startedAt: x.startDate.toISOString() } : {}),
      ...(x.stopDate ? { stoppedAt: x.stopDate.toISOString() } : {}),
      ...(x.startDate ? { durationSeconds: Math.round(((x.stopDate ?? new Date()).getTime() - x.startDate.getTime()) / 100) / 10 } : {}),
      link: executionLink(sfn, x.executionArn!),
      ...(x.name && resumedRun(x.name) ? { resumes: resumedRun(x.name) } : {}),
    }));
}
