import { toJson } from "../../render/serialize.ts";
import { buildManifest, manifestFile } from "../manifest.ts";
import { mergeUnder, template } from "../templates.ts";
import type { BundleFile, CompileInput, CompileProblem, CompileResult } from "../types.ts";
import { ordered, type Definition, type State } from "./asl.ts";
import { commonEnv, newContext, type SfnContext } from "./context.ts";
import { policyDocument } from "./iam.ts";
import { checkDefinitionSize, checkOverrides, checkPayload, checkStateNames, knownParams, overridesByStep, walkStates } from "./limits.ts";
import { parseS3Root } from "./location.ts";
import { scheduleDocument } from "./schedule.ts";
import { definitionSecretsManifest, secretsPolicyDocument } from "./secrets-iam.ts";
import { emitScope } from "./scope.ts";
import { startStates } from "./start.ts";
import { triggersDocument } from "./triggers.ts";

/**
 * Compiles a flow to an AWS Step Functions bundle: the state machine (ASL), its schedule, its trigger
 * rules, the IAM policy its role needs and a manifest. Pure: every value comes from the input (flow,
 * graph, environment configuration, spec), so the same input always gives the same bytes. See
 * docs/sfn-mapping.md for the mapping and the decisions behind it.
 */
export function compileSfn(input: CompileInput): CompileResult {
  const { ir, graph, env, spec } = input;
  const fail = (problems: CompileProblem[]): CompileResult => ({
    files: [],
    primary: `${ir.name}.asl.json`,
    manifest: buildManifest(input, "sfn", {}, {}),
    problems,
  });
  if (!env.sfn)
    return fail([{ code: "CONFIG_INVALID", message: `environment \`${env.name}\` has no \`sfn\` section`, hint: "add sfn: { region, account, stateMachineRoleArn, batch: {...} } to flowc.config.yaml", path: [] }]);
  const root = parseS3Root(env.datastore);
  if (!root)
    return fail([{ code: "CONFIG_INVALID", message: `environment \`${env.name}\` keeps its datastore at ${env.datastore}; Step Functions runs need an s3:// datastore`, hint: "set datastore: s3://bucket/prefix for this environment", path: [] }]);

  const ctx = newContext({ ir, graph, env, sfn: env.sfn, spec, root, sharedEnv: [], commonStepEnv: commonEnv(ir.steps) });
  ctx.problems.push(...computeProblems(ctx));
  const start = startStates(ctx, "start");
  const definition: Definition = {
    Comment: `flowc: ${ir.name} (${env.name})${ir.description ? `. ${ir.description}` : ""}`,
    StartAt: start.startAt,
    ...(ir.timeoutSeconds ? { TimeoutSeconds: ir.timeoutSeconds } : {}),
    States: { ...orderAll(start.states), ...emitScope(ctx, [], undefined) },
  };
  // What deploy uploads, and what the 1 MiB quota counts: the definition without indentation. The
  // definition holds no undefined values, so plain JSON.stringify gives exactly toCompactJson's bytes.
  const definitionBytes = Buffer.byteLength(JSON.stringify(definition));
  const overrides = overridesByStep(ctx, definition);
  ctx.problems.push(...checkStateNames(definition), ...checkDefinitionSize(ctx, definition, definitionBytes), ...checkPayload(ctx), ...checkOverrides(overrides));
  // Nothing is written when a limit is exceeded, so the (large) pretty text is not built then.
  const asl = hasError(ctx.problems) ? "" : toJson(definition);

  const schedule = scheduleDocument(ctx);
  const triggers = triggersDocument(ctx);
  ctx.problems.push(...schedule.problems, ...triggers.problems);
  const iam = policyDocument(ctx);

  const base = ir.name;
  const files: BundleFile[] = [{ name: `${base}.asl.json`, content: asl }];
  if (schedule.doc) files.push({ name: `${base}.schedule.json`, content: toJson(schedule.doc) });
  if (triggers.doc) files.push({ name: `${base}.triggers.json`, content: toJson(triggers.doc) });
  files.push({ name: `${base}.iam.json`, content: toJson(iam) });
  const secretsIam = secretsPolicyDocument(ctx);
  if (secretsIam) files.push({ name: `${base}.secrets.iam.json`, content: toJson(secretsIam) });

  const jobDefinitionSecrets = definitionSecretsManifest(ctx);
  const manifest = buildManifest(input, "sfn", resources(ctx, base, schedule.doc, triggers.doc), stats(ctx, definition, definitionBytes, Buffer.byteLength(asl), overrides), {
    stateMachine: stateMachineSettings(ctx),
    ...(jobDefinitionSecrets ? { jobDefinitionSecrets } : {}),
  });
  files.push({ name: manifestFile(base), content: toJson(manifest) });
  const problems = ctx.problems;
  return { files: hasError(problems) ? [] : files, primary: `${base}.asl.json`, manifest, problems };
}

