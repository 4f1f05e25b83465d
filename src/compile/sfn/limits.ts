import type { JsonValue } from "../../flow/ir.ts";
import { STEP_ENV } from "../../contract/env.ts";
import { NAME_LIMITS } from "../../names/limits.ts";
import { toCompactJson } from "../../render/serialize.ts";
import type { CompileProblem } from "../types.ts";
import type { Definition, State, TaskState } from "./asl.ts";
import { LISTING_BYTES } from "./concurrency.ts";
import type { EnvVar, SfnContext } from "./context.ts";

/** Step Functions and EventBridge quotas flowc checks before writing anything. */
export const SFN_LIMITS = {
  definitionBytes: 1_048_576,
  payloadBytes: 262_144,
  containerOverridesChars: 8_192,
  eventBridgeInputChars: 8_192,
  stateName: NAME_LIMITS.sfnStateName,
} as const;

/** Batch adds its own variables (AWS_BATCH_JOB_ID, AWS_BATCH_JQ_NAME, ...) to the overrides it sends to ECS. */
const BATCH_OVERRIDES_OVERHEAD = 512;
/** The longest values the context can hold at run time: an execution name, a deep index, an attempt. */
const WORST = { runId: "r".repeat(80), indexPart: "99999", attempt: "99" };

const fmt = (n: number) => n.toLocaleString("en-US");
const limitProblem = (message: string, hint: string, path: (string | number)[]): CompileProblem => ({ code: "LIMIT_EXCEEDED", message, hint, path });

/** Parameter values a run starts with, as far as the compiler knows: defaults, and "" for required ones. */
export function knownParams(ctx: SfnContext): Record<string, JsonValue> {
  return Object.fromEntries(ctx.ir.parameters.map((p) => [p.name, p.default ?? ""]));
}

/**
 * The shared env as a task receives it: FLOWC_PARAMS is the parameters' JSON; any other value the
 * Context state derives from the execution is counted at the longest an execution name can be.
 */
function renderShared(list: EnvVar[], paramsJson: string): { Name: string; Value: string }[] {
  return list.map((v) => ({ Name: v.Name, Value: v["Value.$"] === undefined ? (v.Value ?? "") : v.Name === STEP_ENV.params ? paramsJson : WORST.runId }));
}

/** A step's own list: its shared entries read the context's copy (`$.env[i].Value`). */
function renderOwn(list: EnvVar[], shared: { Name: string; Value: string }[]): { Name: string; Value: string }[] {
  return list.map((v) => {
    const i = /^\$\.env\[(\d+)\]\.Value$/.exec(v["Value.$"] ?? "")?.[1];
    return { Name: v.Name, Value: i !== undefined ? (shared[Number(i)]?.Value ?? "") : (v.Value ?? WORST.runId) };
  });
}

/**
 * The container overrides of a step's Task as they will be sent at run time, at their largest: ECS
 * refuses overrides over 8,192 characters (Metaflow#977, #1482), and the job then fails at submission.
 */
export function renderedOverridesChars(ctx: SfnContext, task: TaskState, depth: number, paramsJson = JSON.stringify(knownParams(ctx)), shared = renderShared(ctx.sharedEnv, paramsJson)): number {
  const index = Array.from({ length: depth }, () => WORST.indexPart).join(".");
  const command = ["flowc", "step", "--run-id", WORST.runId, "--step", "x", "--index", index, "--attempt", WORST.attempt];
  const render = (o: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === "Command.$") out.Command = command;
      else if (k === "Environment.$") out.Environment = shared;
      else if (k === "Environment") out.Environment = renderOwn(v as EnvVar[], shared);
      else if (k.endsWith(".$")) out[k.slice(0, -2)] = ctx.compute.fields[k.slice(0, -2)] ?? WORST.runId;
      else out[k] = v;
    }
    return out;
  };
  // A length estimate, not output: plain JSON.stringify is enough (and fast on 10,000 steps).
  const p = task.Parameters ?? {};
  if (ctx.sfn.compute.kind === "batch") {
    return JSON.stringify(render(p.ContainerOverrides as Record<string, unknown>)).length + BATCH_OVERRIDES_OVERHEAD;
  }
  const overrides = p.Overrides as { ContainerOverrides: Record<string, unknown>[] };
  return JSON.stringify({ ...overrides, ContainerOverrides: overrides.ContainerOverrides.map(render) }).length;
}

