import type { CompiledFlow } from "../compile/pipeline.ts";
import type { RunContext } from "../contract/run-context.ts";
import type { EnvConfig } from "../config/types.ts";
import type { TargetName } from "../compile/types.ts";
import type { DiffPath } from "./diff.ts";
import type { Plan } from "./plan.ts";

/** Options every deploy-side command may pass; each target uses what applies to it. */
export interface DeployOptions {
  dryRun?: boolean;
  /** Take over a deployment owned by this other token, on purpose. */
  authorize?: string;
  /** This deployer's owner identity (token derived from it); defaults per target (AWS caller / kube user). */
  owner?: string;
  /** Argo: force server-side apply conflicts. */
  force?: boolean;
  /** AWS */
  profile?: string;
  endpoint?: string;
  region?: string;
  /** Kubernetes */
  context?: string;
  kubeconfig?: string;
  namespace?: string;
}

export interface Logger {
  info(line: string): void;
  warn(line: string): void;
}

export interface DeployContext {
  compiled: CompiledFlow;
  options: DeployOptions;
  log: Logger;
  /** Process environment, read only here in the deploy layer (compilers never see it). */
  env: NodeJS.ProcessEnv;
  /** Working directory a relative datastore path is resolved against (default: the process's). */
  cwd?: string;
  /**
   * Every environment of the same configuration file, resolved: for resources several environments
   * share (an sfn state machine keeps only the tags they agree on).
   */
  environments?: EnvConfig[];
}

export interface ApplyResult {
  plan: Plan;
  /** Write calls made (0 for a no-op deploy). */
  writes: number;
  /** Console or UI link for the deployed flow, when one can be formed. */
  link?: string;
  /** Every API call made, reads included (sfn: per operation), for reports and benchmarks. */
  calls?: { reads: number; writes: number; operations: Record<string, number> };
  /** The version the environment runs afterwards, where the target has versions. */
  version?: string;
}

export interface RunInfo {
  id: string;
  /** The run's name where the id is longer (sfn: the id is the execution ARN, the name is the run id). */
  name?: string;
  status: string;
  startedAt?: string;
  stoppedAt?: string;
  durationSeconds?: number;
  link?: string;
  /** The run this execution resumes (flowc resume), where it is another execution of that run. */
  resumes?: string;
}

export interface ResumeRequest {
  /** The run to resume: its run id (the first execution's name). */
  runId: string;
  /** Step Functions: start a new execution on the alias (its current version) even where a redrive could continue the old one. */
  newExecution?: boolean;
}

export interface ResumeResult {
  run: RunInfo;
  /** redriven: the failed execution itself continues (Step Functions' RedriveExecution); restarted: a new execution or Workflow of the same run. */
  how: "redriven" | "restarted";
  /** The execution that failed, which this resumes. */
  from: RunInfo;
}

export interface VersionInfo {
  version: string;
  createdAt?: string;
  description?: string;
  /** Aliases (environments) pointing at it. */
  aliases: string[];
  /** Environments whose alias pointed at it before (sfn: kept in the alias's description, for rollback). */
  previouslyIn?: string[];
}

/** A run flowc starts itself (trigger, backfill): parameters already checked against the flow. */
export interface StartRequest {
  params: Record<string, unknown>;
  context: RunContext;
  /** A run name that makes the start idempotent (backfill); else the target makes a fresh one. */
  name?: string;
}

export interface StartResult {
  run: RunInfo;
  /** A run of that name existed already: nothing was started. */
  existed: boolean;
}

/** What a deploy target implements. Versions exist on Step Functions only. */
export interface DeployTarget {
  name: TargetName;
  plan(ctx: DeployContext): Promise<Plan>;
  apply(ctx: DeployContext): Promise<ApplyResult>;
  destroy(ctx: DeployContext): Promise<ApplyResult>;
  /** Starts a run with its run context; with a name, a run that exists already is not started again. */
  start(ctx: DeployContext, req: StartRequest): Promise<StartResult>;
  /**
   * Resumes a failed, timed-out or aborted run with the same run id: finished tasks are skipped
   * (flowc step), so only what did not finish runs. Refuses runs that succeeded or are running.
   */
  resume(ctx: DeployContext, req: ResumeRequest): Promise<ResumeResult>;
  /** One run by name (its id on Argo, its execution name on Step Functions), or undefined. */
  run(ctx: DeployContext, name: string): Promise<RunInfo | undefined>;
  /** The name a backfilled run for `tick` gets (Argo: the name its CronWorkflow would give it). */
  backfillName(ctx: DeployContext, tick: Date): string;
  /**
   * Runs the live schedule started for ticks in [from, to), by tick (ISO UTC), where their names
   * do not already say so (Step Functions: Scheduler names runs at random).
   */
  scheduledRuns?(ctx: DeployContext, from: Date, to: Date): Promise<Map<string, RunInfo>>;
  runs(ctx: DeployContext, opts: { limit: number }): Promise<RunInfo[]>;
  versions?(ctx: DeployContext): Promise<VersionInfo[]>;
  /** Move `ctx`'s environment alias to the version that `fromEnv` runs. */
  promote?(ctx: DeployContext, fromEnv: CompiledFlow): Promise<ApplyResult>;
  rollback?(ctx: DeployContext, toVersion?: string): Promise<ApplyResult>;
  /** How a change's path reads in a plan (e.g. sfn: `state fit: Retry[0]`); plain paths otherwise. */
  label?(kind: string, path: DiffPath): string;
}
