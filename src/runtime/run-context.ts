import { STEP_ENV } from "../contract/env.ts";
import { isRunId, keys } from "../contract/layout.ts";
import { expandTemplates, needsUpstreamParams, resolveRunContext, takeRunContext, type RunContext } from "../contract/run-context.ts";
import type { Datastore } from "../datastore/types.ts";
import type { FlowIR, JsonValue } from "../flow/ir.ts";
import { readJson, writeJson } from "./records.ts";
import type { StepRequest } from "./step.ts";
import { StepRequestError } from "./task-types.ts";

/** context.json: what a run is for and the parameters it resolved, written by its `start` task. */
export interface ContextRecord extends RunContext {
  flow: string;
  runId: string;
  params: Record<string, JsonValue>;
  spec: string;
}

/**
 * The run context of one task and its parameters with the mapped templates expanded: what every
 * task of a run computes alike from what its start path passed (src/contract/run-context.ts).
 */
export async function contextOf(ds: Datastore, ir: FlowIR, req: Pick<StepRequest, "params" | "env" | "runId">): Promise<{ context: RunContext; params: StepRequest["params"]; runId: string }> {
  const taken = takeRunContext(req.params);
  if (taken.error) throw new StepRequestError(taken.error);
  const runId = taken.input?.runId ?? req.runId;
  if (!isRunId(runId)) throw new StepRequestError(`the run context's runId ${JSON.stringify(runId)} is not a run id`);
  const { context, error } = resolveRunContext(taken.input, { startedAt: req.env[STEP_ENV.startedAt], cronTime: req.env[STEP_ENV.cronTime], now: new Date() });
  if (error) throw new StepRequestError(error);
  const templates = taken.input?.templates ?? [];
  if (templates.length === 0) return { context, params: taken.params, runId };

  // Argo passes [{name, value}]: templates are string values either way.
  const asObject = Array.isArray(taken.params) ? Object.fromEntries(taken.params.map((p) => [p.name, p.value])) : taken.params;
  const upstreamParams = context.upstream && needsUpstreamParams(asObject, templates) ? await upstreamParamsOf(ds, context.upstream) : undefined;
  const expanded = expandTemplates(asObject, templates, context, { timezone: ir.schedule?.timezone, ...(upstreamParams ? { upstreamParams } : {}) });
  if (expanded.errors.length) throw new StepRequestError(expanded.errors.join("; "));
  if (!Array.isArray(taken.params)) return { context, params: expanded.values as Record<string, JsonValue>, runId };
  // Back into Argo's form: expanded values are text, or an upstream's typed value written as JSON.
  const encode = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  return { context, params: taken.params.map((p) => (templates.includes(p.name) ? { name: p.name, value: encode(expanded.values[p.name]) } : p)), runId };
}

async function upstreamParamsOf(ds: Datastore, up: { flow: string; runId: string }): Promise<Record<string, JsonValue>> {
  const record = await readJson<ContextRecord>(ds, keys.context(up.flow, up.runId)).catch(() => undefined);
  if (!record)
    throw new StepRequestError(`the upstream run's record ${ds.locate(keys.context(up.flow, up.runId))} is missing: {upstream.params.…} reads it, and every run of a flow deployed with this flowc writes it from its first task into the same datastore`);
  return record.params;
}

/** The run's record, written once by its first task (a resumed run keeps the one it has). */
export async function recordContext(ds: Datastore, record: ContextRecord): Promise<void> {
  const key = keys.context(record.flow, record.runId);
  if (!(await ds.exists(key))) await writeJson(ds, key, record);
}
