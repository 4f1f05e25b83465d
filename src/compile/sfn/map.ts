import type { GraphNode } from "../../graph/types.ts";
import { stateName } from "../../names/sfn.ts";
import type { MapState, State } from "./asl.ts";
import { contextSelector, type SfnContext } from "./context.ts";
import { taskFileKey } from "./location.ts";
import { sdkRetrier } from "./retry.ts";
import type { EmitScope } from "./scope.ts";

export const foreachName = (step: string) => stateName(step, "foreach");
/** Where a Distributed Map's results go, inside the foreach task's folder of the datastore. */
export const MAP_RUN_FOLDER = "map-run";
export const itemsName = (step: string) => stateName(step, "items");

/**
 * Each iteration gets the context with its own index: the item of foreach.json *is* the child's index
 * path ("3", or "3.7" when nested), so nothing else has to be looked up.
 */
const ITEM_SELECTOR = contextSelector("$", { index: "$$.Map.Item.Value" });

/**
 * MaxConcurrency of a Distributed Map when neither the step's `parallelism` nor
 * `sfn.foreach.maxConcurrency` sets one (AWS's own default is 10,000 children at once). 100 items in
 * flight submit at most 100 Batch jobs in a burst, two seconds of the account's fixed 50 SubmitJob/s,
 * and a foreach nested in a foreach keeps 10,000 at once, which the API retrier still rides out
 * (docs/sfn-mapping.md, "A very wide foreach"). Inline Maps run at most 40 items anyway.
 */
export const DEFAULT_FOREACH_CONCURRENCY = 100;

/** The first state of a foreach's fan-out (what the foreach task goes to). */
export const fanOutEntry = (ctx: SfnContext, step: string) => (ctx.sfn.foreach.mode === "inline" ? itemsName(step) : foreachName(step));

/**
 * A foreach: a Map over the child index paths the foreach task wrote to foreach.json.
 * - distributed (default): a Distributed Map reads foreach.json itself (S3 ItemReader); every item is a
 *   child execution with its own history, so wide foreaches pass the inline Map's limits and the
 *   25,000-event history of the run.
 * - inline: an S3 read, then an inline Map over the parsed list (fewer moving parts, small foreaches).
 */
export function foreachStates(ctx: SfnContext, node: GraphNode, emit: EmitScope): Record<string, State> {
  const step = node.step;
  const t = step.transition;
  if (t.kind !== "foreach") throw new Error(`${step.name} is not a foreach`);
  const join = node.closedBy!;
  const key = taskFileKey(ctx.root, ctx.ir.name, step.name, node.foreachDepth, "foreach.json");
  const body = { StartAt: t.next, States: emit([...node.frames, { kind: "foreach", step: step.name }], join) };
  const maxConcurrency = t.parallelism ?? ctx.sfn.foreach.maxConcurrency;
  ctx.uses.s3Read = true;

  if (ctx.sfn.foreach.mode === "inline") {
    const map: MapState = {
      Type: "Map",
      Comment: `${step.name}: ${t.next} once per item; ${join} joins them.`,
      ItemsPath: "$.foreach.items",
      ItemSelector: ITEM_SELECTOR,
      ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, ...body },
      ...(maxConcurrency !== undefined ? { MaxConcurrency: maxConcurrency } : {}),
      // The item list would otherwise ride along in the context: keep only its size.
      ResultSelector: { "count.$": "States.ArrayLength($)" },
      ResultPath: "$.foreach",
      Next: join,
    };
    return {
      [itemsName(step.name)]: {
        Type: "Task",
        Comment: `Read ${step.name}'s foreach.json: the child index paths.`,
        Resource: ctx.arns.integration("aws-sdk:s3:getObject"),
        Parameters: { Bucket: ctx.root.bucket, "Key.$": key },
        ResultSelector: { "items.$": "States.StringToJson($.Body)" },
        ResultPath: "$.foreach",
        Retry: [sdkRetrier()],
        Next: foreachName(step.name),
      },
      [foreachName(step.name)]: map,
    };
  }

  ctx.uses.distributedMap = true;
  ctx.uses.s3Write = true;
  const tolerated = ctx.sfn.foreach.toleratedFailurePercentage;
  const map: MapState = {
    Type: "Map",
    Comment: `${step.name}: ${t.next} once per item of foreach.json; ${join} joins them.`,
    ItemReader: {
      Resource: ctx.arns.integration("s3:getObject"),
      ReaderConfig: { InputType: "JSON" },
      Parameters: { Bucket: ctx.root.bucket, "Key.$": key },
    },
    ItemSelector: ITEM_SELECTOR,
    ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, ...body },
    MaxConcurrency: maxConcurrency ?? DEFAULT_FOREACH_CONCURRENCY,
    ...(tolerated !== undefined ? { ToleratedFailurePercentage: tolerated } : {}),
    Label: ctx.names.mapLabel(step.name),
    // Without a ResultWriter the Map's result is an array with one entry per item, and past ~87,000
    // items even `[{},{},…]` passes the 256 KiB payload limit (States.DataLimitExceeded). Written to
    // S3 in the foreach task's folder (`map-run/<map run id>/manifest.json`, SUCCEEDED_n.json,
    // FAILED_n.json), the result is a pointer of constant size whatever the item count.
    ResultWriter: { Resource: ctx.arns.integration("s3:putObject"), Parameters: { Bucket: ctx.root.bucket, "Prefix.$": taskFileKey(ctx.root, ctx.ir.name, step.name, node.foreachDepth, MAP_RUN_FOLDER) } },
    ResultPath: null,
    Next: join,
  };
  return { [foreachName(step.name)]: map };
}
