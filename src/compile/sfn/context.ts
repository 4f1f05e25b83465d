import type { EnvConfig, SfnConfig } from "../../config/types.ts";
import { STEP_ENV } from "../../contract/env.ts";
import type { FlowIR, StepIR } from "../../flow/ir.ts";
import type { SpecRef } from "../../flow/spec.ts";
import type { Graph } from "../../graph/types.ts";
import { derivedDefinitionName, sfnNames } from "../../names/sfn.ts";
import { resolveSecrets } from "../secrets.ts";
import type { CompileProblem } from "../types.ts";
import { arns, type Arns } from "./arns.ts";
import type { S3Root } from "./location.ts";

export interface EnvVar {
  Name: string;
  Value?: string;
  "Value.$"?: string;
}

/** Everything the emitters share for one compile; built once by compileSfn. */
export interface SfnContext {
  ir: FlowIR;
  graph: Graph;
  env: EnvConfig;
  sfn: SfnConfig;
  spec: SpecRef;
  root: S3Root;
  names: ReturnType<typeof sfnNames>;
  arns: Arns;
  /** Environment variables every task gets, carried once in the context object (`$.env`). */
  sharedEnv: EnvVar[];
  /** Step env pairs every step has (flow defaults): carried in `$.env` too, so tasks stay small. */
  commonStepEnv: Record<string, string>;
  /** Definitions derived per image and secrets (name → image; "" keeps the base's), for deploy to register. */
  imageDefinitions: Map<string, string>;
  /** The secrets each derived definition carries (Batch/ECS `secrets`: name and valueFrom). */
  definitionSecrets: Map<string, JobSecret[]>;
  /** Every job/task definition a Task names (the IAM policy grants exactly these). */
  definitions: Set<string>;
  /** What the machine uses, for the IAM policy. */
  uses: { distributedMap: boolean; s3Read: boolean; s3Write: boolean; listExecutions: boolean; stopExecutions: boolean };
  problems: CompileProblem[];
}

/**
 * The context object every state receives and passes on unchanged (tasks use ResultPath null):
 * `{runId, index, params, env}`. `env` is the task environment (FLOWC_ROOT, FLOWC_SPEC, FLOWC_PARAMS
 * and the env every step shares), built once at the start so that each Task only points at it: the
 * spec key changes with every build, and one line of the diff should say so, not one per step.
 */
export function buildSharedEnv(env: EnvConfig, spec: SpecRef, common: Record<string, string>, paramsExpr: string): EnvVar[] {
  return [
    { Name: STEP_ENV.root, Value: env.datastore },
    { Name: STEP_ENV.spec, Value: spec.key },
    { Name: STEP_ENV.params, "Value.$": `States.JsonToString(${paramsExpr})` },
    // Evaluated once, in the top-level execution: a Distributed Map's children have start times of their own.
    { Name: STEP_ENV.startedAt, "Value.$": "$$.Execution.StartTime" },
    ...Object.entries(common).map(([Name, Value]) => ({ Name, Value })),
  ];
}

/** Pairs present with the same value in every step's env. */
export function commonEnv(steps: readonly StepIR[]): Record<string, string> {
  const [first, ...rest] = steps;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first.env).filter(([k, v]) => rest.every((s) => s.env[k] === v)));
}

/** A container secret as Batch job and ECS task definitions spell it. */
export interface JobSecret {
  name: string;
  valueFrom: string;
}

export function newContext(args: Omit<SfnContext, "names" | "arns" | "imageDefinitions" | "definitionSecrets" | "definitions" | "uses" | "problems">): SfnContext {
  return {
    ...args,
    names: sfnNames(args.ir.name, args.env),
    arns: arns(args.sfn),
    imageDefinitions: new Map(),
    definitionSecrets: new Map(),
    definitions: new Set(),
    uses: { distributedMap: false, s3Read: false, s3Write: false, listExecutions: false, stopExecutions: false },
    problems: [],
  };
}

const reportedSecrets = new WeakMap<SfnContext, Set<string>>();

/** The Batch job definition / ECS task definition that runs a step's image with its secrets. */
export function definitionFor(ctx: SfnContext, step: StepIR): string {
  const base = ctx.sfn.compute.kind === "batch" ? ctx.sfn.compute.jobDefinition : ctx.sfn.compute.taskDefinition;
  const image = step.image && step.image !== ctx.env.image ? step.image : undefined;
  if (!reportedSecrets.has(ctx)) reportedSecrets.set(ctx, new Set());
  const secrets = resolveSecrets(step, ctx.env, "sfn", ctx.problems, reportedSecrets.get(ctx)).map((s): JobSecret => ({ name: s.name, valueFrom: s.aws! }));
  const name = derivedDefinitionName(base, image, secrets);
  if (name !== base) ctx.imageDefinitions.set(name, image ?? "");
  if (secrets.length) ctx.definitionSecrets.set(name, secrets);
  ctx.definitions.add(name);
  return name;
}
