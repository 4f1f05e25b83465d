import { triggerName } from "../../contract/run-context.ts";
import type { TriggerIR } from "../../flow/ir.ts";
import { contextInput, RUN_CONTEXT_PARAM, startArguments } from "../start-arguments.ts";
import { toCompactJson } from "../../render/serialize.ts";
import { mergeUnder, template } from "../templates.ts";
import type { CompileProblem } from "../types.ts";
import type { SfnContext } from "./context.ts";
import { afterFlowPattern } from "./after-flow.ts";
import { checkEventInput } from "./limits.ts";

/**
 * EventBridge rules that start this flow: one per trigger, each targeting the environment's alias.
 * `EventPattern` is kept as an object for review; deploy sends it as compact JSON (PutRule takes a string).
 *
 * - afterFlow: the upstream's "Execution Status Change" event with status SUCCEEDED, for runs started
 *   through the upstream's alias in this same environment (see `afterFlowPattern`).
 * - event: the pattern as written (source, detail-type, detail).
 * Every rule starts the run with an InputTransformer: the mapped parameters (templates expanded by
 * flowc step; an event trigger's JSONPaths resolved by EventBridge, keeping their JSON type) and the
 * run context `_flowc` with the trigger's name, the event's time as the scheduled time and, for
 * afterFlow, the upstream run (docs/step-contract.md, "Run context").
 */
export function triggersDocument(ctx: SfnContext): { doc?: Record<string, unknown>; problems: CompileProblem[] } {
  const triggers = ctx.ir.triggers;
  if (triggers.length === 0) return { problems: [] };
  if (!ctx.sfn.eventsRoleArn)
    return {
      problems: [
        { code: "CONFIG_INVALID", message: `the flow has triggers, but environment \`${ctx.env.name}\` sets no \`sfn.eventsRoleArn\``, hint: "add the role EventBridge assumes to start the state machine to flowc.config.yaml", path: ["triggers"] },
      ],
    };
  const problems: CompileProblem[] = [];
  const rules = triggers.map((t, i) => {
    const suffix = triggerName(triggers, i);
    const target = { Id: "flowc", Arn: ctx.arns.alias(ctx.names.stateMachine, ctx.names.alias), RoleArn: ctx.sfn.eventsRoleArn!, ...targetInput(triggers, i) };
    const text = target.InputTransformer.InputTemplate;
    problems.push(...checkEventInput(`the input of trigger ${i + 1}`, text, ["triggers", i]));
    const generated = {
      Name: ctx.names.rule(suffix),
      Description: t.kind === "afterFlow" ? `flowc: runs ${ctx.ir.name} (${ctx.env.name}) after ${t.flow} succeeds` : `flowc: runs ${ctx.ir.name} (${ctx.env.name}) on ${t.source.join(", ")} events`,
      EventPattern: pattern(ctx, t),
      Targets: [target],
    };
    return mergeUnder(template(ctx.env.templates, "sfn/rule.json"), generated);
  });
  return { doc: { rules }, problems };
}

function pattern(ctx: SfnContext, t: TriggerIR): Record<string, unknown> {
  if (t.kind === "afterFlow") return afterFlowPattern(ctx, t.flow);
  return { source: t.source, ...(t.detailType ? { "detail-type": t.detailType } : {}), ...(t.detail ? { detail: t.detail } : {}) };
}

type TargetInput = { InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } };

/** InputPathsMap names of flowc's own: upper case, which no parameter name can be. */
const EVENT_TIME = "FlowcTime";
const UPSTREAM_RUN = "FlowcRun";

function targetInput(triggers: readonly TriggerIR[], i: number): TargetInput {
  const t = triggers[i]!;
  const args = startArguments(t.parameters);
  // Unquoted placeholders keep the event value's JSON type (a number stays a number; strings are quoted).
  const parts = Object.keys(t.parameters).map((k) => `${JSON.stringify(k)}:${k in args.jsonPaths ? `<${k}>` : JSON.stringify(args.values[k])}`);
  const context = toCompactJson(contextInput(triggerName(triggers, i), args, { scheduledTime: "@time", ...(t.kind === "afterFlow" ? { upstream: { flow: t.flow, runId: "@run" } } : {}) }))
    .replace('"@time"', `<${EVENT_TIME}>`)
    .replace('"@run"', `<${UPSTREAM_RUN}>`);
  parts.push(`${JSON.stringify(RUN_CONTEXT_PARAM)}:${context}`);
  // The event's time is when the upstream run ended (afterFlow) or the event happened.
  const paths = { ...args.jsonPaths, [EVENT_TIME]: "$.time", ...(t.kind === "afterFlow" ? { [UPSTREAM_RUN]: "$.detail.name" } : {}) };
  return { InputTransformer: { InputPathsMap: paths, InputTemplate: `{${parts.join(",")}}` } };
}