/** Each step's rendered container overrides, in characters, over every machine of the family. */
export function overridesByStep(ctx: SfnContext, definitions: Definition[]): Map<string, number> {
  const out = new Map<string, number>();
  const paramsJson = JSON.stringify(knownParams(ctx));
  const shared = renderShared(ctx.sharedEnv, paramsJson);
  const steps = new Set(ctx.ir.steps.map((s) => s.name));
  // Most Tasks' overrides are the same references (only the step name in the command differs, and
  // the estimate does not depend on it): each distinct one is rendered once.
  const seen = new Map<string, number>();
  for (const definition of definitions)
    walkStates(definition.States, (name, state) => {
      if (!steps.has(name) || state.Type !== "Task" || state.Parameters?.StateMachineArn !== undefined) return;
      const depth = ctx.graph.nodes.get(name)?.foreachDepth ?? 0;
      const p = state.Parameters ?? {};
      const key = `${depth}|${JSON.stringify(p.ContainerOverrides ?? p.Overrides, (k, v) => (k === "Command.$" ? "" : v))}`;
      let chars = seen.get(key);
      if (chars === undefined) seen.set(key, (chars = renderedOverridesChars(ctx, state, depth, paramsJson, shared)));
      out.set(name, chars);
    });
  return out;
}

export function checkOverrides(overrides: Map<string, number>): CompileProblem[] {
  const problems: CompileProblem[] = [];
  for (const [name, chars] of overrides) {
    if (chars > SFN_LIMITS.containerOverridesChars)
      problems.push(
        limitProblem(
          `step \`${name}\`: its container overrides reach ${fmt(chars)} characters at run time; ECS accepts at most ${fmt(SFN_LIMITS.containerOverridesChars)}`,
          "shorten the step's env or the parameter defaults (FLOWC_PARAMS carries them); put large values in files the step reads",
          ["steps", name],
        ),
      );
  }
  return problems;
}

/** The context object at its largest known size: it is the execution's payload between states. */
export function checkPayload(ctx: SfnContext): CompileProblem[] {
  const params = knownParams(ctx);
  const context = { runId: WORST.runId, index: "", params, env: renderShared(ctx.sharedEnv, toCompactJson(params)), compute: ctx.compute.fields, failure: { Error: "", Cause: "" } };
  // The concurrency check holds a page of running executions in the context for a moment.
  const listing = ctx.uses.listExecutions ? LISTING_BYTES : 0;
  const bytes = Buffer.byteLength(toCompactJson(context)) + listing;
  if (bytes <= SFN_LIMITS.payloadBytes) return [];
  return [
    limitProblem(
      `the run's context (parameters, their JSON copy in FLOWC_PARAMS, the shared env${listing ? ", the concurrency check's page of running executions" : ""}) is ${fmt(bytes)} bytes; Step Functions passes at most ${fmt(SFN_LIMITS.payloadBytes)} bytes (256 KiB) between states`,
      "make parameter defaults small: pass a datastore key instead of the data",
      ["parameters"],
    ),
  ];
}

/**
 * The 1 MiB definition, measured on the compact JSON that deploy uploads (the quota counts the
 * definition string; indentation is for reviewers and is not sent). A flow larger than that is split
 * into a family of machines first (split.ts); what remains too big is what cannot be split, and the
 * message names the step at which the states, in flow order, pass the limit.
 */
