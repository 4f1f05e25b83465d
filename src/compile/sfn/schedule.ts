import { contextInput, RUN_CONTEXT_PARAM, startArguments } from "../start-arguments.ts";
import { toCompactJson } from "../../render/serialize.ts";
import { mergeUnder, template } from "../templates.ts";
import type { CompileProblem } from "../types.ts";
import type { SfnContext } from "./context.ts";
import { toAwsCron } from "./cron.ts";

/** EventBridge Scheduler keeps retrying a failed start for at most a day, and no less than a minute. */
const EVENT_AGE = { min: 60, max: 86_400 };

/** Scheduler substitutes this context attribute with the tick, ISO-8601 UTC, in a templated target's Input. */
const SCHEDULED_TIME = "<aws.scheduler.scheduled-time>";

export function scheduledInput(mapping: Record<string, string>): string {
  const args = startArguments(mapping);
  return toCompactJson({ ...args.values, [RUN_CONTEXT_PARAM]: contextInput("schedule", args, { scheduledTime: SCHEDULED_TIME }) });
}

/**
 * The flow's schedule as an EventBridge Scheduler CreateSchedule input: Scheduler (unlike EventBridge
 * rules) honours a time zone, DST included; without one the schedule runs in UTC. It starts the
 * environment's alias, so promoting a version moves what the schedule runs.
 */
export function scheduleDocument(ctx: SfnContext): { doc?: Record<string, unknown>; problems: CompileProblem[] } {
  const s = ctx.ir.schedule;
  if (!s) return { problems: [] };
  const problems: CompileProblem[] = [];
  const cron = toAwsCron(s.cron);
  if (!cron.ok) problems.push({ code: "INVALID_CRON", message: `the schedule cannot run on Step Functions: ${cron.error}`, hint: "restrict only one of day-of-month and day-of-week", path: ["schedule", "cron"], part: "value" });
  if (!ctx.sfn.schedulerRoleArn)
    problems.push({ code: "CONFIG_INVALID", message: `the flow has a schedule, but environment \`${ctx.env.name}\` sets no \`sfn.schedulerRoleArn\``, hint: "add the role EventBridge Scheduler assumes to start the state machine to flowc.config.yaml", path: ["schedule"] });
  if (!cron.ok || !ctx.sfn.schedulerRoleArn) return { problems };
  const deadline = s.startingDeadlineSeconds;
  const generated = {
    Name: ctx.names.schedule,
    GroupName: ctx.sfn.scheduleGroup,
    Description: `flowc: runs ${ctx.ir.name} (${ctx.env.name}) on "${s.cron}"${s.timezone ? ` in ${s.timezone}` : " (UTC)"}`,
    ScheduleExpression: cron.expression,
    ScheduleExpressionTimezone: s.timezone ?? "UTC",
    FlexibleTimeWindow: { Mode: "OFF" },
    Target: {
      Arn: ctx.arns.alias(ctx.names.stateMachine, ctx.names.alias),
      RoleArn: ctx.sfn.schedulerRoleArn,
      // The mapped parameters and the run context; Scheduler fills in the tick (a templated target's
      // context attribute). Parameter defaults are merged by the machine itself.
      Input: scheduledInput(s.parameters ?? {}),
      // A start that is late by more than the flow's startingDeadline is dropped, not retried.
      ...(deadline ? { RetryPolicy: { MaximumEventAgeInSeconds: Math.min(EVENT_AGE.max, Math.max(EVENT_AGE.min, deadline)) } } : {}),
    },
  };
  return { doc: mergeUnder(template(ctx.env.templates, "sfn/schedule.json"), generated), problems };
}
