import type { SfnConfig } from "../../config/types.ts";

/**
 * ARNs of what a compiled flow touches, built only from the environment's configuration (region,
 * account, partition). Names that are already ARNs in the configuration are kept as they are.
 */
export function arns(sfn: SfnConfig) {
  const { partition: p, region: r, account: a } = sfn;
  const isArn = (s: string) => s.startsWith("arn:");
  const machine = (name: string) => `arn:${p}:states:${r}:${a}:stateMachine:${name}`;
  return {
    /** Service integrations have no region or account in their ARN. */
    integration: (what: string) => `arn:${p}:states:::${what}`,
    machine,
    alias: (name: string, alias: string) => `${machine(name)}:${alias}`,
    /** Executions of the machine, its versions and aliases, and its Distributed Map child runs. */
    executions: (name: string) => [`arn:${p}:states:${r}:${a}:execution:${name}:*`, `arn:${p}:states:${r}:${a}:execution:${name}/*`],
    /** Distributed Map child runs only (`execution:<machine>/<map run label>:<id>`, deeper when nested). */
    mapRunExecutions: (name: string) => `arn:${p}:states:${r}:${a}:execution:${name}/*`,
    /** What a nested Distributed Map's child runs start: `stateMachine:<machine>/<map run label>`. */
    mapRunMachines: (name: string) => `${machine(name)}/*`,
    /** An EventBridge API destination by name (its ARN ends in a UUID the service picks: `<arn>/*` matches it). */
    apiDestination: (name: string) => `arn:${p}:events:${r}:${a}:api-destination/${name}`,
    jobQueue: (q: string) => (isArn(q) ? q : `arn:${p}:batch:${r}:${a}:job-queue/${q}`),
    /** SubmitJob is authorized against the revision-qualified ARN, so both spellings are listed. */
    jobDefinition: (d: string) => (isArn(d) ? [d] : [`arn:${p}:batch:${r}:${a}:job-definition/${d}`, `arn:${p}:batch:${r}:${a}:job-definition/${d}:*`]),
    batchJobs: () => `arn:${p}:batch:${r}:${a}:job/*`,
    cluster: (c: string) => (isArn(c) ? c : `arn:${p}:ecs:${r}:${a}:cluster/${c}`),
    taskDefinition: (t: string) => (isArn(t) ? [t] : [`arn:${p}:ecs:${r}:${a}:task-definition/${t}`, `arn:${p}:ecs:${r}:${a}:task-definition/${t}:*`]),
    ecsTasks: (c: string) => `arn:${p}:ecs:${r}:${a}:task/${isArn(c) ? c.slice(c.lastIndexOf("/") + 1) : c}/*`,
    /** The managed rules Step Functions creates to learn when a `.sync` job or task ends. */
    syncRule: (which: "Batch" | "ECS" | "StepFunctions") =>
      `arn:${p}:events:${r}:${a}:rule/${{ Batch: "StepFunctionsGetEventsForBatchJobsRule", ECS: "StepFunctionsGetEventsForECSTaskRule", StepFunctions: "StepFunctionsGetEventsForStepFunctionsExecutionRule" }[which]}`,
    s3Objects: (bucket: string, keyPrefix: string) => `arn:${p}:s3:::${bucket}/${keyPrefix}*`,
    roles: () => `arn:${p}:iam::${a}:role/*`,
  };
}

export type Arns = ReturnType<typeof arns>;
