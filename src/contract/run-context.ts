/**
 * The run context: when a run is *for* (its scheduled time) and what started it. Every start path
 * passes it to `flowc step` the same way, as a reserved parameter `_flowc` (a name no flow parameter
 * can have): an object in the Step Functions execution input, JSON text in an Argo workflow argument,
 * an object in what `flowc run` hands its workers. `flowc step` takes it out of the parameters,
 * expands the mapped parameters from it (src/flow/placeholders.ts), and gives the task
 * FLOWC_SCHEDULED_TIME, FLOWC_TRIGGER and the upstream run (docs/step-contract.md, "Run context").
 *
 *   _flowc: { trigger, scheduledTime?, upstream?: { flow, runId }, templates?: [parameter names] }
 *
 * `templates` names the parameters whose values are templates to expand (a schedule's or trigger's
 * mapping); a value given by a person is never expanded. Without `scheduledTime` the run is for the
 * time it started (FLOWC_RUN_STARTED_AT, which each target sets from its own clock once per run) or,
 * for an Argo CronWorkflow, Argo's `{{workflow.scheduledTime}}` (FLOWC_CRON_TIME).
 */
import type { FlowIR, JsonValue, TriggerIR } from "../flow/ir.ts";
import { isJsonPath, lonePlaceholder, parseTemplate, type TemplatePart } from "../flow/placeholders.ts";
import { envText } from "./env.ts";

/** The reserved parameter that carries the run context. */
export const RUN_CONTEXT_PARAM = "_flowc";

/** How a run was started: `manual`, `schedule`, `backfill`, `after-<flow>` or `event-<n>` (a trigger's id). */
export type TriggerName = string;

export interface RunContext {
  /** ISO-8601 UTC, whole seconds: `2026-12-04T05:00:00Z`. */
  scheduledTime: string;
  trigger: TriggerName;
  upstream?: { flow: string; runId: string };
}

/** What a start path passes under `_flowc`. */
export interface RunContextInput {
  /**
   * A resumed run's own run id, when the execution that resumes it has another name (a new Step
   * Functions execution, a new Argo Workflow): its tasks then find the finished tasks of the run.
   */
  runId?: string;
  trigger?: TriggerName;
  scheduledTime?: string;
  upstream?: { flow: string; runId: string };
  templates?: string[];
}

/**
 * A trigger's id: the suffix of its Step Functions rule name and the `flowc.dev/trigger` label of
 * the Argo Workflows it submits. `event-<n>` counts event triggers from 1.
 */
export function triggerName(triggers: readonly TriggerIR[], i: number): TriggerName {
  const t = triggers[i]!;
  if (t.kind === "afterFlow") return `after-${t.flow}`;
  return `event-${triggers.slice(0, i + 1).filter((x) => x.kind === "event").length}`;
}

/** The `_flowc` value that passes a resolved context on unchanged (flowc run, trigger, backfill, resume). */
export function runContextInput(ctx: RunContext): RunContextInput & JsonObject {
  return { trigger: ctx.trigger, scheduledTime: ctx.scheduledTime, ...(ctx.upstream ? { upstream: { ...ctx.upstream } } : {}) };
}
type JsonObject = { [key: string]: JsonValue };

/** Whether runs started this way take the schedule's mapping (a backfill run is a scheduled run, late). */
export const isScheduled = (trigger: TriggerName) => trigger === "schedule" || trigger === "backfill";

