import type { MapState, State } from "./asl.ts";
import type { SfnContext } from "./context.ts";
import { sdkRetrier } from "./retry.ts";

/**
 * Executions listed per check. An ExecutionListItem is ~450 bytes with everyday names and 1,339 at the
 * longest ones (partition, region, 80-character machine, alias and execution names, every optional
 * field), so a page of 100 stays under LISTING_BYTES, about half the 256 KiB a state may carry;
 * ListExecutions' own maximum, 1,000, could reach 1.3 MB (docs/sfn-mapping.md).
 */
export const LIST_PAGE = 100;
/** The largest page, in bytes (measured in test/compile/sfn/mapping.test.ts); the payload check counts it. */
export const LISTING_BYTES = 140_000;

/**
 * `concurrency: forbid | replace` without a controller: the machine first looks at the running
 * executions of its own environment that started before it.
 *
 * - They are listed by this environment's alias ARN (ListExecutions accepts one and returns only the
 *   executions started through it), whatever ARN started this run: environments may share a machine
 *   (promote moves aliases between its versions), and a run in staging must not block or stop one in
 *   prod. Each item is still checked for the alias (matched in its JSON text, since the field is absent
 *   for executions started without one), so the decision never rests on the listing's filter alone.
 * - One page of LIST_PAGE executions, the newest first, small enough for the 256 KiB payload. Under
 *   forbid or replace an alias has one or two runs at a time, so a page always holds the ones that
 *   matter.
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
    Comment: `Running executions started through ${ctx.names.alias}, the newest ${LIST_PAGE}.`,
    Resource: ctx.arns.integration("aws-sdk:sfn:listExecutions"),
    Parameters: { StateMachineArn: aliasArn, StatusFilter: "RUNNING", MaxResults: LIST_PAGE },
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
    // Either way the listing is replaced by a small summary, so it does not ride along in the context.
    ResultSelector: policy === "forbid" ? { "active.$": "States.ArrayContains($, true)" } : { "checked.$": "States.ArrayLength($)" },
    ResultPath: "$.concurrency",
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
