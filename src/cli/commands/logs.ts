import type { Command } from "commander";
import { keys, parseIndex, type TaskId } from "../../contract/layout.ts";
import { DEFAULT_DATASTORE, type Datastore } from "../../datastore/index.ts";
import type { EnvConfig } from "../../config/types.ts";
import type { FlowSpec } from "../../flow/spec.ts";
import { describeTask, listIndexes, type AttemptView, type TaskView } from "../../runtime/inspect.ts";
import { readJson } from "../../runtime/records.ts";
import { shouldRetry } from "../../runtime/retry.ts";
import type { ContextRecord } from "../../runtime/run-context.ts";
import { datastoreOf, locateRun } from "../env-datastore.ts";
import { CliError, EXIT, type Io } from "../io.ts";

interface LogsFlags {
  datastore: string;
  env?: string;
  config?: string;
  flow?: string;
  attempt?: string;
  stream: string;
  follow?: boolean;
  target?: string;
  profile?: string;
  endpoint?: string;
}

/** How often --follow looks again. */
const FOLLOW_MS = 2000;

export function registerLogs(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("logs")
    .description("Print what tasks of a run wrote to stdout and stderr: a deployed run's (--env) or a local one's.")
    .argument("<what>", "RUN (its tasks that did not succeed), RUN/STEP (every task of the step) or RUN/STEP/INDEX")
    .option("-e, --env <env>", "a deployed run: read the datastore of this environment of flowc.config.yaml")
    .option("-c, --config <file>", "with --env: the configuration file", "flowc.config.yaml")
    .option("-d, --datastore <root>", "without --env: a folder or s3://bucket/prefix", DEFAULT_DATASTORE)
    .option("-t, --target <target>", "sfn or argo: where to look when a task left no logs in the datastore (a killed task)")
    .option("--profile <name>", "sfn: AWS profile")
    .option("--endpoint <url>", "sfn: AWS endpoint URL")
    .option("--flow <name>", "the flow, when several flows have a run with this id")
    .option("--attempt <n>", "this attempt (default: the one that counts, else the last)")
    .option("--stream <which>", "stdout, stderr or both", "both")
    .option("-f, --follow", "keep printing as the tasks write, until they finish")
    .addHelpText(
      "after",
      `
Every task's output is kept in the datastore (<flow>/<run>/<step>/<index>/attempt-<n>/stdout, stderr)
by flowc step, the same on Step Functions, Argo and flowc run. A task killed before it could store
them (a timeout, lost memory) left none: with --target sfn flowc reads the Batch job's CloudWatch
Logs stream instead. RUN may be the name of an execution that resumed the run (<run>-r<n>).

Examples:
  $ flowc logs prod-20261204T050002-9f2c1a --env prod                 # the tasks that failed
  $ flowc logs prod-20261204T050002-9f2c1a/fit/2 --env prod --stream stderr
  $ flowc logs prod-20261204T050002-9f2c1a/fit --env prod --attempt 0
  $ flowc logs 20261129-120102-3fa2/square --follow                  # a local run`,
    )
    .action(async (what: string, flags: LogsFlags) => {
      const [name, step, indexText, ...rest] = what.split("/");
      if (!name || rest.length) throw new CliError(`cannot read ${JSON.stringify(what)}`, EXIT.usage, "write RUN, RUN/STEP or RUN/STEP/INDEX");
      const streams = flags.stream === "both" ? (["stdout", "stderr"] as const) : flags.stream === "stdout" || flags.stream === "stderr" ? ([flags.stream] as const) : undefined;
      if (!streams) throw new CliError(`--stream must be stdout, stderr or both, not ${flags.stream}`, EXIT.usage);
      const attempt = flags.attempt === undefined ? undefined : Number(flags.attempt);
      if (attempt !== undefined && (!Number.isInteger(attempt) || attempt < 0)) throw new CliError("--attempt must be a whole number ≥ 0", EXIT.usage);
      if (flags.target !== undefined && flags.target !== "sfn" && flags.target !== "argo") throw new CliError(`unknown target \`${flags.target}\``, EXIT.usage, "use --target sfn or --target argo");
      if (flags.target && !flags.env) throw new CliError("--target reads a deployed run's platform logs: give --env too", EXIT.usage);
      const index = indexText === undefined ? undefined : parseIndex(indexText);
      if (indexText !== undefined && index === undefined) throw new CliError(`${JSON.stringify(indexText)} is not an index path`, EXIT.usage, "use 3, 3.7, or _ for the top level");

      const { ds, env } = await datastoreOf(io, flags);
      const { flow, runId } = await locateRun(ds, name, flags.flow);
      const platform = flags.target === "sfn" && env ? await sfnFallback(io, env, flags) : undefined;
      const select = () => selectTasks(ds, { flow, runId }, step, index);
      let tasks = await select();
      if (tasks.length === 0) {
        if (step) throw new CliError(`run ${runId} has no tasks of step \`${step}\`${index !== undefined ? ` at index ${index || "_"}` : ""}`, EXIT.failed, `see its tasks: flowc show ${runId}${flags.env ? ` --env ${flags.env}` : ""}`);
        io.stderr(`every task of run ${runId} that ran succeeded; name one: flowc logs ${runId}/STEP[/INDEX]${flags.env ? ` --env ${flags.env}` : ""}\n`);
        return done(EXIT.ok);
      }
      const printed = new Map<string, number>();
      const print = async (t: TaskView) => {
        const a = pick(t, attempt);
        if (!a) return;
        for (const stream of streams) {
          const key = `${t.task.step}/${t.task.index}/${a.attempt}/${stream}`;
          const text = await logText(ds, t.task, a, stream, platform);
          if (text === undefined) continue;
          const seen = printed.get(key) ?? -1;
          if (seen < 0) io.stdout(`==> ${label(t.task)} attempt ${a.attempt} (${a.status}) ${stream}${text.source ? ` [${text.source}]` : ""} <==\n`);
          const from = Math.max(0, seen);
          if (text.body.length > from) io.stdout(text.body.slice(from));
          printed.set(key, text.body.length);
        }
      };
      for (const t of tasks) await print(t);
      if (!flags.follow) return done(EXIT.ok);

      const spec = await specOf(ds, flow, runId);
      for (;;) {
        if (tasks.every((t) => settled(t, spec))) return done(EXIT.ok);
        await new Promise((r) => setTimeout(r, FOLLOW_MS));
        tasks = step ? await select() : await Promise.all(tasks.map((t) => describeTask(ds, t.task)));
        for (const t of tasks) await print(t);
      }
    });
}

