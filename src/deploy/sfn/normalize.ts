import { parseJson, sortedKeys } from "./canonical.ts";

/**
 * AWS answers with defaults filled in (a schedule's retry policy, a rule's state) and JSON re-encoded.
 * Both sides of every comparison go through these functions, so a field AWS defaults is not a change.
 */
type Json = Record<string, unknown>;

const SCHEDULER_RETRY_DEFAULT = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 };

const jsonText = (v: unknown) => (typeof v === "string" ? parseJson(v) : v);

export function scheduleView(input: Json): Json {
  const t = (input.Target ?? {}) as Json;
  const target: Json = { ...t, RetryPolicy: { ...SCHEDULER_RETRY_DEFAULT, ...((t.RetryPolicy ?? {}) as Json) } };
  if (t.Input !== undefined) target.Input = jsonText(t.Input);
  const out: Json = {
    ScheduleExpression: input.ScheduleExpression,
    ScheduleExpressionTimezone: input.ScheduleExpressionTimezone ?? "UTC",
    Description: input.Description ?? "",
    State: input.State ?? "ENABLED",
    FlexibleTimeWindow: input.FlexibleTimeWindow ?? { Mode: "OFF" },
    ActionAfterCompletion: input.ActionAfterCompletion ?? "NONE",
    Target: sortedKeys(target),
  };
  for (const k of ["StartDate", "EndDate", "KmsKeyArn"]) if (input[k] !== undefined) out[k] = input[k] instanceof Date ? (input[k] as Date).toISOString() : input[k];
  return out;
}

export function targetView(t: Json): Json {
  const out: Json = { ...t };
  if (t.Input !== undefined) out.Input = jsonText(t.Input);
  return sortedKeys(out) as Json;
}

export function ruleView(r: { description: string; eventPattern: unknown; state: string; targets: Json[] }): Json {
  return {
    Description: r.description,
    EventPattern: sortedKeys(jsonText(r.eventPattern)),
    State: r.state,
    Targets: [...r.targets].map(targetView).sort((a, b) => String(a.Id).localeCompare(String(b.Id))),
  };
}

/** Logging as DescribeStateMachine reports it; "no logging" is level OFF however it is spelled. */
export function loggingView(l: unknown): Json {
  const x = (l ?? {}) as Json;
  if (!x.level || x.level === "OFF") return { level: "OFF" };
  return sortedKeys({ level: x.level, includeExecutionData: !!x.includeExecutionData, destinations: x.destinations ?? [] }) as Json;
}
