import type { StepIR } from "../../flow/ir.ts";
import { mergeUnder, template } from "../templates.ts";
import type { Payload, TaskState } from "./asl.ts";
import { batchResources, COMPUTE_PATH, resourcesKey } from "./compute.ts";
import { definitionFor, type EnvVar, type SfnContext } from "./context.ts";
import { apiRetrier, stepRetrier } from "./retry.ts";

/**
 * The task entrypoint (docs/design.md, "Step contract"); the attempt is Step Functions' retry count.
 * Written without spaces: it is the one long line every Task has.
 */
export const COMMAND_EXPR = (step: string) =>
  `States.Array('flowc','step','--run-id',$.runId,'--step','${step}','--index',$.index,'--attempt',States.Format('{}',$$.State.RetryCount))`;

/** Batch refuses attempt durations under a minute; the Task's TimeoutSeconds still enforces the step's. */
const BATCH_MIN_ATTEMPT_SECONDS = 60;

type TaskBody = Omit<TaskState, "Next" | "End">;

/**
 * The step's environment: `$.env` when the step has nothing of its own. ASL cannot append to an array,
 * so a step with env of its own lists every variable, the shared ones read from the context's copy
 * (`$.env[i].Value`): whatever the Context state computed them from, a task sees the same value.
 */
function environment(ctx: SfnContext, step: StepIR): { Environment: EnvVar[] } | { "Environment.$": string } {
  // commonStepEnv is a subset of every step's env, so equal sizes mean equal envs.
  if (Object.keys(step.env).length === Object.keys(ctx.commonStepEnv).length) return { "Environment.$": "$.env" };
  const shared = ctx.sharedEnv.flatMap((v, i) => (v.Name in ctx.commonStepEnv ? [] : [{ Name: v.Name, "Value.$": `$.env[${i}].Value` }]));
  return { Environment: [...shared, ...Object.entries(step.env).map(([Name, Value]) => ({ Name, Value }))] };
}

/** A compute field: from the context when the step uses the usual value, else the step's own. */
const computeField = (key: string, value: unknown, isUsual: boolean): Payload => (isUsual ? { [`${key}.$`]: `${COMPUTE_PATH}.${key}` } : { [key]: value });

function batchParameters(ctx: SfnContext, step: StepIR): Payload {
  const c = ctx.sfn.compute;
  if (c.kind !== "batch") throw new Error("not batch");
  const definition = definitionFor(ctx, step);
  const generated: Payload = {
    JobName: ctx.names.batchJob(step.name),
    ...computeField("JobQueue", c.jobQueue, true),
    ...computeField("JobDefinition", definition, definition === ctx.compute.definition),
    ContainerOverrides: {
      "Command.$": COMMAND_EXPR(step.name),
      ...environment(ctx, step),
      ...computeField("ResourceRequirements", batchResources(step), resourcesKey(step) === ctx.compute.resources),
    },
    ...(step.timeoutSeconds ? { Timeout: { AttemptDurationSeconds: Math.max(BATCH_MIN_ATTEMPT_SECONDS, step.timeoutSeconds) } } : {}),
  };
  return mergeUnder(template(ctx.env.templates, "sfn/batch-job.json"), generated);
}

function ecsParameters(ctx: SfnContext, step: StepIR): Payload {
  const c = ctx.sfn.compute;
  if (c.kind !== "ecs") throw new Error("not ecs");
  const { cpu, memoryMiB, gpu } = step.resources;
  const definition = definitionFor(ctx, step);
  const generated: Payload = {
    ...computeField("Cluster", c.cluster, true),
    ...computeField("TaskDefinition", definition, definition === ctx.compute.definition),
    LaunchType: c.launchType,
    ...(c.subnets.length ? computeField("NetworkConfiguration", undefined, true) : {}),
    Overrides: {
      Cpu: String(Math.round(cpu * 1024)),
      Memory: String(memoryMiB),
      ContainerOverrides: [
        {
          Name: c.containerName,
          "Command.$": COMMAND_EXPR(step.name),
          ...environment(ctx, step),
          ...(gpu > 0 ? { ResourceRequirements: [{ Type: "GPU", Value: String(gpu) }] } : {}),
        },
      ],
    },
  };
  return mergeUnder(template(ctx.env.templates, "sfn/ecs-task.json"), generated);
}

/** The Task that runs one step's container, without its exit (the emitter knows where it goes). */
export function stepTask(ctx: SfnContext, step: StepIR): TaskBody {
  const batch = ctx.sfn.compute.kind === "batch";
  const retry = [apiRetrier(batch ? "batch" : "ecs"), stepRetrier(step)].filter((r) => r !== undefined);
  return {
    Type: "Task",
    ...(step.description ? { Comment: step.description } : {}),
    Resource: ctx.arns.integration(batch ? "batch:submitJob.sync" : "ecs:runTask.sync"),
    Parameters: batch ? batchParameters(ctx, step) : ecsParameters(ctx, step),
    ResultPath: null,
    ...(step.timeoutSeconds ? { TimeoutSeconds: step.timeoutSeconds } : {}),
    Retry: retry,
  };
}
