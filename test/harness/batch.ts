// Creates what `arn:aws:states:::batch:submitJob.sync` needs on moto: a service
// role, an UNMANAGED compute environment, a job queue and a job definition.
// @aws-sdk/client-batch is not a dependency, so Batch is called through its REST
// API directly (POST /v1/<action>, JSON). moto does not check signatures; the
// Authorization header only tells moto's dispatcher which service and region.
import { CreateRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import type { MotoClientConfig } from "./moto.ts";

export interface BatchSetupOptions {
  /** Job queue name (default "flowc-local"). */
  jobQueue?: string;
  /** Job definition name (default "flowc-local"). */
  jobDefinition?: string;
  /** The definition's default command; a Task's ContainerOverrides.Command replaces it. */
  command?: string[];
  /** The definition's environment; ContainerOverrides.Environment entries win. */
  environment?: Record<string, string>;
  /** The definition's timeout.attemptDurationSeconds. */
  attemptDurationSeconds?: number;
  /** Compute environment name (default "flowc-local-ce"). */
  computeEnvironment?: string;
}

export interface BatchSetup {
  jobQueue: string;
  jobQueueArn: string;
  jobDefinition: string;
  jobDefinitionArn: string;
  computeEnvironmentArn: string;
  serviceRoleArn: string;
}

export async function batchApi<T = Record<string, unknown>>(
  config: Pick<MotoClientConfig, "endpoint" | "region" | "credentials">,
  action: string,
  body: unknown,
): Promise<T> {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  const res = await fetch(`${config.endpoint}/v1/${action.toLowerCase()}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization:
        `AWS4-HMAC-SHA256 Credential=${config.credentials.accessKeyId}/${day}/${config.region}/batch/aws4_request, ` +
        "SignedHeaders=content-type;host, Signature=0",
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`batch ${action}: HTTP ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

async function ensureRole(config: MotoClientConfig, name: string): Promise<string> {
  const iam = new IAMClient(config);
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.Arn!;
  } catch {
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "batch.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      }),
    );
    return created.Role!.Arn!;
  } finally {
    iam.destroy();
  }
}

/** Idempotent for the role, compute environment and queue; registers a new definition revision each call. */
export async function setupBatch(config: MotoClientConfig, opts: BatchSetupOptions = {}): Promise<BatchSetup> {
  const jobQueue = opts.jobQueue ?? "flowc-local";
  const jobDefinition = opts.jobDefinition ?? "flowc-local";
  const ceName = opts.computeEnvironment ?? "flowc-local-ce";
  const serviceRoleArn = await ensureRole(config, "flowc-local-batch-service");

  const ces = await batchApi<{ computeEnvironments: { computeEnvironmentArn: string }[] }>(
    config,
    "DescribeComputeEnvironments",
    { computeEnvironments: [ceName] },
  );
  const computeEnvironmentArn =
    ces.computeEnvironments[0]?.computeEnvironmentArn ??
    (
      await batchApi<{ computeEnvironmentArn: string }>(config, "CreateComputeEnvironment", {
        computeEnvironmentName: ceName,
        type: "UNMANAGED",
        state: "ENABLED",
        serviceRole: serviceRoleArn,
      })
    ).computeEnvironmentArn;

  const queues = await batchApi<{ jobQueues: { jobQueueArn: string }[] }>(config, "DescribeJobQueues", {
    jobQueues: [jobQueue],
  });
  const jobQueueArn =
    queues.jobQueues[0]?.jobQueueArn ??
    (
      await batchApi<{ jobQueueArn: string }>(config, "CreateJobQueue", {
        jobQueueName: jobQueue,
        state: "ENABLED",
        priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: computeEnvironmentArn }],
      })
    ).jobQueueArn;

  const definition = await batchApi<{ jobDefinitionArn: string }>(config, "RegisterJobDefinition", {
    jobDefinitionName: jobDefinition,
    type: "container",
    containerProperties: {
      image: "flowc-local", // never pulled: the launcher runs the command on this machine
      command: opts.command ?? ["sh", "-c", "echo 'flowc-local job without a command'"],
      resourceRequirements: [
        { type: "VCPU", value: "1" },
        { type: "MEMORY", value: "512" },
      ],
      environment: Object.entries(opts.environment ?? {}).map(([name, value]) => ({ name, value })),
    },
    ...(opts.attemptDurationSeconds ? { timeout: { attemptDurationSeconds: opts.attemptDurationSeconds } } : {}),
  });

  return {
    jobQueue,
    jobQueueArn,
    jobDefinition,
    jobDefinitionArn: definition.jobDefinitionArn,
    computeEnvironmentArn,
    serviceRoleArn,
  };
}

export interface BatchJobSummary {
  jobId: string;
  jobName: string;
  status: string;
  statusReason?: string;
  container?: { exitCode?: number };
}

/** ListJobs of a queue (all statuses), e.g. to check what a state machine submitted. */
export async function listBatchJobs(config: MotoClientConfig, jobQueue: string): Promise<BatchJobSummary[]> {
  const res = await batchApi<{ jobSummaryList: BatchJobSummary[] }>(config, "ListJobs", {
    jobQueue,
    filters: [{ name: "JOB_NAME", values: ["*"] }],
  });
  return res.jobSummaryList;
}
