import type { GraphNode } from "../../graph/types.ts";
import { stateName } from "../../names/sfn.ts";
import type { State } from "./asl.ts";
import type { SfnContext } from "./context.ts";
import { exitTo } from "./exit.ts";
import { intrinsicLiteral, taskFileKey } from "./location.ts";
import { sdkRetrier } from "./retry.ts";

export const switchReadName = (step: string) => stateName(step, "switch");

/**
 * A switch: read the case the step wrote (switch.json) with an S3 SDK call, then a Choice on it. A case
 * that goes straight to the join closing this scope ends the branch through a Pass (a Choice cannot
 * end one). Any other case value fails the run, naming the step, the value and the known cases.
 */
export function switchStates(ctx: SfnContext, node: GraphNode, closer: string | undefined): Record<string, State> {
  const step = node.step;
  const t = step.transition;
  if (t.kind !== "switch") throw new Error(`${step.name} is not a switch`);
  ctx.uses.s3Read = true;
  const choice = stateName(step.name, "case");
  const unknown = stateName(step.name, "unknown-case");
  const known = t.cases.map((c) => c.value).join(", ");
  const passes: Record<string, State> = {};
  const target = (value: string, next: string) => {
    if (next !== closer) return next;
    const name = stateName(step.name, "case", value);
    passes[name] = { Type: "Pass", Comment: `Case ${value} goes straight to ${closer}.`, ...exitTo(next, closer) };
    return name;
  };
  const choices = t.cases.map((c) => ({ Variable: "$.switch.value.case", StringEquals: c.value, Next: target(c.value, c.next) }));
  return {
    [switchReadName(step.name)]: {
      Type: "Task",
      Comment: `Read the case ${step.name} chose (switch.json).`,
      Resource: ctx.arns.integration("aws-sdk:s3:getObject"),
      Parameters: { Bucket: ctx.root.bucket, "Key.$": taskFileKey(ctx.root, ctx.ir.name, step.name, node.foreachDepth, "switch.json") },
      ResultSelector: { "value.$": "States.StringToJson($.Body)" },
      ResultPath: "$.switch",
      Retry: [sdkRetrier()],
      Next: choice,
    },
    [choice]: { Type: "Choice", Choices: choices, Default: unknown },
    ...passes,
    [unknown]: {
      Type: "Fail",
      Error: "flowc.UnknownCase",
      CausePath: `States.Format('switch step ${step.name} chose case {}, which is not one of: ${intrinsicLiteral(known)}', $.switch.value.case)`,
    },
  };
}