export function checkDefinitionSize(ctx: SfnContext, part: { name: string; definition: Definition }, bytes: number, split: boolean): CompileProblem[] {
  const definition = part.definition;
  if (bytes <= SFN_LIMITS.definitionBytes) return [];
  const owned = new Map<string, number>();
  let total = 0;
  walkStates(definition.States, (name, state) => {
    const own = Buffer.byteLength(JSON.stringify(shallow(state)));
    const step = name.split(".")[0]!;
    owned.set(step, (owned.get(step) ?? 0) + own);
    total += own;
  });
  const scale = bytes / Math.max(1, total);
  const order = ctx.graph.order.filter((n) => owned.has(n));
  let sum = (total - order.reduce((s, n) => s + (owned.get(n) ?? 0), 0)) * scale;
  let crossing = order[order.length - 1] ?? ctx.graph.order[0]!;
  if (split) {
    // The step whose own states are the largest: the part that cannot be cut.
    const [largest] = [...owned].filter(([n]) => ctx.graph.nodes.has(n)).sort((a, b) => b[1] - a[1]);
    if (largest) crossing = largest[0];
    return [
      limitProblem(
        `state machine ${part.name} is ${fmt(bytes)} bytes as uploaded after splitting the flow into child state machines; Step Functions accepts at most ${fmt(SFN_LIMITS.definitionBytes)} bytes (1 MiB), and step \`${crossing}\` alone takes ${fmt(Math.round((owned.get(crossing) ?? 0) * scale))} bytes of it, which cannot be split`,
        "make that step's states smaller: fewer switch cases, shorter descriptions, or move its work into a foreach",
        ["steps", crossing],
      ),
    ];
  }
  for (const n of order) {
    sum += (owned.get(n) ?? 0) * scale;
    if (sum > SFN_LIMITS.definitionBytes) {
      crossing = n;
      break;
    }
  }
  const steps = ctx.ir.steps.length;
  return [
    limitProblem(
      `the state machine definition is ${fmt(bytes)} bytes as uploaded (${fmt(Math.round(bytes / steps))} per step over ${fmt(steps)} steps); Step Functions accepts at most ${fmt(SFN_LIMITS.definitionBytes)} bytes (1 MiB), and the steps in flow order pass that at step \`${crossing}\``,
      "split the flow into several flows chained with `triggers: [{ afterFlow: <flow> }]`, or move repeated work into a foreach",
      ["steps", crossing],
    ),
  ];
}

export function checkStateNames(definition: Definition): CompileProblem[] {
  const problems: CompileProblem[] = [];
  walkStates(definition.States, (name) => {
    if (name.length > SFN_LIMITS.stateName)
      problems.push(limitProblem(`state name \`${name}\` has ${name.length} characters; Step Functions allows ${SFN_LIMITS.stateName}`, "this is a flowc bug: names are shortened before this check", ["steps", name.split(".")[0]!]));
  });
  return problems;
}

export function checkEventInput(what: string, text: string, path: (string | number)[]): CompileProblem[] {
  if (text.length <= SFN_LIMITS.eventBridgeInputChars) return [];
  return [limitProblem(`${what} is ${fmt(text.length)} characters; EventBridge accepts at most ${fmt(SFN_LIMITS.eventBridgeInputChars)}`, "map fewer event fields to parameters", path)];
}

/** Every state of a definition, nested branches and Map bodies included, parents before children. */
export function walkStates(states: Record<string, State>, visit: (name: string, state: State) => void): void {
  for (const [name, state] of Object.entries(states)) {
    visit(name, state);
    if (state.Type === "Parallel") for (const b of state.Branches) walkStates(b.States, visit);
    if (state.Type === "Map") walkStates(state.ItemProcessor.States, visit);
  }
}

/** A state without its nested states, so that walkStates sizes each state once. */
function shallow(state: State): unknown {
  if (state.Type === "Parallel") return { ...state, Branches: [] };
  if (state.Type === "Map") return { ...state, ItemProcessor: { ...state.ItemProcessor, States: {} } };
  return state;
}
