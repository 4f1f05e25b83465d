import type { MapState, State } from "./asl.ts";
import type { SfnContext } from "./context.ts";
import { sdkRetrier } from "./retry.ts";

/**
 * `concurrency: forbid | replace` without a controller: the machine first looks at the running
 * executions of its own environment that started before it.
 *
 * - They are listed by the base machine ARN (whatever ARN started this run), and an execution counts
 *   when it was started through this environment's alias: environments may share a machine (promote
 *   moves aliases between its versions), and a run in staging must not block or stop one in prod.
 *   Older executions lack StateMachineAliasArn when started without an alias, so the test matches the
 *   alias ARN in the item's JSON text rather than reading a field that may be absent.
 * - "Before this one" compares start times, so two runs that start together never both give way.
 *
 * forbid: if there is one, this run stops itself: it ends ABORTED before any step ran, which pages no
 * one (not FAILED) and does not fire afterFlow triggers downstream (not SUCCEEDED).
 * replace: every such execution is stopped, then this run goes on.
 */
export function concurrencyStates(ctx: SfnContext, first: string): { startAt: string; states: Record<string, State> } | undefined {
  const policy = ctx.ir.schedule?.concurrency;
  if (!policy || policy === "allow") return undefined;
  ctx.uses.listExecutions = true;
  ctx.uses.stopExecutions = true;
  const who = `${ctx.ir.name} (${ctx.env.name})`;
  const aliasArn = ctx.arns.alias(ctx.names.stateMachine, ctx.names.alias);

  const list: State = {
    Type: "Task",
    Comment: `Running executions of ${ctx.names.stateMachine}, all environments.`,
    Resource: ctx.arns.integration("aws-sdk:sfn:listExecutions"),
    Parameters: { StateMachineArn: ctx.arns.machine(ctx.names.stateMachine), StatusFilter: "RUNNING", MaxResults: 1000 },
    ResultSelector: { "running.$": "$.Executions" },
    ResultPath: "$.concurrency",
    Retry: [sdkRetrier()],
    Next: "Concurrency.Earlier",
  };
  const earlier = (yes: State, no: State): MapState => ({
    Type: "Map",
    Comment: `For each: was it started through ${ctx.names.alias} before this run?`,
    ItemsPath: "$.concurrency.running",
    ItemSelector: { "arn.$": "$$.Map.Item.Value.ExecutionArn", "item.$": "States.JsonToString($$.Map.Item.Value)", "started.$": "$$.Map.Item.Value.StartDate", "self.$": "$$.Execution.StartTime" },
    ItemProcessor: {
      ProcessorConfig: { Mode: "INLINE" },
      StartAt: "Concurrency.Same",
      States: {
        "Concurrency.Same": {
          Type: "Choice",
          Choices: [
            {
              And: [
                { Variable: "$.item", StringMatches: `*${aliasArn}"*` },
                { Variable: "$.started", TimestampLessThanPath: "$.self" },
              ],
              Next: "Concurrency.Yes",
            },
          ],
          Default: "Concurrency.No",
        },
        "Concurrency.Yes": yes,
        "Concurrency.No": no,
      },
    },
    MaxConcurrency: 10,
    ...(policy === "forbid" ? { ResultSelector: { "active.$": "States.ArrayContains($, true)" }, ResultPath: "$.concurrency" } : { ResultPath: null }),
    Next: policy === "forbid" ? "Concurrency.Check" : first,
  });

  if (policy === "forbid") {
    const cause = `an earlier run of ${who} is still running and the schedule says concurrency: forbid`;
    return {
      startAt: "Concurrency",
      states: {
        Concurrency: list,
        "Concurrency.Earlier": earlier({ Type: "Pass", Result: true, End: true }, { Type: "Pass", Result: false, End: true }),
        "Concurrency.Check": {
          Type: "Choice",
          Choices: [{ Variable: "$.concurrency.active", BooleanEquals: true, Next: "Concurrency.Skip" }],
          Default: first,
        },
        "Concurrency.Skip": {
          Type: "Task",
          Comment: "Stop this run: it ends ABORTED, before any step ran.",
          Resource: ctx.arns.integration("aws-sdk:sfn:stopExecution"),
          Parameters: { "ExecutionArn.$": "$$.Execution.Id", Error: "flowc.ConcurrencyForbid", Cause: cause },
          ResultPath: null,
          Retry: [sdkRetrier()],
          Next: "Concurrency.Skipped",
        },
        "Concurrency.Skipped": { Type: "Fail", Comment: "Reached only if stopping this run did not take effect.", Error: "flowc.ConcurrencyForbid", Cause: cause },
      },
    };
  }

  return {
    startAt: "Concurrency",
    states: {
      Concurrency: list,
      "Concurrency.Earlier": earlier(
        {
          Type: "Task",
          Comment: "Stop it: this newer run replaces it.",
          Resource: ctx.arns.integration("aws-sdk:sfn:stopExecution"),
          Parameters: { "ExecutionArn.$": "$.arn", Error: "flowc.ConcurrencyReplace", Cause: `replaced by a newer run of ${who} (concurrency: replace)` },
          ResultPath: null,
          Retry: [sdkRetrier()],
          End: true,
          OutputPath: null,
        },
        { Type: "Pass", End: true, OutputPath: null },
      ),
    },
  };
}