const hasError = (problems: CompileProblem[]) => problems.some((p) => (p.severity ?? "error") === "error");

function computeProblems(ctx: SfnContext): CompileProblem[] {
  const c = ctx.sfn.compute;
  if (c.kind !== "ecs" || c.launchType !== "FARGATE") return [];
  return ctx.ir.steps
    .filter((s) => s.resources.gpu > 0)
    .map((s) => ({
      code: "TARGET_UNSUPPORTED" as const,
      message: `step \`${s.name}\` asks for ${s.resources.gpu} GPU, but environment \`${ctx.env.name}\` runs steps on Fargate, which has no GPUs`,
      hint: "use sfn.batch (with a GPU compute environment) or ecs with launchType: EC2",
      path: ["steps", s.name, "resources", "gpu"],
    }));
}

const sortedRecord = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function orderAll(states: Record<string, State>): Record<string, State> {
  return Object.fromEntries(Object.entries(states).map(([n, s]) => [n, ordered(s)]));
}

function resources(ctx: SfnContext, base: string, schedule: Record<string, unknown> | undefined, triggers: Record<string, unknown> | undefined) {
  const out: Record<string, string | Record<string, string>> = {
    [`${base}.asl.json`]: { stateMachine: ctx.names.stateMachine, alias: ctx.names.alias, aliasArn: ctx.arns.alias(ctx.names.stateMachine, ctx.names.alias) },
  };
  if (schedule) out[`${base}.schedule.json`] = { schedule: String(schedule.Name), group: String(schedule.GroupName) };
  if (triggers) out[`${base}.triggers.json`] = Object.fromEntries((triggers.rules as { Name: string }[]).map((r) => [r.Name, "rule"]));
  out[`${base}.iam.json`] = { role: ctx.sfn.stateMachineRoleArn, policy: ctx.names.policy };
  if (ctx.imageDefinitions.size) {
    const key = ctx.sfn.compute.kind === "batch" ? "jobDefinitions" : "taskDefinitions";
    out[key] = sortedRecord(Object.fromEntries(ctx.imageDefinitions));
  }
  if (ctx.definitionSecrets.size) out[`${base}.secrets.iam.json`] = { executionRoleOf: ctx.sfn.compute.kind === "batch" ? ctx.sfn.compute.jobDefinition : ctx.sfn.compute.taskDefinition };
  return out;
}

function stats(ctx: SfnContext, definition: Definition, definitionBytes: number, fileBytes: number, overrides: Map<string, number>): Record<string, number> {
  const counts: Record<string, number> = { Task: 0, Pass: 0, Choice: 0, Parallel: 0, Map: 0, Fail: 0, Succeed: 0 };
  let states = 0;
  walkStates(definition.States, (_, s) => {
    states++;
    counts[s.Type] = (counts[s.Type] ?? 0) + 1;
  });
  const maxOverrides = Math.max(0, ...overrides.values());
  return {
    steps: ctx.ir.steps.length,
    states,
    taskStates: counts.Task!,
    parallelStates: counts.Parallel!,
    mapStates: counts.Map!,
    choiceStates: counts.Choice!,
    definitionBytes,
    bytesPerStep: Math.round(definitionBytes / Math.max(1, ctx.ir.steps.length)),
    fileBytes,
    maxContainerOverridesChars: maxOverrides,
    defaultParamsBytes: Buffer.byteLength(JSON.stringify(knownParams(ctx))),
  };
}

/** CreateStateMachine settings that are not part of the definition; deploy applies them. */
function stateMachineSettings(ctx: SfnContext): Record<string, unknown> {
  const l = ctx.sfn.logging;
  return mergeUnder(template(ctx.env.templates, "sfn/state-machine.json"), {
    name: ctx.names.stateMachine,
    type: "STANDARD",
    roleArn: ctx.sfn.stateMachineRoleArn,
    ...(l ? { loggingConfiguration: { level: l.level, includeExecutionData: l.includeExecutionData, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: l.logGroupArn } }] } } : {}),
    tracingConfiguration: { enabled: ctx.sfn.tracing },
    tags: sortedRecord({ ...ctx.env.tags, ...ctx.ir.tags }),
  });
}
