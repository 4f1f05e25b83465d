import type { ArgoConfig } from "../../config/types.ts";
import { parseCron, sundayAsZero } from "../../flow/cron.ts";
import type { FlowIR, ScheduleIR } from "../../flow/ir.ts";
import { toCompactJson } from "../../render/serialize.ts";
import { contextInput, RUN_CONTEXT_PARAM, startArguments } from "../start-arguments.ts";
import type { CompileProblem } from "../types.ts";
import { argoCron } from "./cron.ts";
import { LABELS, objectMeta, runLabels, type Identity } from "./labels.ts";
import type { K8sObject } from "./types.ts";
import { ARGO_API_VERSION } from "./workflow-template.ts";

const POLICY = { allow: "Allow", forbid: "Forbid", replace: "Replace" } as const;

/**
 * The CronWorkflow that starts the template on the flow's schedule (Argo v4: `schedules`, a list).
 * Argo's cron has 5 fields and no year, `L`, `W` or `#`, and day-of-week 0-6 only: Sunday written 7
 * becomes 0 (`0 9 * * 5-7` → `0 9 * * 5,6,0`). The AWS 6-field form is translated through the shared
 * parser; anything Argo's parser (cron.ts) would still reject is an error here, not at apply time.
 * Without a timezone the flow means UTC, and that is written out: Argo's default would be the
 * controller's local zone.
 */
export function cronWorkflow(ir: FlowIR, schedule: ScheduleIR, argo: ArgoConfig, names: { cron: string; template: string }, id: Identity, problems: CompileProblem[]): K8sObject | undefined {
  const parsed = parseCron(schedule.cron);
  const at = ["schedule", "cron"];
  if (!parsed.ok) {
    problems.push({ code: "INVALID_CRON", message: parsed.error, hint: "write 5-field cron: minute hour day-of-month month day-of-week", path: at });
    return undefined;
  }
  const f = parsed.fields;
  if (f.year !== "*") problems.push({ code: "TARGET_UNSUPPORTED", message: `Argo cron has no year field (\`${f.year}\`)`, hint: "use `*` for the year, or 5-field cron", path: at });
  // Sunday is 0 only: Argo's parser takes days 0-6 and would reject the CronWorkflow for a 7.
  const cron = [f.minute, f.hour, f.dayOfMonth, f.month, sundayAsZero(f.dayOfWeek) ?? f.dayOfWeek].join(" ");
  if ([f.dayOfMonth, f.dayOfWeek].some((x) => /[LW#]/.test(x)))
    problems.push({ code: "TARGET_UNSUPPORTED", message: "Argo cron does not support `L`, `W` or `#`", hint: "list the days explicitly", path: at });
  else {
    const argoReading = argoCron(cron);
    if (!argoReading.ok)
      problems.push({
        code: "TARGET_UNSUPPORTED",
        message: `Argo's cron parser rejects \`${cron}\`: ${argoReading.error}`,
        hint: "write each field with numbers, three-letter names, `*`, ranges `a-b` and steps `/n` only",
        path: at,
      });
  }
  // The mapping goes in as templates that flowc step expands; the tick reaches the tasks as
  // {{workflow.scheduledTime}} (FLOWC_CRON_TIME), which Argo sets in the Workflows a CronWorkflow creates.
  const args = startArguments(schedule.parameters ?? {});
  const parameters = [
    ...Object.entries(args.values).map(([name, value]) => ({ name, value })),
    { name: RUN_CONTEXT_PARAM, value: toCompactJson(contextInput("schedule", args)) },
  ];
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "CronWorkflow",
    metadata: objectMeta(names.cron, id, argo),
    spec: {
      schedules: [cron],
      timezone: schedule.timezone ?? "UTC",
      concurrencyPolicy: POLICY[schedule.concurrency],
      ...(schedule.startingDeadlineSeconds !== undefined ? { startingDeadlineSeconds: schedule.startingDeadlineSeconds } : {}),
      workflowMetadata: { labels: runLabels(id, { [LABELS.trigger]: "schedule" }) },
      workflowSpec: { workflowTemplateRef: { name: names.template }, arguments: { parameters } },
    },
  };
}
