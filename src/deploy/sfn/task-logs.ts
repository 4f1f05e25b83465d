import { AwsSession } from "../../aws/clients.ts";
import type { EnvConfig } from "../../config/types.ts";
import type { TaskId } from "../../contract/layout.ts";
import { sfnNames } from "../../names/sfn.ts";

/** Batch writes a job's output to this group unless the job definition names another. */
const DEFAULT_GROUP = "/aws/batch/job";

interface Job {
  jobId?: string;
  createdAt?: number;
  container?: { command?: string[]; logStreamName?: string; logConfiguration?: { logDriver?: string; options?: Record<string, string> } };
}

/**
 * The output of a task that left none in the datastore (killed before flowc step stored it): the
 * Batch job that ran it, found by its name and the `flowc step` command it ran (run, step, index,
 * attempt as Step Functions numbered it), then that job's CloudWatch Logs stream. One stream holds
 * stdout and stderr together.
 */
export async function batchTaskLogs(env: EnvConfig, settings: { env: NodeJS.ProcessEnv; profile?: string; endpoint?: string }, task: TaskId, attempt: number): Promise<{ body: string; source: string } | undefined> {
  const sfn = env.sfn;
  if (!sfn || sfn.compute.kind !== "batch") return undefined;
  const aws = new AwsSession({ region: sfn.region, env: settings.env, ...(settings.profile ? { profile: settings.profile } : {}), ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) });
  try {
    const job = await findJob(aws, sfn.compute.jobQueue, sfnNames(task.flow, env).batchJob(task.step), task, attempt);
    const stream = job?.container?.logStreamName;
    if (!job || !stream) return undefined;
    const group = job.container?.logConfiguration?.logDriver === "awslogs" ? (job.container.logConfiguration.options?.["awslogs-group"] ?? DEFAULT_GROUP) : DEFAULT_GROUP;
    const { c, m } = await aws.logs();
    const lines: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100; page++) {
      const out = await c.send(new m.GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }));
      lines.push(...(out.events ?? []).map((e) => e.message ?? ""));
      if (!out.nextForwardToken || out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    return { body: lines.map((l) => (l.endsWith("\n") ? l : `${l}\n`)).join(""), source: `CloudWatch Logs ${group} ${stream} (Batch job ${job.jobId})` };
  } finally {
    await aws.close();
  }
}

async function findJob(aws: AwsSession, queue: string, jobName: string, task: TaskId, attempt: number): Promise<Job | undefined> {
  const { c, m } = await aws.batch();
  const ids: string[] = [];
  let token: string | undefined;
  do {
    // With a filter, ListJobs returns jobs of every status.
    const out = await c.send(new m.ListJobsCommand({ jobQueue: queue, filters: [{ name: "JOB_NAME", values: [jobName] }], ...(token ? { nextToken: token } : {}) }));
    ids.push(...(out.jobSummaryList ?? []).map((j) => j.jobId!));
    token = out.nextToken;
  } while (token && ids.length < 2000);
  const wanted = (cmd: string[]) => flag(cmd, "--run-id") !== undefined && flag(cmd, "--step") === task.step && (flag(cmd, "--index") ?? "") === task.index && Number(flag(cmd, "--attempt") ?? 0) === attempt;
  const matches: Job[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const out = await c.send(new m.DescribeJobsCommand({ jobs: ids.slice(i, i + 100) }));
    for (const j of (out.jobs ?? []) as Job[]) if (wanted(j.container?.command ?? []) && runOf(j.container?.command ?? [], task.runId)) matches.push(j);
  }
  // A redriven or resumed run can run the same attempt again: the newest job is the one wanted.
  return matches.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))[0];
}

const flag = (cmd: string[], name: string) => {
  const i = cmd.indexOf(name);
  return i >= 0 ? cmd[i + 1] : undefined;
};

/** The job's --run-id is the run, or an execution that resumed it (<run>-r<n>). */
const runOf = (cmd: string[], runId: string) => {
  const r = flag(cmd, "--run-id");
  return r === runId || (r !== undefined && r.replace(/-r\d+$/, "") === runId);
};
