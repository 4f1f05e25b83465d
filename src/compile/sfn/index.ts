import { toJson } from "../../render/serialize.ts";
import { buildManifest, manifestFile } from "../manifest.ts";
import { mergeUnder, template } from "../templates.ts";
import type { BundleFile, CompileInput, CompileProblem, CompileResult } from "../types.ts";
import { compactRetrier, ordered, type Definition, type State } from "./asl.ts";
import { computeDefaults } from "./compute.ts";
import { commonEnv, newContext, type SfnContext } from "./context.ts";
import { policyDocument } from "./iam.ts";
import { checkDefinitionSize, checkOverrides, checkPayload, checkStateNames, knownParams, overridesByStep, SFN_LIMITS, walkStates } from "./limits.ts";
import { START_CHILD } from "./child.ts";
import { assignParents, splitFamily, uploadSize, type MachinePart } from "./split.ts";
import { parseS3Root } from "./location.ts";
import { scheduleDocument } from "./schedule.ts";
import { definitionSecretsManifest, secretsPolicyDocument } from "./secrets-iam.ts";
import { emitScope } from "./scope.ts";
import { startStates } from "./start.ts";
import { triggersDocument } from "./triggers.ts";
import { notifyDocument } from "./notify.ts";

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

  const ctx = newContext({ ir, graph, env, sfn: env.sfn, spec, root, sharedEnv: [], commonStepEnv: commonEnv(ir.steps), compute: computeDefaults(env.sfn, env, ir.steps) });
  ctx.problems.push(...computeProblems(ctx));
  const start = startStates(ctx, "start");
  const top = emitScope(ctx, [], undefined);
  const definition: Definition = {
    Comment: `flowc: ${ir.name} (${env.name})${ir.description ? `. ${ir.description}` : ""}`,
    StartAt: start.startAt,
    ...(ir.timeoutSeconds ? { TimeoutSeconds: ir.timeoutSeconds } : {}),
    States: { ...orderAll(start.states), ...top },
  };
  ctx.scopes.set(definition.States, ctx.scopes.get(top)!);
  walkStates(definition.States, (_, s) => {
    if ("Retry" in s && s.Retry) s.Retry = s.Retry.map(compactRetrier);
  });
  // What deploy uploads, and what the 1 MiB quota counts: the definition without indentation. The
  // definition holds no undefined values, so plain JSON.stringify gives exactly toCompactJson's bytes.
  const budget = Math.min(env.sfn.maxDefinitionBytes ?? SFN_LIMITS.definitionBytes, SFN_LIMITS.definitionBytes);
  const whole = Buffer.byteLength(JSON.stringify(definition));
  const split = whole > budget;
  const family = split ? splitFamily(ctx, definition, budget) : [rootPart(ctx, definition)];
  const compact = split ? family.map((m) => JSON.stringify(m.definition)) : [];
  if (split) assignParents(family, compact, ctx.arns.integration(START_CHILD));
  const sizes = split ? compact.map(uploadSize) : [whole];
  const overrides = overridesByStep(ctx, family.map((m) => m.definition));
  ctx.problems.push(...family.flatMap((m, i) => [...checkStateNames(m.definition), ...checkDefinitionSize(ctx, m, sizes[i]!, split)]), ...checkPayload(ctx), ...checkOverrides(overrides));
  ctx.family = { children: family.filter((m) => m.key).map((m) => m.name), mapMachines: split ? family.filter((_, i) => compact[i]!.includes('"Mode":"DISTRIBUTED"')).map((m) => m.name) : [] };
  // Nothing is written when a limit is exceeded, so the (large) pretty text is not built then.
  const texts = hasError(ctx.problems) ? family.map(() => "") : family.map((m) => toJson(m.definition));

  const schedule = scheduleDocument(ctx);
  const triggers = triggersDocument(ctx);
  const notify = notifyDocument(ctx, input.source);
  ctx.problems.push(...schedule.problems, ...triggers.problems, ...notify.problems);
  const iam = policyDocument(ctx);

  const base = ir.name;
  const files: BundleFile[] = family.map((m, i) => ({ name: aslFile(base, m.key), content: texts[i]! }));
  if (schedule.doc) files.push({ name: `${base}.schedule.json`, content: toJson(schedule.doc) });
  if (triggers.doc) files.push({ name: `${base}.triggers.json`, content: toJson(triggers.doc) });
  if (notify.doc) files.push({ name: `${base}.notify.json`, content: toJson(notify.doc) });
  files.push({ name: `${base}.iam.json`, content: toJson(iam) });
  const secretsIam = secretsPolicyDocument(ctx);
  if (secretsIam) files.push({ name: `${base}.secrets.iam.json`, content: toJson(secretsIam) });

  const fileBytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const jobDefinitionSecrets = definitionSecretsManifest(ctx);
  const manifest = buildManifest(input, "sfn", resources(ctx, base, family, schedule.doc, triggers.doc, notify.doc), stats(ctx, family, sizes, fileBytes, overrides), {
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

function resources(ctx: SfnContext, base: string, family: MachinePart[], schedule: Record<string, unknown> | undefined, triggers: Record<string, unknown> | undefined, notify: Record<string, unknown> | undefined) {
  const out: Record<string, string | Record<string, string>> = {};
  // A child names the file of the machine that starts it: deploy creates children first, parents last.
  for (const m of family)
    out[aslFile(base, m.key)] = {
      stateMachine: m.name,
      alias: ctx.names.alias,
      aliasArn: ctx.arns.alias(m.name, ctx.names.alias),
      ...(m.parent !== undefined ? { parent: aslFile(base, m.parent) } : {}),
    };
  if (schedule) out[`${base}.schedule.json`] = { schedule: String(schedule.Name), group: String(schedule.GroupName) };
  if (triggers) out[`${base}.triggers.json`] = Object.fromEntries((triggers.rules as { Name: string }[]).map((r) => [r.Name, "rule"]));
  if (notify)
    out[`${base}.notify.json`] = Object.fromEntries([
      ...(notify.rules as { Name: string }[]).map((r) => [r.Name, "rule"]),
      ...((notify.apiDestinations ?? []) as { Name: string }[]).map((d) => [d.Name, "apiDestination"]),
    ]);
  out[`${base}.iam.json`] = { role: ctx.sfn.stateMachineRoleArn, policy: ctx.names.policy };
  if (ctx.imageDefinitions.size) {
    const key = ctx.sfn.compute.kind === "batch" ? "jobDefinitions" : "taskDefinitions";
    out[key] = sortedRecord(Object.fromEntries(ctx.imageDefinitions));
  }
  if (ctx.definitionSecrets.size) out[`${base}.secrets.iam.json`] = { executionRoleOf: ctx.sfn.compute.kind === "batch" ? ctx.sfn.compute.jobDefinition : ctx.sfn.compute.taskDefinition };
  return out;
}

/** Figures over the whole family (one machine for most flows); definitionBytes is the flow's own machine. */
function stats(ctx: SfnContext, family: MachinePart[], sizes: number[], fileBytes: number, overrides: Map<string, number>): Record<string, number> {
  const counts: Record<string, number> = { Task: 0, Pass: 0, Choice: 0, Parallel: 0, Map: 0, Fail: 0, Succeed: 0 };
  let states = 0;
  for (const m of family)
    walkStates(m.definition.States, (_, s) => {
      states++;
      counts[s.Type] = (counts[s.Type] ?? 0) + 1;
    });
  const maxOverrides = Math.max(0, ...overrides.values());
  const total = sizes.reduce((a, b) => a + b, 0);
  return {
    steps: ctx.ir.steps.length,
    states,
    taskStates: counts.Task!,
    parallelStates: counts.Parallel!,
    mapStates: counts.Map!,
    choiceStates: counts.Choice!,
    definitionBytes: sizes[0]!,
    bytesPerStep: Math.round(total / Math.max(1, ctx.ir.steps.length)),
    fileBytes,
    maxContainerOverridesChars: maxOverrides,
    defaultParamsBytes: Buffer.byteLength(JSON.stringify(knownParams(ctx))),
    ...(family.length > 1 ? { stateMachines: family.length, familyBytes: total, largestDefinitionBytes: Math.max(...sizes) } : {}),
  };
}

/** The bundle file of a family member: `<flow>.asl.json`, `<flow>.<key>.asl.json` for a child. */
export const aslFile = (base: string, key: string) => (key ? `${base}.${key}.asl.json` : `${base}.asl.json`);

const rootPart = (ctx: SfnContext, definition: Definition): MachinePart => ({ key: "", name: ctx.names.stateMachine, arn: ctx.arns.machine(ctx.names.stateMachine), definition, what: "" });

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
