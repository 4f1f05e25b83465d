import { STEP_ENV } from "../../contract/env.ts";
import type { StepIR } from "../../flow/ir.ts";
import { mergeUnder, template } from "../templates.ts";
import type { Payload, TaskState } from "./asl.ts";
import { definitionFor, type EnvVar, type SfnContext } from "./context.ts";
import { apiRetrier, stepRetrier } from "./retry.ts";

/** The task entrypoint (docs/design.md, "Step contract"); the attempt is Step Functions' retry count. */
export const COMMAND_EXPR = (step: string) =>
  `States.Array('flowc', 'step', '--run-id', $.runId, '--step', '${step}', '--index', $.index, '--attempt', States.Format('{}', $$.State.RetryCount))`;

/** Batch refuses attempt durations under a minute; the Task's TimeoutSeconds still enforces the step's. */
const BATCH_MIN_ATTEMPT_SECONDS = 60;

type TaskBody = Omit<TaskState, "Next" | "End">;

/** The step's environment: `$.env` when the step has nothing of its own, else the whole list spelled out. */
function environment(ctx: SfnContext, step: StepIR): { Environment: EnvVar[] } | { "Environment.$": string } {
  // commonStepEnv is a subset of every step's env, so equal sizes mean equal envs.
  if (Object.keys(step.env).length === Object.keys(ctx.commonStepEnv).length) return { "Environment.$": "$.env" };
  // ASL cannot append to an array, so a step with env of its own lists the shared variables itself;
  // values computed at the start are read from the context's copy (`$.env[i]`), not computed again.
  const shared = ctx.sharedEnv.map((v, i) => ({ v, i })).filter(({ v }) => !(v.Name in ctx.commonStepEnv));
  return {
    Environment: [
      ...shared.map(({ v, i }) => (v.Name === STEP_ENV.params ? { Name: v.Name, "Value.$": "States.JsonToString($.params)" } : "Value.$" in v ? { Name: v.Name, "Value.$": `$.env[${i}].Value` } : v)),
      ...Object.entries(step.env).map(([Name, Value]) => ({ Name, Value })),
    ],
  };
}

function batchParameters(ctx: SfnContext, step: StepIR): Payload {
  if (ctx.sfn.compute.kind !== "batch") throw new Error("not batch");
  const { cpu, memoryMiB, gpu } = step.resources;
  const generated: Payload = {
    JobName: ctx.names.batchJob(step.name),
    JobQueue: ctx.sfn.compute.jobQueue,
    JobDefinition: definitionFor(ctx, step),
    ContainerOverrides: {
      "Command.$": COMMAND_EXPR(step.name),
      ...environment(ctx, step),
      ResourceRequirements: [
        { Type: "VCPU", Value: String(cpu) },
        { Type: "MEMORY", Value: String(memoryMiB) },
        ...(gpu > 0 ? [{ Type: "GPU", Value: String(gpu) }] : []),
      ],
    },
    ...(step.timeoutSeconds ? { Timeout: { AttemptDurationSeconds: Math.max(BATCH_MIN_ATTEMPT_SECONDS, step.timeoutSeconds) } } : {}),
  };
  return mergeUnder(template(ctx.env.templates, "sfn/batch-job.json"), generated);
}

function ecsParameters(ctx: SfnContext, step: StepIR): Payload {
  const c = ctx.sfn.compute;
  if (c.kind !== "ecs") throw new Error("not ecs");
  const { cpu, memoryMiB, gpu } = step.resources;
  const generated: Payload = {
    Cluster: c.cluster,
    TaskDefinition: definitionFor(ctx, step),
    LaunchType: c.launchType,
    ...(c.subnets.length
      ? { NetworkConfiguration: { AwsvpcConfiguration: { Subnets: c.subnets, SecurityGroups: c.securityGroups, AssignPublicIp: c.assignPublicIp ? "ENABLED" : "DISABLED" } } }
      : {}),
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