/** The mapping a run started by `trigger` expands, or undefined (manual runs map nothing). */
export function mappingOf(ir: FlowIR, trigger: TriggerName): Record<string, string> | undefined {
  if (isScheduled(trigger)) return ir.schedule?.parameters;
  const i = ir.triggers.findIndex((_, k) => triggerName(ir.triggers, k) === trigger);
  return i < 0 ? undefined : ir.triggers[i]!.parameters;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Any ISO-8601 time with a zone as UTC, whole seconds; undefined when it is not one. */
export function normalizeTime(text: string | undefined): string | undefined {
  if (!text || !ISO.test(text.trim())) return undefined;
  const t = new Date(text.trim());
  return Number.isNaN(t.getTime()) ? undefined : `${t.toISOString().slice(0, 19)}Z`;
}

/** The calendar date of a UTC time in a time zone, YYYY-MM-DD. */
export function dateIn(time: string, timezone: string | undefined): string {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: timezone ?? "UTC", year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date(time));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

type Params = Record<string, unknown>;
type ArgoParams = { name: string; value: string }[];

/**
 * Takes the run context out of the parameters as an orchestrator passed them (an object, or Argo's
 * [{name, value}] array); the rest are the run's own parameters.
 */
export function takeRunContext<P extends Params | ArgoParams>(params: P): { params: P; input?: RunContextInput; error?: string } {
  let raw: unknown;
  let rest: P;
  if (Array.isArray(params)) {
    const entry = params.find((p) => p?.name === RUN_CONTEXT_PARAM);
    if (!entry) return { params };
    rest = params.filter((p) => p !== entry) as P;
    raw = entry.value;
  } else {
    if (!(RUN_CONTEXT_PARAM in params)) return { params };
    const { [RUN_CONTEXT_PARAM]: value, ...others } = params;
    rest = others as unknown as P;
    raw = value;
  }
  if (typeof raw === "string") {
    const text = raw;
    if (text.trim() === "") return { params: rest, input: {} };
    try {
      raw = JSON.parse(text);
    } catch {
      return { params: rest, error: `the run context (${RUN_CONTEXT_PARAM}) is not JSON: ${JSON.stringify(text.slice(0, 80))}` };
    }
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { params: rest, error: `the run context (${RUN_CONTEXT_PARAM}) must be an object` };
  return { params: rest, input: raw as RunContextInput };
}

/** Where a task finds the time its run started and, under an Argo CronWorkflow, its scheduled time. */
export interface ContextFallbacks {
  /** The run's start (FLOWC_RUN_STARTED_AT): $$.Execution.StartTime, {{workflow.creationTimestamp}}. */
  startedAt?: string;
  /** Argo's {{workflow.scheduledTime}} (FLOWC_CRON_TIME); left as written outside CronWorkflow runs. */
  cronTime?: string;
  /** Only when nothing else says: `flowc step` started by hand. */
  now: Date;
}

/** The run context a task sees: the explicit one, else what the platform says, else now. */
export function resolveRunContext(input: RunContextInput | undefined, fallback: ContextFallbacks): { context: RunContext; error?: string } {
  const trigger = input?.trigger || "manual";
  // "" is "not given": an Argo Events template renders a missing event time so.
  const explicit = input?.scheduledTime || undefined;
  const scheduledTime =
    normalizeTime(explicit) ?? (isScheduled(trigger) ? normalizeTime(fallback.cronTime) : undefined) ?? normalizeTime(fallback.startedAt) ?? normalizeTime(fallback.now.toISOString())!;
  const context: RunContext = { scheduledTime, trigger, ...(input?.upstream ? { upstream: { flow: String(input.upstream.flow), runId: String(input.upstream.runId) } } : {}) };
  if (explicit !== undefined && !normalizeTime(explicit)) return { context, error: `the run context's scheduledTime ${JSON.stringify(explicit)} is not an ISO-8601 time with a zone` };
  return { context };
}

/** What expanding a template needs besides the context: the flow's time zone and the upstream's parameters. */
export interface ExpandEnv {
  timezone: string | undefined;
  upstreamParams?: Record<string, JsonValue>;
}

/**
 * One template's value. A lone `{upstream.params.X}` keeps the upstream value's type; anything else is
 * text (non-string values written as JSON), which `flowc step` then reads by the parameter's type.
 */
export function expandParts(parts: TemplatePart[], ctx: RunContext, env: ExpandEnv): { value?: JsonValue; error?: string } {
  const lone = lonePlaceholder(parts);
  const one = (p: Extract<TemplatePart, { placeholder: unknown }>["placeholder"]): { value?: JsonValue; error?: string } => {
    switch (p.kind) {
      case "date":
        return { value: dateIn(ctx.scheduledTime, env.timezone) };
      case "datetime":
        return { value: ctx.scheduledTime };
      case "upstream.runId":
      case "upstream.flow":
        return ctx.upstream ? { value: p.kind === "upstream.runId" ? ctx.upstream.runId : ctx.upstream.flow } : { error: `{${p.kind}} needs an upstream run, and this run (${ctx.trigger}) has none` };
      case "upstream.param": {
        if (!ctx.upstream) return { error: `{upstream.params.${p.name}} needs an upstream run, and this run (${ctx.trigger}) has none` };
        const v = env.upstreamParams?.[p.name];
        return v === undefined ? { error: `the upstream run ${ctx.upstream.flow}/${ctx.upstream.runId} has no parameter \`${p.name}\`` } : { value: v };
      }
    }
  };
  if (lone) return one(lone);
  let text = "";
  for (const part of parts) {
    if ("text" in part) {
      text += part.text;
      continue;
    }
    const r = one(part.placeholder);
    if (r.error !== undefined) return r;
    text += envText(r.value);
  }
  return { value: text };
}

/** Whether any mapped template needs the upstream run's parameters (read from the datastore). */
export function needsUpstreamParams(values: Params, templates: readonly string[]): boolean {
  return templates.some((name) => typeof values[name] === "string" && /\{upstream\.params\./.test(values[name] as string));
}

/**
 * Expands the parameters the start path marked as templates. A value that is not a string (or a
 * JSONPath the orchestrator already resolved) is left as it is.
 */
export function expandTemplates(values: Params, templates: readonly string[], ctx: RunContext, env: ExpandEnv): { values: Params; errors: string[] } {
  const out: Params = { ...values };
  const errors: string[] = [];
  for (const name of templates) {
    const v = values[name];
    if (typeof v !== "string" || isJsonPath(v)) continue;
    const parsed = parseTemplate(v);
    if (!parsed.ok) {
      errors.push(`parameter \`${name}\`: ${parsed.error}`);
      continue;
    }
    const r = expandParts(parsed.parts, ctx, env);
    if (r.error !== undefined) errors.push(`parameter \`${name}\`: ${r.error}`);
    else out[name] = r.value;
  }
  return { values: out, errors };
}

/** A schedule's mapping expanded for one tick, as `flowc backfill` and `flowc run --scheduled-time` pass it. */
export function expandMapping(mapping: Record<string, string>, ctx: RunContext, env: ExpandEnv): { values: Params; errors: string[] } {
  return expandTemplates(mapping, Object.keys(mapping), ctx, env);
}

/**
 * A run flowc itself starts for a time (`flowc run|trigger --scheduled-time`, `flowc backfill`): the
 * context, and the schedule's mapping expanded for it, which the caller merges under what was given.
 * The values are visible where the run starts (execution input, workflow arguments), not templates.
 */
export function startFor(ir: FlowIR, at: Date | undefined, trigger: TriggerName, now: Date = new Date()): { context: RunContext; mapped: Params; errors: string[] } {
  const context: RunContext = { scheduledTime: normalizeTime((at ?? now).toISOString())!, trigger };
  const mapping = at && ir.schedule && isScheduled(trigger) ? ir.schedule.parameters ?? {} : {};
  const { values, errors } = expandMapping(mapping, context, { timezone: ir.schedule?.timezone });
  return { context, mapped: values, errors };
}
