import { mergeUnder, template } from "../templates.ts";
import type { SfnContext } from "./context.ts";
import { flowKeyPrefix } from "./location.ts";

export interface Statement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * Actions for which IAM has no resource-level permissions: they can only be granted on "*". Each sits
 * in a statement of its own, so a reviewer sees exactly what is unscoped and why.
 */
export const UNSCOPABLE_ACTIONS = new Set([
  "batch:DescribeJobs",
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
]);

/**
 * The inline policy the state machine's role needs, least privilege: only the compute this flow
 * submits to, only the job/task definitions it names, only its own folder of the datastore, only its
 * own executions, and the managed rule `.sync` integrations watch.
 */
export function policyDocument(ctx: SfnContext): Record<string, unknown> {
  const a = ctx.arns;
  const machine = ctx.names.stateMachine;
  const statements: Statement[] = [];
  const add = (Sid: string, Action: string[], Resource: string[], Condition?: Statement["Condition"]) =>
    statements.push({ Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });
  const definitions = [...ctx.definitions].sort();

  const c = ctx.sfn.compute;
  if (c.kind === "batch") {
    add("SubmitStepJobs", ["batch:SubmitJob"], [a.jobQueue(c.jobQueue), ...definitions.flatMap((d) => a.jobDefinition(d))]);
    add("StopStepJobs", ["batch:TerminateJob"], [a.batchJobs()]);
    add("WatchStepJobsUnscopable", ["batch:DescribeJobs"], ["*"]);
    add("SyncBatchJobs", ["events:PutTargets", "events:PutRule", "events:DescribeRule"], [a.syncRule("Batch")]);
  } else {
    add("RunStepTasks", ["ecs:RunTask"], definitions.flatMap((d) => a.taskDefinition(d)), { ArnEquals: { "ecs:cluster": a.cluster(c.cluster) } });
    add("WatchStepTasks", ["ecs:StopTask", "ecs:DescribeTasks"], [a.ecsTasks(c.cluster)]);
    // RunTask that tags the task it creates (PropagateTags, Tags) is authorized for ecs:TagResource as
    // well; the condition limits it to tagging at creation, never an existing resource.
    if (tagsTasksOnRun(ctx)) add("TagStepTasksOnRun", ["ecs:TagResource"], [a.ecsTasks(c.cluster)], { StringEquals: { "ecs:CreateAction": "RunTask" } });
    add("PassTaskRoles", ["iam:PassRole"], [a.roles()], { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
    add("SyncEcsTasks", ["events:PutTargets", "events:PutRule", "events:DescribeRule"], [a.syncRule("ECS")]);
  }

  const objects = [a.s3Objects(ctx.root.bucket, flowKeyPrefix(ctx.root, ctx.ir.name))];
  // A Distributed Map's ResultWriter uploads its result files in parts (docs/sfn-mapping.md).
  const multipart = ctx.uses.distributedMap ? ["s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"] : [];
  const s3 = [...(ctx.uses.s3Read ? ["s3:GetObject"] : []), ...(ctx.uses.s3Write ? ["s3:PutObject"] : []), ...multipart];
  if (s3.length) add("FlowDatastore", s3, objects);

  if (ctx.uses.distributedMap) {
    // The machines that hold a Distributed Map start their own item runs (the flow's, or a child's); a
    // child run of a foreach nested in a foreach starts its own children on `<machine>/<label>`.
    const maps = ctx.family?.mapMachines.length ? ctx.family.mapMachines : [machine];
    const nested = nestedDistributedMap(ctx);
    add("StartForeachRuns", ["states:StartExecution"], maps.flatMap((m) => [a.machine(m), `${a.machine(m)}:*`, ...(nested ? [a.mapRunMachines(m)] : [])]));
    add("WatchForeachRuns", ["states:DescribeExecution", "states:StopExecution"], maps.flatMap((m) => a.executions(m)));
    // Redriving a run whose foreach failed redrives its Map Run, which redrives the failed child runs.
    add("RedriveForeachRuns", ["states:RedriveExecution"], maps.map((m) => a.mapRunExecutions(m)));
  }
  const children = ctx.family?.children ?? [];
  if (children.length) {
    // A flow split into child machines: each parent starts its children's pinned versions (`:<n>`)
    // and waits for them (.sync:2, through the managed rule); one role runs the whole family.
    add("StartChildMachines", ["states:StartExecution"], children.flatMap((m) => [a.machine(m), `${a.machine(m)}:*`]));
    add("WatchChildMachines", ["states:DescribeExecution", "states:StopExecution"], children.flatMap((m) => a.executions(m)));
    add("SyncChildMachines", ["events:PutTargets", "events:PutRule", "events:DescribeRule"], [a.syncRule("StepFunctions")]);
  }
  if (ctx.uses.listExecutions) add("ListOwnRuns", ["states:ListExecutions"], [a.machine(machine)]);
  if (ctx.uses.stopExecutions && !ctx.uses.distributedMap) add("StopOwnRuns", ["states:StopExecution"], a.executions(machine));
  else if (ctx.uses.stopExecutions) statements.find((s) => s.Sid === "WatchForeachRuns")!.Sid = "WatchAndStopOwnRuns";

  if (ctx.sfn.logging)
    add("DeliverLogsUnscopable", ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], ["*"]);
  if (ctx.sfn.tracing) add("TraceUnscopable", ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"], ["*"]);

  return mergeUnder(template(ctx.env.templates, "sfn/iam.json"), { Version: "2012-10-17", Statement: statements });
}

/** A Distributed Map inside another's item processor (a foreach in a foreach, distributed mode). */
function nestedDistributedMap(ctx: SfnContext): boolean {
  if (ctx.sfn.foreach.mode !== "distributed") return false;
  return ctx.ir.steps.some((s) => s.transition.kind === "foreach" && ctx.graph.nodes.get(s.name)!.frames.some((f) => f.kind === "foreach"));
}

/** Whether RunTask asks ECS to tag the task: PropagateTags (other than NONE) or Tags in its parameters' template. */
function tagsTasksOnRun(ctx: SfnContext): boolean {
  const t = template(ctx.env.templates, "sfn/ecs-task.json") ?? {};
  return (t.PropagateTags !== undefined && t.PropagateTags !== "NONE") || (Array.isArray(t.Tags) && t.Tags.length > 0);
}
