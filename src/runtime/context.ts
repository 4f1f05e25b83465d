import type { RunContext } from "../contract/run-context.ts";
import type { StepContext, StepInput } from "../flow/author/types.ts";
import type { JsonValue, StepIR } from "../flow/ir.ts";
import { checkJson, decodeValue, encodeValue } from "./artifacts.ts";
import type { TaskInput } from "./inputs.ts";
import { isArtifactName, type TaskId } from "../contract/layout.ts";
import type { ArtifactLoader } from "./loader.ts";
import type { Encoding, View } from "./records.ts";
import { SECRET_SOURCES } from "./secrets.ts";

/** What a TypeScript body leaves behind: artifacts to store and the control decisions. */
export interface BodyOutputs {
  values: Map<string, { bytes: Buffer; enc: Encoding }>;
  foreach?: JsonValue[];
  choice?: string;
}

/** A step body's mistake (wrong artifact name, choose in a non-switch step…): reported as the task's error. */
export class StepUsageError extends Error {
  override name = "StepUsageError";
}

/**
 * The `ctx` a TypeScript step body gets (src/flow/author/types.ts). Reads are lazy and decoded on
 * first use; `set` encodes at once so that a value changed after `set` is stored as it was.
 */
export function createContext(opts: {
  task: TaskId;
  step: StepIR;
  attempt: number;
  params: Record<string, JsonValue>;
  run: RunContext;
  item: JsonValue | undefined;
  view: View;
  inputs: readonly TaskInput[];
  load: ArtifactLoader;
  /** The task's environment, which holds the step's secrets (deployed: injected by the platform). */
  env: NodeJS.ProcessEnv;
}): { ctx: StepContext; outputs: BodyOutputs } {
  const { task, step, load } = opts;
  const outputs: BodyOutputs = { values: new Map() };
  const decoded = new Map<string, JsonValue>();
  const where = `step \`${step.name}\``;

  const reader = (view: View, what: string) => (name: string): JsonValue => {
    const ref = view[name];
    if (!ref) {
      const names = Object.keys(view);
      throw new StepUsageError(`${what}: no artifact \`${name}\`; ${names.length ? `visible: ${names.sort().join(", ")}` : "none is visible"}`);
    }
    const cacheKey = `${ref.at}/${name}`;
    if (!decoded.has(cacheKey)) decoded.set(cacheKey, decodeValue(load(ref, name), ref.enc));
    // Hand out copies: a body mutating what it read must not change what another input returns.
    return structuredClone(decoded.get(cacheKey)!);
  };

  const getOwnOrVisible = reader(opts.view, where);
  const inputs: StepInput[] = opts.inputs.map((i) => {
    const get = reader(i.view, `input \`${i.name}\` of ${where}`);
    return Object.freeze({
      step: i.step,
      index: i.index,
      item: i.item,
      names: Object.freeze(Object.keys(i.view).sort()),
      get: <T extends JsonValue = JsonValue>(name: string) => get(name) as T,
      has: (name: string) => name in i.view,
    });
  });

  const ctx: StepContext = {
    flow: task.flow,
    runId: task.runId,
    step: task.step,
    index: task.index,
    attempt: opts.attempt,
    params: Object.freeze({ ...opts.params }),
    scheduledTime: opts.run.scheduledTime,
    trigger: opts.run.trigger,
    upstream: opts.run.upstream ? Object.freeze({ ...opts.run.upstream }) : undefined,
    item: opts.item,
    inputs: Object.freeze(inputs),
    set(name, value) {
      if (typeof name !== "string" || !isArtifactName(name))
        throw new StepUsageError(`${where}: ctx.set(${JSON.stringify(name)}): an artifact name is a relative path like "model" or "plots/loss.json"`);
      const err = checkJson(value);
      if (err) throw new StepUsageError(`${where}: ctx.set("${name}", …): ${err}`);
      outputs.values.set(name, encodeValue(value));
    },
    get<T extends JsonValue = JsonValue>(name: string): T {
      const own = outputs.values.get(name);
      if (own) return decodeValue(own.bytes, own.enc) as T;
      return getOwnOrVisible(name) as T;
    },
    has: (name) => outputs.values.has(name) || name in opts.view,
    foreach(items) {
      if (step.transition.kind !== "foreach") throw new StepUsageError(`${where} is not a foreach step; ctx.foreach() is only for steps with \`foreach: true\``);
      if (!Array.isArray(items)) throw new StepUsageError(`${where}: ctx.foreach() takes an array of items`);
      const err = checkJson(items, "items");
      if (err) throw new StepUsageError(`${where}: ctx.foreach(): ${err}`);
      outputs.foreach = structuredClone([...items]) as JsonValue[];
    },
    choose(caseName) {
      const t = step.transition;
      if (t.kind !== "switch") throw new StepUsageError(`${where} is not a switch step; ctx.choose() is only for steps with \`switch\``);
      if (!t.cases.some((c) => c.value === caseName))
        throw new StepUsageError(`${where}: ctx.choose(${JSON.stringify(caseName)}): the cases are ${t.cases.map((c) => JSON.stringify(c.value)).join(", ")}`);
      outputs.choice = caseName;
    },
    secret(name) {
      const declared = (step.secrets ?? []).map((x) => x.name);
      if (!declared.includes(name))
        throw new StepUsageError(`${where}: ctx.secret(${JSON.stringify(name)}): the step declares ${declared.length ? `only ${declared.join(", ")}` : "no secrets"}; add it under \`secrets:\``);
      const value = opts.env[name];
      if (value === undefined) throw new StepUsageError(`${where}: secret \`${name}\` has no value in this task's environment (${SECRET_SOURCES})`);
      return value;
    },
  };
  return { ctx, outputs };
}
