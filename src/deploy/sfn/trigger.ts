import { randomBytes } from "node:crypto";
import type { AwsSession } from "../../aws/clients.ts";
import { errorName, isNotFound } from "../../aws/errors.ts";
import { RUN_CONTEXT_PARAM, runContextInput } from "../../contract/run-context.ts";
import type { DeployContext, RunInfo, StartRequest, StartResult } from "../target.ts";
import { SfnError } from "./errors.ts";
import { executionLink } from "../../names/sfn-links.ts";
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

/** A backfilled run's name: the environment and the tick, so a second backfill finds it. */
export const backfillName = (env: string, tick: Date) => `${env}-at-${tick.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;

const executionArn = (ctx: DeployContext, name: string) => {
  const ref = machineRef(ctx.compiled);
  return ref.arn.replace(":stateMachine:", ":execution:") + `:${name}`;
};

/**
 * StartExecution on the environment's alias, with the run context beside the parameters (the
 * execution input `{...params, _flowc}`; docs/step-contract.md). A named start looks first: a run of
 * that name that exists (running or finished) is reported, not started again.
 */
export async function start(aws: AwsSession, ctx: DeployContext, req: StartRequest): Promise<StartResult> {
  const ref = machineRef(ctx.compiled);
  const alias = await readAlias(aws, ref.aliasArn);
  if (!alias) throw notDeployed(ctx.compiled, "cannot start a run");
  const input = JSON.stringify({ ...req.params, [RUN_CONTEXT_PARAM]: runContextInput(req.context) });
  if (Buffer.byteLength(input) > 262_144) throw new SfnError("PARAM_INVALID", `the parameters are ${Buffer.byteLength(input)} bytes; Step Functions accepts 256 KiB of input`, "pass a datastore key instead of the data");
  if (req.name) {
    const existing = await run(aws, ctx, req.name);
    if (existing) return { run: existing, existed: true };
  }
  const { c, m } = await aws.sfn();
  const name = req.name ?? runName(ctx.compiled.env.name);
  try {
    const out = await c.send(new m.StartExecutionCommand({ stateMachineArn: ref.aliasArn, name, input }));
    const startedAt = out.startDate?.toISOString() ?? new Date().toISOString();
    return { run: { id: out.executionArn!, name, status: "RUNNING", startedAt, link: executionLink(ctx.compiled.env.sfn!, out.executionArn!) }, existed: false };
  } catch (e) {
    // Another backfill (or our own lost first attempt) got there first.
    if (req.name && errorName(e) === "ExecutionAlreadyExists") {
      const existing = await run(aws, ctx, req.name);
      if (existing) return { run: existing, existed: true };
    }
    throw e;
  }
}

/** One execution of the machine by name, or undefined. */
export async function run(aws: AwsSession, ctx: DeployContext, name: string): Promise<RunInfo | undefined> {
  const { c, m } = await aws.sfn();
  try {
    const d = await c.send(new m.DescribeExecutionCommand({ executionArn: executionArn(ctx, name) }));
    return executionInfo(ctx, d);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

interface Described {
  executionArn?: string;
  name?: string;
  status?: string;
  startDate?: Date;
  stopDate?: Date;
}

function executionInfo(ctx: DeployContext, d: Described): RunInfo {
  return {
    id: d.executionArn!,
    ...(d.name ? { name: d.name } : {}),
    status: d.status ?? "UNKNOWN",
    ...(d.startDate ? { startedAt: d.startDate.toISOString() } : {}),
    ...(d.stopDate ? { stoppedAt: d.stopDate.toISOString() } : {}),
    link: executionLink(ctx.compiled.env.sfn!, d.executionArn!),
  };
}

/**
 * Runs the live schedule started for ticks in [from, to). EventBridge Scheduler names its runs at
 * random, so their input says which tick they are for (`_flowc.scheduledTime`). Executions are
 * listed newest first down to the earliest tick; each candidate is described once.
 */
export async function scheduledRuns(aws: AwsSession, ctx: DeployContext, from: Date, to: Date): Promise<Map<string, RunInfo>> {
  const ref = machineRef(ctx.compiled);
  const { c, m } = await aws.sfn();
  const found = new Map<string, RunInfo>();
  const backfilled = `${ctx.compiled.env.name}-at-`;
  let nextToken: string | undefined;
  do {
    const page = await c.send(new m.ListExecutionsCommand({ stateMachineArn: ref.arn, maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
    nextToken = page.nextToken;
    for (const x of page.executions ?? []) {
      // A scheduled run starts at its tick (give or take Scheduler's delivery), never before it.
      if (x.startDate && x.startDate.getTime() < from.getTime()) nextToken = undefined;
      if (!x.startDate || x.startDate.getTime() < from.getTime() || x.name?.startsWith(backfilled)) continue;
      if (x.stateMachineAliasArn && x.stateMachineAliasArn !== ref.aliasArn) continue;
      const d = await c.send(new m.DescribeExecutionCommand({ executionArn: x.executionArn! }));
      const tick = scheduledTick(d.input);
      if (tick && Date.parse(tick) >= from.getTime() && Date.parse(tick) < to.getTime()) found.set(tick, executionInfo(ctx, d));
    }
  } while (nextToken);
  return found;
}

function scheduledTick(input: string | undefined): string | undefined {
  try {
    const ctx = (JSON.parse(input ?? "{}") as Record<string, { trigger?: string; scheduledTime?: string } | undefined>)[RUN_CONTEXT_PARAM];
    if (ctx?.trigger !== "schedule" || !ctx.scheduledTime) return undefined;
    return new Date(ctx.scheduledTime).toISOString().replace(/\.\d+Z$/, "Z");
  } catch {
    return undefined;
  }
}
