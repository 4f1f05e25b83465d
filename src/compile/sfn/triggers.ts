import type { TriggerIR } from "../../flow/ir.ts";
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
 * Parameters map event fields to the run's input with an InputTransformer; values of afterFlow
 * parameters that are not JSONPaths (`$.…`) are constants.
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
  let events = 0;
  const rules = triggers.map((t, i) => {
    const suffix = t.kind === "afterFlow" ? `after-${t.flow}` : `event-${++events}`;
    const target = { Id: "flowc", Arn: ctx.arns.alias(ctx.names.stateMachine, ctx.names.alias), RoleArn: ctx.sfn.eventsRoleArn!, ...targetInput(t) };
    const text = "Input" in target ? target.Input : target.InputTransformer.InputTemplate;
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

type TargetInput = { Input: string } | { InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } };

function targetInput(t: TriggerIR): TargetInput {
  const entries = Object.entries(t.parameters);
  const paths = entries.filter(([, v]) => v.startsWith("$"));
  const constants = Object.fromEntries(entries.filter(([, v]) => !v.startsWith("$")));
  if (paths.length === 0) return { Input: toCompactJson(constants) };
  // Unquoted placeholders keep the event value's JSON type (a number stays a number).
  const parts = entries.map(([k, v]) => (v.startsWith("$") ? `${JSON.stringify(k)}:<${k}>` : `${JSON.stringify(k)}:${JSON.stringify(v)}`));
  return { InputTransformer: { InputPathsMap: Object.fromEntries(paths), InputTemplate: `{${parts.join(",")}}` } };
}
