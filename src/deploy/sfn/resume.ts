import type { AwsSession } from "../../aws/clients.ts";
import { errorName, isNotFound } from "../../aws/errors.ts";
import { RUN_CONTEXT_PARAM, type RunContextInput } from "../../contract/run-context.ts";
import { isRunId } from "../../contract/layout.ts";
import type { DeployContext, ResumeRequest, ResumeResult, RunInfo } from "../target.ts";
import { SfnError } from "./errors.ts";
import { executionLink } from "../../names/sfn-links.ts";
import { readAlias } from "./live.ts";
import { machineRef, notDeployed } from "./versions.ts";

/** Statuses a run can be resumed from (the same RedriveExecution accepts). */
const RESUMABLE = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);

/** The executions of one run: the first one is named by the run id, resumes `<runId>-r<n>`. */
export const resumeName = (runId: string, n: number) => `${runId.slice(0, 80 - `-r${n}`.length)}-r${n}`;
/** The run an execution resumes, from its name (flowc's own run ids never end so: their suffix is hex). */
export const resumedRun = (name: string): string | undefined => /^(.+)-r\d+$/.exec(name)?.[1];

/** What DescribeExecution and ListExecutions say of an execution, as flowc reads it. */
export interface Execution {
  executionArn?: string;
  name?: string;
  status?: string;
  startDate?: Date;
  stopDate?: Date;
  input?: string;
  stateMachineAliasArn?: string;
  redriveStatus?: string;
  redriveStatusReason?: string;
}

/**
 * `flowc resume` on Step Functions. The run's latest execution is found (the run id, then
 * `<runId>-r1`, `-r2`…). If the service says it can be redriven (RedriveExecution: within 14 days of
 * its end, on the version it ran), it continues where it failed; otherwise — or with
 * `newExecution`, to run the alias's current version, e.g. a fixed build — a new execution
 * `<runId>-r<n>` starts on the alias with the run's input and its run id in the run context. Either
 * way the tasks that had finished are skipped (their done.json), so only the rest runs again.
 */
export async function resume(aws: AwsSession, ctx: DeployContext, req: ResumeRequest): Promise<ResumeResult> {
  const ref = machineRef(ctx.compiled);
  const env = ctx.compiled.env.name;
  const flow = ctx.compiled.flow.ir.name;
  if (!isRunId(req.runId)) throw new SfnError("RUN_UNKNOWN", `${JSON.stringify(req.runId)} is not a run id`, `list the runs: flowc runs ${ctx.compiled.flow.loaded.file} --env ${env}`);
  // A notification names the execution that ended, which for a resumed run is `<runId>-r<n>`: resume the run.
  const base = resumedRun(req.runId);
  if (base && isRunId(base) && (await describe(aws, ctx, base))) req = { ...req, runId: base };
  const first = await describe(aws, ctx, req.runId);
  if (!first) {
    if (!(await readAlias(aws, ref.aliasArn))) throw notDeployed(ctx.compiled, "nothing to resume");
    throw new SfnError("RUN_UNKNOWN", `no run ${req.runId} of flow \`${flow}\` (state machine ${ref.name})`, `list the runs of this flow in ${env}: flowc runs ${ctx.compiled.flow.loaded.file} --env ${env}`);
  }
  // Environments may share the machine: a run belongs to the alias it was started through.
  if (first.stateMachineAliasArn && first.stateMachineAliasArn !== ref.aliasArn)
    throw new SfnError("RUN_ELSEWHERE", `run ${req.runId} belongs to another environment (it was started through ${first.stateMachineAliasArn.split(":").at(-1)}, not ${env})`, "resume it with that environment's --env");

  let latest = first;
  let n = 0;
  for (;;) {
    const next = await describe(aws, ctx, resumeName(req.runId, n + 1));
    if (!next) break;
    latest = next;
    n++;
  }
  const from = info(ctx, latest);
  if (latest.status === "SUCCEEDED") throw new SfnError("RUN_NOT_RESUMABLE", `run ${req.runId} succeeded${n ? ` (execution ${latest.name})` : ""}: there is nothing to resume`, "start a new run with flowc trigger");
  if (latest.status === "RUNNING" || latest.status === "PENDING_REDRIVE")
    throw new SfnError("RUN_NOT_RESUMABLE", `run ${req.runId} is still running (execution ${latest.name}, ${latest.status})`, "wait for it to end, or stop it in the console; then resume it");
  if (!RESUMABLE.has(latest.status ?? "")) throw new SfnError("RUN_NOT_RESUMABLE", `run ${req.runId} is ${latest.status}`, "only failed, timed-out and aborted runs can be resumed");

  const { c, m } = await aws.sfn();
  if (!req.newExecution && latest.redriveStatus === "REDRIVABLE") {
    try {
      await c.send(new m.RedriveExecutionCommand({ executionArn: latest.executionArn! }));
      return { how: "redriven", from, run: { ...from, status: "RUNNING", stoppedAt: undefined } as RunInfo };
    } catch (e) {
      // The service changed its mind between describe and redrive (a limit, a deleted version): start anew.
      if (!/ExecutionNotRedrivable|ExecutionLimitExceeded|ValidationException/.test(errorName(e))) throw e;
      ctx.log.warn(`the execution could not be redriven (${errorName(e)}): starting a new execution of run ${req.runId} instead`);
    }
  } else if (!req.newExecution && latest.redriveStatusReason) ctx.log.info(`not redrivable: ${latest.redriveStatusReason}; starting a new execution of run ${req.runId}`);

  if (!(await readAlias(aws, ref.aliasArn))) throw notDeployed(ctx.compiled, "cannot resume");
  const input = JSON.parse(latest.input ?? "{}") as Record<string, unknown>;
  const given = (input[RUN_CONTEXT_PARAM] ?? {}) as RunContextInput;
  // The run keeps what it was for: its scheduled time (a run started by hand: its first start) and trigger.
  const context: RunContextInput = { ...given, runId: req.runId, trigger: given.trigger ?? "manual", scheduledTime: given.scheduledTime ?? first.startDate?.toISOString() };
  const name = resumeName(req.runId, n + 1);
  const out = await c.send(new m.StartExecutionCommand({ stateMachineArn: ref.aliasArn, name, input: JSON.stringify({ ...input, [RUN_CONTEXT_PARAM]: context }) }));
  return {
    how: "restarted",
    from,
    run: { id: out.executionArn!, name, status: "RUNNING", startedAt: out.startDate?.toISOString() ?? new Date().toISOString(), link: executionLink(ctx.compiled.env.sfn!, out.executionArn!), resumes: req.runId },
  };
}

async function describe(aws: AwsSession, ctx: DeployContext, name: string): Promise<Execution | undefined> {
  const { c, m } = await aws.sfn();
  const ref = machineRef(ctx.compiled);
  try {
    return await c.send(new m.DescribeExecutionCommand({ executionArn: `${ref.arn.replace(":stateMachine:", ":execution:")}:${name}` }));
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

function info(ctx: DeployContext, x: Execution): RunInfo {
  const resumes = x.name ? resumedRun(x.name) : undefined;
  return {
    id: x.executionArn!,
    ...(x.name ? { name: x.name } : {}),
    status: x.status ?? "UNKNOWN",
    ...(x.startDate ? { startedAt: x.startDate.toISOString() } : {}),
    ...(x.stopDate ? { stoppedAt: x.stopDate.toISOString() } : {}),
    link: executionLink(ctx.compiled.env.sfn!, x.executionArn!),
    ...(resumes ? { resumes } : {}),
  };
}
