import type { StepIR } from "../../flow/ir.ts";
import type { Catcher, State } from "./asl.ts";
import { contextSelector, type SfnContext } from "./context.ts";
import { exitTo, type Target } from "./exit.ts";
import { taskFileKey } from "./location.ts";
import { sdkRetrier } from "./retry.ts";
import { stateName } from "../../names/sfn.ts";

export const catchName = (step: string) => stateName(step, "catch");

export const catcher = (step: string): Catcher => ({ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: catchName(step) });

/**
 * `catch: true`: record the failure as failed.json ({error, cause}) and carry on. The Pass keeps the
 * context apart from the record, so the write's OutputPath restores exactly the context.
 */
export function catchStates(ctx: SfnContext, step: StepIR, depth: number, then: Target, closer: string | undefined): Record<string, State> {
  ctx.uses.s3Write = true;
  const write = stateName(step.name, "catch", "write");
  return {
    [catchName(step.name)]: {
      Type: "Pass",
      Comment: `${step.name} failed: keep the context, shape the failure record.`,
      Parameters: {
        context: contextSelector("$"),
        failed: { "error.$": "$.failure.Error", "cause.$": "$.failure.Cause" },
      },
      Next: write,
    },
    [write]: {
      Type: "Task",
      Comment: `Write ${step.name}'s failed.json: the steps after it see the failure there.`,
      Resource: ctx.arns.integration("aws-sdk:s3:putObject"),
      Parameters: {
        Bucket: ctx.root.bucket,
        "Key.$": taskFileKey(ctx.root, ctx.ir.name, step.name, depth, "failed.json", "$.context"),
        // An object Body is written as its JSON text; a string would be written as a JSON string literal.
        "Body.$": "$.failed",
        ContentType: "application/json",
      },
      ResultPath: null,
      OutputPath: "$.context",
      Retry: [sdkRetrier()],
      ...exitTo(then, closer),
    },
  };
}
