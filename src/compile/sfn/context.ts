import type { EnvConfig, SfnConfig } from "../../config/types.ts";
import { STEP_ENV } from "../../contract/env.ts";
import type { FlowIR, StepIR } from "../../flow/ir.ts";
import type { SpecRef } from "../../flow/spec.ts";
import type { Graph } from "../../graph/types.ts";
import { derivedDefinitionName, sfnNames } from "../../names/sfn.ts";
import { resolveSecrets } from "../secrets.ts";
import type { CompileProblem } from "../types.ts";
import { arns, type Arns } from "./arns.ts";
import type { ComputeDefaults } from "./compute.ts";
import type { ScopeBlocks } from "./scope.ts";
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
  /** What most Tasks share (queue, definition, resources), carried once in the context (`$.compute`). */
  compute: ComputeDefaults;
  /** Definitions derived per image and secrets (name → image; "" keeps the base's), for deploy to register. */
  imageDefinitions: Map<string, string>;
  /** The secrets each derived definition carries (Batch/ECS `secrets`: name and valueFrom). */
  definitionSecrets: Map<string, JobSecret[]>;
  /** Every job/task definition a Task names (the IAM policy grants exactly these). */
  definitions: Set<string>;
  /** The blocks of every emitted scope, by its States object (see scope.ts). */
  scopes: WeakMap<object, ScopeBlocks>;
  /** The machines the flow was split into, for the IAM policy: the children, and those running Distributed Maps. */
  family?: { children: string[]; mapMachines: string[] };
  /** What the machine uses, for the IAM policy. */
  uses: { distributedMap: boolean; s3Read: boolean; s3Write: boolean; listExecutions: boolean; stopExecutions: boolean };
  problems: CompileProblem[];
}

/**
 * The context object every state receives and passes on unchanged (tasks use ResultPath null):
 * `{runId, index, params, env, compute}`, built once by the `Context` state.
 * - `env` is the task environment (FLOWC_ROOT, FLOWC_SPEC, FLOWC_PARAMS and the env every step
 *   shares): the spec key changes with every build, and one line of the diff should say so, not one
 *   per step. A value derived from the execution (`Value.$`, evaluated once in `Context`) reaches every
 *   task the same way, Map items and child state machines included.
 * - `compute` holds what every Task would otherwise repeat: the queue (cluster), the job (task)
 *   definition and the resources most steps ask for. A step that differs says so in its own Task.
 * Every state that rebuilds the context (Map items, catch, child machines) takes CONTEXT_KEYS, so a
 * key added here reaches all of them.
 */
export const CONTEXT_KEYS = ["runId", "index", "params", "env", "compute"] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** `{"runId.$": "<from>.runId", …}`: the context copied from the object at `from`, some keys from elsewhere. */
export function contextSelector(from: string, elsewhere: Partial<Record<ContextKey, string>> = {}): Record<string, string> {
  return Object.fromEntries(CONTEXT_KEYS.map((k) => [`${k}.$`, elsewhere[k] ?? `${from}.${k}`]));
}

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

export function newContext(args: Omit<SfnContext, "names" | "arns" | "imageDefinitions" | "definitionSecrets" | "definitions" | "uses" | "problems" | "compute" | "scopes"> & { compute: ComputeDefaults }): SfnContext {
  return {
    ...args,
    names: sfnNames(args.ir.name, args.env),
    arns: arns(args.sfn),
    imageDefinitions: new Map(),
    definitionSecrets: new Map(),
    definitions: new Set(),
    scopes: new WeakMap(),
    uses: { distributedMap: false, s3Read: false, s3Write: false, listExecutions: false, stopExecutions: false },
    problems: [],
  };
}

/** The configured Batch job definition / ECS task definition. */
export const baseDefinition = (sfn: SfnConfig) => (sfn.compute.kind === "batch" ? sfn.compute.jobDefinition : sfn.compute.taskDefinition);

/** A step's secrets as Batch job and ECS task definitions spell them (unresolvable ones reported to `problems`). */
function jobSecrets(env: EnvConfig, step: StepIR, problems: CompileProblem[], reported?: Set<string>): JobSecret[] {
  return resolveSecrets(step, env, "sfn", problems, reported).map((s): JobSecret => ({ name: s.name, valueFrom: s.aws! }));
}

/** The definition that runs a step's image with its secrets: the configured one, or a sibling of it. */
export function definitionName(sfn: SfnConfig, env: EnvConfig, step: StepIR): string {
  const image = step.image && step.image !== env.image ? step.image : undefined;
  return derivedDefinitionName(baseDefinition(sfn), image, jobSecrets(env, step, []));
}

const reportedSecrets = new WeakMap<SfnContext, Set<string>>();

/** The Batch job definition / ECS task definition that runs a step, recorded for deploy and IAM. */
export function definitionFor(ctx: SfnContext, step: StepIR): string {
  const image = step.image && step.image !== ctx.env.image ? step.image : undefined;
  if (!reportedSecrets.has(ctx)) reportedSecrets.set(ctx, new Set());
  const secrets = jobSecrets(ctx.env, step, ctx.problems, reportedSecrets.get(ctx));
  const name = derivedDefinitionName(baseDefinition(ctx.sfn), image, secrets);
  if (name !== baseDefinition(ctx.sfn)) ctx.imageDefinitions.set(name, image ?? "");
  if (secrets.length) ctx.definitionSecrets.set(name, secrets);
  ctx.definitions.add(name);
  return name;
}
