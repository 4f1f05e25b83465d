import type { Retrier, TaskState } from "./asl.ts";
import { START_CHILD } from "../../contract/sfn-child.ts";
import { contextSelector, type SfnContext } from "./context.ts";

export { START_CHILD };

/** Errors of the StartExecution call itself (the child's own failure is States.TaskFailed, not retried). */
export const CHILD_API_ERRORS = ["StepFunctions.ExecutionLimitExceededException", "StepFunctions.AWSStepFunctionsException", "StepFunctions.SdkClientException"];

const childRetrier = (): Retrier => ({ ErrorEquals: CHILD_API_ERRORS, IntervalSeconds: 2, MaxAttempts: 6, JitterStrategy: "FULL" });

/** Bytes deploy adds to each reference (`:<version>`), which the size checks reserve. */
export const VERSION_SUFFIX_BYTES = 11;

/**
 * The Task that runs part of a flow in a child state machine and waits for it (`.sync:2`: the child's
 * output comes back as JSON, and is dropped like every Task's). The child gets the context, so its
 * tasks see the parent's run id, index, parameters and environment: task identity and the datastore
 * keys are those of the unsplit flow. `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID` links the two
 * executions in the console.
 *
 * `StateMachineArn` is the child's unqualified ARN in the bundle; deploy pins it to the child version
 * it publishes (`…:stateMachine:<child>:<n>`), so each parent version runs exactly the children it was
 * built with, whatever is deployed later (see docs/deploy-sfn.md, "Families").
 */
export function startChildTask(ctx: SfnContext, arn: string, comment: string): Omit<TaskState, "Next" | "End"> {
  return {
    Type: "Task",
    Comment: comment,
    Resource: ctx.arns.integration(START_CHILD),
    Parameters: { StateMachineArn: arn, Input: { ...contextSelector("$"), "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id" } },
    ResultPath: null,
    Retry: [childRetrier()],
  };
}
