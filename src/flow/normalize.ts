import type { DiagnosticCode } from "../diagnostics/diagnostic.ts";
import type { DocPath } from "./load/source.ts";
import type {
  FlowIR,
  JsonValue,
  ParameterIR,
  ParameterType,
  RetryIR,
  ScheduleIR,
  StepIR,
  TransitionIR,
  TriggerIR,
} from "./ir.ts";
import { secretIR } from "./secrets.ts";
import { parseDuration, parseMemory } from "./units.ts";

/** Defaults of every step option, documented in docs/flow-format.md. */
export const STEP_DEFAULTS = {
  cpu: 1,
  memoryMiB: 4096,
  gpu: 0,
  retryDelaySeconds: 10,
  retryFactor: 2,
} as const;

export interface Problem {
  code: DiagnosticCode;
  message: string;
  hint: string;
  path: DocPath;
  part?: "key" | "value";
  severity?: "error" | "warning";
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const sortedRecord = <T>(o: Obj | undefined, pick: (v: unknown) => T | undefined): Record<string, T> => {
  const out: Record<string, T> = {};
  for (const k of Object.keys(o ?? {}).sort()) {
    const v = pick(o![k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
};

/**
 * Turns the raw document into the IR, tolerating anything the schema already reported (so that the
 * graph rules still run and the user sees every problem at once). Steps come back in file order;
 * `orderSteps` puts them in flow order once the graph is known.
 */
export function normalize(raw: unknown, functionSteps: ReadonlySet<string>, language: FlowIR["language"]): { ir: FlowIR; problems: Problem[] } {
  const problems: Problem[] = [];
  const doc = isObj(raw) ? raw : {};
  const defaults = isObj(doc.defaults) ? doc.defaults : {};

  const parameters: ParameterIR[] = Object.keys(isObj(doc.parameters) ? doc.parameters : {})
    .sort()
    .map((name) => {
      const p = (doc.parameters as Obj)[name];
      const def = isObj(p) ? p : {};
      const type = (str(def.type) ?? "string") as ParameterType;
      const param: ParameterIR = { name, type, required: def.required === true };
      if ("default" in def && def.default !== null) {
        param.default = def.default as JsonValue;
        if (!matchesType(def.default, type))
          problems.push({
            code: "PARAM_DEFAULT_TYPE",
            message: `parameter \`${name}\` is of type ${type}, but its default ${JSON.stringify(def.default)} is not`,
            hint: `give a default of type ${type}, or change the parameter's type`,
            path: ["parameters", name, "default"],
            part: "value",
          });
        if (def.required === true)
          problems.push({
            code: "PARAM_REQUIRED_WITH_DEFAULT",
            severity: "warning",
            message: `parameter \`${name}\` is required and has a default; the default is never used`,
            hint: "drop `required: true` or the default",
            path: ["parameters", name, "required"],
          });
      }
      if (typeof def.description === "string") param.description = def.description;
      return param;
    });

  const steps: StepIR[] = [];
  for (const [name, rawStep] of Object.entries(isObj(doc.steps) ? doc.steps : {})) {
    if (!isObj(rawStep)) continue;
    steps.push(normalizeStep(name, rawStep, defaults, functionSteps, problems));
  }

  const ir: FlowIR = {
    apiVersion: "flowc/v1",
    name: str(doc.name) ?? "",
    ...(str(doc.description) ? { description: str(doc.description) } : {}),
    parameters,
    ...(durationOf(doc.timeout) ? { timeoutSeconds: durationOf(doc.timeout) } : {}),
    ...(isObj(doc.schedule) ? { schedule: normalizeSchedule(doc.schedule, parameters, problems) } : {}),
    triggers: Array.isArray(doc.triggers) ? doc.triggers.flatMap((t, i) => normalizeTrigger(t, i, parameters, problems)) : [],
    tags: sortedRecord(isObj(doc.tags) ? doc.tags : undefined, str),
    steps,
    language,
  };
  return { ir, problems };
}

function normalizeStep(name: string, s: Obj, defaults: Obj, functionSteps: ReadonlySet<string>, problems: Problem[]): StepIR {
  const pick = <T>(key: string, f: (v: unknown) => T | undefined): T | undefined => f(s[key]) ?? f(defaults[key]);
  const hasBody = functionSteps.has(name);
  const command = Array.isArray(s.command) ? s.command.filter((c): c is string => typeof c === "string") : undefined;
  if (!hasBody && !command && s.command === undefined)
    problems.push({
      code: "STEP_NO_ACTION",
      message: `step \`${name}\` has neither a command nor a body`,
      hint: "give it `command: [prog, arg, ...]` (YAML) or `run: async (ctx) => {...}` (TypeScript)",
      path: ["steps", name],
    });
  if (hasBody && command)
    problems.push({
      code: "STEP_BOTH_ACTIONS",
      message: `step \`${name}\` has both a command and a body`,
      hint: "keep one: `command` runs a container, `run` a TypeScript function",
      path: ["steps", name, "command"],
    });

  const resources = { ...(isObj(defaults.resources) ? defaults.resources : {}), ...(isObj(s.resources) ? s.resources : {}) };
  const env = { ...(isObj(defaults.env) ? defaults.env : {}), ...(isObj(s.env) ? s.env : {}) };
  const secrets = normalizeSecrets(defaults.secrets, s.secrets);
  const timeoutSeconds = pick("timeout", durationOf);
  const step: StepIR = {
    name,
    ...(str(s.description) ? { description: str(s.description) } : {}),
    join: s.join === true,
    transition: normalizeTransition(name, s, problems),
    action: hasBody ? { kind: "function" } : { kind: "command", command: command ?? [] },
    ...(pick("image", str) ? { image: pick("image", str) } : {}),
    env: sortedRecord(env, str),
    ...(secrets.length ? { secrets } : {}),
    resources: {
      cpu: typeof resources.cpu === "number" && resources.cpu > 0 ? resources.cpu : STEP_DEFAULTS.cpu,
      memoryMiB: (typeof resources.memory === "string" ? parseMemory(resources.memory) : undefined) ?? STEP_DEFAULTS.memoryMiB,
      gpu: typeof resources.gpu === "number" && Number.isInteger(resources.gpu) && resources.gpu >= 0 ? resources.gpu : STEP_DEFAULTS.gpu,
    },
    retry: normalizeRetry(isObj(s.retry) ? s.retry : isObj(defaults.retry) ? defaults.retry : undefined),
    ...(timeoutSeconds ? { timeoutSeconds } : {}),
    // A caught switch would choose no case, so a default `catch` does not apply to switch steps.
    catch: typeof s.catch === "boolean" ? s.catch : defaults.catch === true && !isObj(s.switch),
  };
  if (s.catch === true && isObj(s.switch))
    problems.push({
      code: "CONFLICTING_TRANSITIONS",
      message: `switch step \`${name}\` cannot have \`catch: true\`: a failed switch chooses no case`,
      hint: "remove `catch` here; catch failures in the branches instead",
      path: ["steps", name, "catch"],
    });
  return step;
}

/** `defaults.secrets` merged under the step's, key by key like `env`; sorted by name. */
function normalizeSecrets(fromDefaults: unknown, own: unknown) {
  const merged = { ...(isObj(fromDefaults) ? fromDefaults : {}), ...(isObj(own) ? own : {}) };
  return Object.keys(merged)
    .sort()
    .flatMap((name) => (isObj(merged[name]) ? [secretIR(name, merged[name] as Obj)] : []));
}

function normalizeTransition(name: string, s: Obj, problems: Problem[]): TransitionIR {
  const next = typeof s.next === "string" ? [s.next] : Array.isArray(s.next) ? s.next.filter((n): n is string => typeof n === "string") : [];
  const sw = isObj(s.switch) ? s.switch : undefined;
  const conflict = (message: string, key: string) =>
    problems.push({ code: "CONFLICTING_TRANSITIONS", message: `step \`${name}\`: ${message}`, hint: "a step either goes on (`next`), splits (`next: [a, b]`), fans out (`foreach: true` + one `next`) or branches (`switch`)", path: ["steps", name, key] });
  if (s.parallelism !== undefined && s.foreach !== true)
    problems.push({ code: "PARALLELISM_NOT_FOREACH", message: `step \`${name}\` sets \`parallelism\` but is not a foreach`, hint: "`parallelism` limits how many foreach items run at once; add `foreach: true` or remove it", path: ["steps", name, "parallelism"] });

  if (name === "end") {
    if (next.length || sw || s.foreach === true)
      problems.push({ code: "END_HAS_NEXT", message: "`end` is the last step and cannot go anywhere", hint: "remove `next`, `switch` and `foreach` from `end`", path: ["steps", name, next.length ? "next" : sw ? "switch" : "foreach"] });
    return { kind: "end" };
  }
  if (sw) {
    if (next.length) conflict("has both `next` and `switch`", "switch");
    if (s.foreach === true) conflict("has both `foreach` and `switch`", "foreach");
    const cases = Object.keys(sw)
      .sort()
      .flatMap((value) => (typeof sw[value] === "string" ? [{ value, next: sw[value] as string }] : []));
    return { kind: "switch", cases };
  }
  if (s.foreach === true) {
    if (next.length !== 1) {
      if (next.length > 1) conflict("a foreach goes to exactly one step (its body), not a split", "next");
      else problems.push({ code: "NO_NEXT", message: `foreach \`${name}\` has no \`next\``, hint: "name the step that runs once per item: `next: body`", path: ["steps", name] });
      return { kind: "foreach", next: next[0] ?? "" };
    }
    return { kind: "foreach", next: next[0]!, ...(typeof s.parallelism === "number" ? { parallelism: s.parallelism } : {}) };
  }
  if (next.length > 1) return { kind: "split", next };
  if (next.length === 1) return { kind: "linear", next: next[0]! };
  problems.push({ code: "NO_NEXT", message: `step \`${name}\` does not say where to go next`, hint: "add `next: <step>`; only `end` may finish the flow", path: ["steps", name] });
  return { kind: "linear", next: "end" };
}

function normalizeRetry(r: Obj | undefined): RetryIR {
  const b = isObj(r?.backoff) ? r!.backoff : {};
  const max = durationOf(b.max);
  return {
    times: typeof r?.times === "number" && Number.isInteger(r.times) && r.times >= 0 ? r.times : 0,
    backoff: {
      delaySeconds: durationOf(b.delay) ?? STEP_DEFAULTS.retryDelaySeconds,
      factor: typeof b.factor === "number" && b.factor >= 1 ? b.factor : STEP_DEFAULTS.retryFactor,
      ...(max ? { maxDelaySeconds: max } : {}),
      jitter: b.jitter === true,
    },
    onTimeout: r?.onTimeout === true,
  };
}

function normalizeSchedule(s: Obj, params: ParameterIR[], problems: Problem[]): ScheduleIR {
  const deadline = durationOf(s.startingDeadline);
  const parameters = mappedParams(isObj(s.parameters) ? s.parameters : undefined, params, ["schedule", "parameters"], "schedule", problems);
  return {
    cron: str(s.cron) ?? "",
    ...(str(s.timezone) ? { timezone: str(s.timezone) } : {}),
    concurrency: s.concurrency === "forbid" || s.concurrency === "replace" ? s.concurrency : "allow",
    ...(deadline ? { startingDeadlineSeconds: deadline } : {}),
    parameters,
  };
}

/** A schedule's or trigger's `parameters`, sorted; names the flow does not declare are reported. */
function mappedParams(m: Obj | undefined, params: ParameterIR[], base: DocPath, what: string, problems: Problem[]): Record<string, string> {
  const out = sortedRecord(m, str);
  const known = new Set(params.map((p) => p.name));
  for (const k of Object.keys(out))
    if (!known.has(k))
      problems.push({ code: "TRIGGER_PARAM_UNKNOWN", message: `the ${what} sets parameter \`${k}\`, which the flow does not declare`, hint: `declare \`${k}\` under \`parameters\`, or remove it here`, path: [...base, k] });
  return out;
}

function normalizeTrigger(t: unknown, i: number, params: ParameterIR[], problems: Problem[]): TriggerIR[] {
  if (!isObj(t)) return [];
  const checkParams = (m: Obj | undefined, base: DocPath) => mappedParams(m, params, base, "trigger", problems);
  if (typeof t.afterFlow === "string") return [{ kind: "afterFlow", flow: t.afterFlow, parameters: {} }];
  if (isObj(t.afterFlow) && typeof t.afterFlow.flow === "string") {
    const parameters = checkParams(isObj(t.afterFlow.parameters) ? t.afterFlow.parameters : undefined, ["triggers", i, "afterFlow", "parameters"]);
    return [{ kind: "afterFlow", flow: t.afterFlow.flow, parameters }];
  }
  if (isObj(t.event)) {
    const e = t.event;
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined);
    const parameters = checkParams(isObj(e.parameters) ? e.parameters : undefined, ["triggers", i, "event", "parameters"]);
    return [
      {
        kind: "event",
        source: strings(e.source) ?? [],
        ...(strings(e.detailType) ? { detailType: strings(e.detailType) } : {}),
        ...(isObj(e.detail) ? { detail: sortDeep(e.detail) as Record<string, JsonValue> } : {}),
        parameters,
      },
    ];
  }
  return [];
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortDeep(v[k])]));
  return v;
}

const durationOf = (v: unknown) => (typeof v === "string" ? parseDuration(v) : undefined);

export function matchesType(v: unknown, type: ParameterType): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "number":
      return typeof v === "number" && Number.isFinite(v);
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "boolean":
      return typeof v === "boolean";
    case "json":
      return true;
  }
}
