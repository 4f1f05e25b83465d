import type { CompiledFlow } from "../compile/pipeline.ts";
import type { TargetName } from "../compile/types.ts";
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
}

export interface ApplyResult {
  plan: Plan;
  /** Write calls made (0 for a no-op deploy). */
  writes: number;
  /** Console or UI link for the deployed flow, when one can be formed. */
  link?: string;
}

export interface RunInfo {
  id: string;
  status: string;
  startedAt?: string;
  stoppedAt?: string;
  durationSeconds?: number;
  link?: string;
}

export interface VersionInfo {
  version: string;
  createdAt?: string;
  description?: string;
  /** Aliases (environments) pointing at it. */
  aliases: string[];
}

/** What a deploy target implements. Versions exist on Step Functions only. */
export interface DeployTarget {
  name: TargetName;
  plan(ctx: DeployContext): Promise<Plan>;
  apply(ctx: DeployContext): Promise<ApplyResult>;
  destroy(ctx: DeployContext): Promise<ApplyResult>;
  trigger(ctx: DeployContext, params: Record<string, unknown>): Promise<RunInfo>;
  runs(ctx: DeployContext, opts: { limit: number }): Promise<RunInfo[]>;
  versions?(ctx: DeployContext): Promise<VersionInfo[]>;
  /** Move `ctx`'s environment alias to the version that `fromEnv` runs. */
  promote?(ctx: DeployContext, fromEnv: CompiledFlow): Promise<ApplyResult>;
  rollback?(ctx: DeployContext, toVersion?: string): Promise<ApplyResult>;
}