const label = (t: TaskId) => (t.index === "" ? t.step : `${t.step}[${t.index}]`);

/** RUN: the tasks that did not succeed; RUN/STEP: all of the step's; RUN/STEP/INDEX: that one. */
async function selectTasks(ds: Datastore, run: { flow: string; runId: string }, step: string | undefined, index: string | undefined): Promise<TaskView[]> {
  const steps = step ? [step] : (await ds.children(`${run.flow}/${run.runId}`)).filter((n) => !n.includes("."));
  const out: TaskView[] = [];
  for (const s of steps) {
    const indexes = index !== undefined ? [index] : await listIndexes(ds, run.flow, run.runId, s);
    for (const i of indexes) {
      const t = await describeTask(ds, { ...run, step: s, index: i });
      if (t.attempts.length === 0 && index === undefined) continue;
      if (step || t.state !== "succeeded") out.push(t);
    }
  }
  return out;
}

function pick(t: TaskView, attempt: number | undefined): AttemptView | undefined {
  if (attempt !== undefined) return t.attempts.find((a) => a.attempt === attempt);
  return t.attempts.find((a) => a.attempt === t.done?.attempt) ?? t.attempts.at(-1);
}

interface LogText {
  body: string;
  source?: string;
}

type PlatformLogs = (task: TaskId, attempt: number) => Promise<LogText | undefined>;

async function logText(ds: Datastore, task: TaskId, a: AttemptView, stream: "stdout" | "stderr", platform: PlatformLogs | undefined): Promise<LogText | undefined> {
  const bytes = await ds.read(stream === "stdout" ? keys.stdout(task, a.attempt) : keys.stderr(task, a.attempt));
  if (bytes) return { body: bytes.toString("utf8") };
  // A task writes its logs when its attempt ends; one that ended well and printed nothing has none.
  if (a.status === "succeeded" || !platform || stream === "stdout") return undefined;
  // The platform keeps one stream for both: shown once, under stderr.
  return platform(task, a.attempt);
}

/** Whether --follow can stop watching a task: it finished, was caught, or failed with no retry to come. */
function settled(t: TaskView, spec: FlowSpec | undefined): boolean {
  if (t.done || t.failed) return true;
  const last = t.attempts.at(-1);
  if (!last || last.status === "running") return false;
  const step = spec?.flow.steps.find((s) => s.name === t.task.step);
  return !step || !shouldRetry(step.retry, last.attempt, { status: last.status, durationMs: 0 });
}

async function specOf(ds: Datastore, flow: string, runId: string): Promise<FlowSpec | undefined> {
  const record = await readJson<ContextRecord>(ds, keys.context(flow, runId)).catch(() => undefined);
  const key = record?.spec ?? (await readJson<{ spec?: string }>(ds, keys.run(flow, runId)).catch(() => undefined))?.spec;
  return key ? readJson<FlowSpec>(ds, key).catch(() => undefined) : undefined;
}

async function sfnFallback(io: Io, env: EnvConfig, flags: LogsFlags): Promise<PlatformLogs> {
  const { batchTaskLogs } = await import("../../deploy/sfn/task-logs.ts");
  return (task, attempt) => batchTaskLogs(env, { env: io.env, ...(flags.profile ? { profile: flags.profile } : {}), ...(flags.endpoint ? { endpoint: flags.endpoint } : {}) }, task, attempt);
}
