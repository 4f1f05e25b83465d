import type { Command } from "commander";
import { DEFAULT_DATASTORE, type Datastore } from "../../datastore/index.ts";
import { datastoreOf, locateRun } from "../env-datastore.ts";
import { decodeValue } from "../../runtime/artifacts.ts";
import { describeRun, describeTask, listIndexes, type TaskView } from "../../runtime/inspect.ts";
import { attemptName, keys, parseIndex, runPrefix, taskInRun, type TaskId } from "../../contract/layout.ts";
import { secs } from "../../runtime/progress.ts";
import { readJson } from "../../runtime/records.ts";
import type { FlowSpec } from "../../flow/spec.ts";
import { closest } from "../../util/closest.ts";
import { CliError, EXIT, type Io } from "../io.ts";

const PREVIEW_BYTES = 2000;

export function registerShow(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("show")
    .description("Print a run's tasks, a step's tasks, or one task's attempts, artifacts and logs.")
    .argument("<what>", "RUN, RUN/STEP or RUN/STEP/INDEX (INDEX: 3, 3.7; _ at top level)")
    .option("-d, --datastore <root>", "a folder or s3://bucket/prefix", DEFAULT_DATASTORE)
    .option("-e, --env <env>", "a deployed run: read the datastore of this environment of flowc.config.yaml")
    .option("-c, --config <file>", "with --env: the configuration file", "flowc.config.yaml")
    .option("--flow <name>", "the flow, when several flows have a run with this id")
    .option("--attempt <n>", "one task: show this attempt's logs (default: the one that counts, else the last)")
    .addHelpText(
      "after",
      `
Examples:
  $ flowc show 20261129-120102-3fa2
  $ flowc show 20261129-120102-3fa2/square
  $ flowc show 20261129-120102-3fa2/square/7
  $ flowc show 20261129-120102-3fa2/end
  $ flowc show prod-20261204T050002-9f2c1a --env prod          # a deployed run, from prod's datastore`,
    )
    .action(async (what: string, opts: { datastore: string; env?: string; config?: string; flow?: string; attempt?: string }) => {
      const [name, step, indexText, ...rest] = what.split("/");
      if (!name || rest.length) throw new CliError(`cannot read ${JSON.stringify(what)}`, EXIT.usage, "write RUN, RUN/STEP or RUN/STEP/INDEX", "FLAG_INVALID");
      const { ds } = await datastoreOf(io, opts);
      const { flow, runId } = await locateRun(ds, name, opts.flow);
      const out = (s = "") => io.stdout(`${s}\n`);

      if (!step) return done(await showRun(ds, flow, runId, out));
      const indexes = await listIndexes(ds, flow, runId, step);
      if (indexes.length === 0) {
        const steps = (await ds.children(runPrefix(flow, runId))).filter((n) => !n.includes("."));
        const near = closest(step, steps);
        throw new CliError(`run ${runId} has no tasks of step \`${step}\``, EXIT.failed, `${near ? `did you mean \`${near}\`? ` : ""}see the steps with: flowc show ${runId}`, "STEP_NOT_FOUND");
      }
      let index: string | undefined;
      if (indexText !== undefined) {
        index = parseIndex(indexText);
        if (index === undefined) throw new CliError(`${JSON.stringify(indexText)} is not an index path`, EXIT.usage, "use 3, 3.7, or _ for the top level", "FLAG_INVALID");
      } else if (indexes.length === 1 && indexes[0] === "") index = "";
      if (index === undefined) {
        for (const i of indexes) out(taskLine(await describeTask(ds, { flow, runId, step, index: i })));
        return done(EXIT.ok);
      }
      if (!indexes.includes(index)) await checkTaskCanExist(ds, { flow, runId, step, index }, indexes);
      const attempt = opts.attempt === undefined ? undefined : Number(opts.attempt);
      if (attempt !== undefined && (!Number.isInteger(attempt) || attempt < 0)) throw new CliError(`--attempt must be a whole number ≥ 0, not ${opts.attempt}`, EXIT.usage, "0 is the first attempt", "FLAG_INVALID");
      done(await showTask(ds, { flow, runId, step, index }, attempt, out));
    });
}

const depth = (index: string) => (index === "" ? 0 : index.split(".").length);

/**
 * A task with no folder yet is "not started" only while it still may start: at the step's depth of
 * foreach nesting, in a run that is still going. Anything else is a wrong address, said as one.
 */
async function checkTaskCanExist(ds: Datastore, task: TaskId, indexes: readonly string[]): Promise<void> {
  const name = `${task.step}${task.index === "" ? "" : `[${task.index}]`}`;
  const have = depth(indexes[0]!);
  if (depth(task.index) !== have)
    throw new CliError(
      `run ${task.runId} has no task ${name}: step \`${task.step}\` ${have === 0 ? "runs once, at the top level" : `runs inside ${have} foreach${have === 1 ? "" : "es"}, so its index has ${have} number${have === 1 ? "" : "s"}`}`,
      EXIT.failed,
      `its tasks: ${summarize(indexes.map((i) => `${task.runId}/${task.step}/${i === "" ? "_" : i}`))}`,
      "TASK_NOT_FOUND",
    );
  const run = await describeRun(ds, task.flow, task.runId);
  if (run.status === "running" || run.status === "unknown") return;
  throw new CliError(`run ${task.runId} has no task ${name}: the run is ${run.status}`, EXIT.failed, `its tasks of \`${task.step}\`: ${summarize(indexes.map((i) => `${task.runId}/${task.step}/${i === "" ? "_" : i}`))}`, "TASK_NOT_FOUND");
}

const summarize = (names: string[]) => (names.length <= 4 ? names.join(", ") : `${names.slice(0, 3).join(", ")}, … ${names.at(-1)} (${names.length})`);

async function showRun(ds: Datastore, flow: string, runId: string, out: (s?: string) => void): Promise<number> {
  const run = await describeRun(ds, flow, runId);
  out(`run ${runId} of flow \`${flow}\`: ${run.status}`);
  if (run.record) {
    out(`  started  ${run.record.startedAt}${run.record.finishedAt ? `, finished ${run.record.finishedAt}` : ""}`);
    out(`  params   ${JSON.stringify(run.record.params)}`);
    if (run.record.error) out(`  error    ${run.record.error}`);
  }
  out(`  where    ${ds.locate(runPrefix(flow, runId))}`);
  out();
  // Steps in flow order when the spec is at hand, else by name.
  const present = (await ds.children(runPrefix(flow, runId))).filter((n) => !n.includes("."));
  const spec = run.record ? await readJson<FlowSpec>(ds, run.record.spec).catch(() => undefined) : undefined;
  const order = spec ? spec.flow.steps.map((s) => s.name).filter((n) => present.includes(n)) : present;
  for (const step of order) {
    const indexes = await listIndexes(ds, flow, runId, step);
    const tasks = await Promise.all(indexes.map((index) => describeTask(ds, { flow, runId, step, index })));
    if (tasks.length === 1 && tasks[0]!.task.index === "") {
      out(taskLine(tasks[0]!));
      continue;
    }
    const byState = new Map<string, number>();
    for (const t of tasks) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
    const busy = tasks.reduce((s, t) => s + (t.done?.durationMs ?? 0), 0);
    out(`  ${step}  ${tasks.length} tasks: ${[...byState].map(([k, v]) => `${v} ${k}`).join(", ")}  (task time ${secs(busy)})`);
  }
  return EXIT.ok;
}

function taskLine(t: TaskView): string {
  const name = t.task.index === "" ? t.task.step : `${t.task.step}[${t.task.index}]`;
  const last = t.attempts.at(-1);
  const bits: string[] = [t.state];
  if (t.attempts.length > 1) bits.push(`${t.attempts.length} attempts`);
  if (t.done) bits.push(secs(t.done.durationMs), t.done.artifacts.length ? `artifacts: ${t.done.artifacts.join(", ")}` : "");
  else if (t.failed) bits.push(`${t.failed.error}: ${t.failed.cause.split("\n")[0]}`);
  else if (last?.error) bits.push(last.error);
  return `  ${name}  ${bits.filter(Boolean).join("  ")}`;
}

async function showTask(ds: Datastore, task: TaskId, attempt: number | undefined, out: (s?: string) => void): Promise<number> {
  const t = await describeTask(ds, task);
  const name = task.index === "" ? task.step : `${task.step}[${task.index}]`;
  out(`task ${name} of run ${task.runId} (flow \`${task.flow}\`): ${t.state}`);
  out(`  where    ${ds.locate(keys.done(task).replace(/\/done\.json$/, ""))}`);
  if (t.failed) out(`  caught   ${t.failed.error}: ${t.failed.cause}`);
  out();
  out("  attempts");
  for (const a of t.attempts) out(`    ${a.attempt}  ${a.status.padEnd(9)}  ${a.durationMs !== undefined ? secs(a.durationMs) : "-"}  ${a.startedAt ?? "(no meta.json: running, or killed)"}${a.error ? `  ${a.error}` : ""}`);
  if (t.attempts.length === 0) out("    (none)");
  if (t.done) {
    out();
    out(`  artifacts (attempt ${t.done.attempt})`);
    for (const n of t.done.artifacts) out(`    ${n} = ${await preview(ds, keys.artifact(task.flow, task.runId, `${taskInRun(task.step, task.index)}/${attemptName(t.done.attempt)}`, n), t.done.encodings?.[n])}`);
    if (t.done.artifacts.length === 0) out("    (none)");
    const inherited = Object.entries(t.done.inherited).sort(([a], [b]) => a.localeCompare(b));
    if (inherited.length) out(`  inherited ${inherited.map(([n, ref]) => `${n} (${ref.at.split("/")[0]})`).join(", ")}`);
  }
  const which = attempt ?? t.done?.attempt ?? t.attempts.at(-1)?.attempt;
  if (which !== undefined) {
    for (const stream of ["stdout", "stderr"] as const) {
      const bytes = await ds.read(stream === "stdout" ? keys.stdout(task, which) : keys.stderr(task, which));
      out();
      out(`  --- ${stream} (attempt ${which}) ---`);
      const text = bytes?.toString("utf8") ?? "";
      out(text === "" ? "  (empty)" : text.replace(/\n$/, ""));
    }
  }
  return EXIT.ok;
}

async function preview(ds: Datastore, key: string, enc: "json" | "text" | undefined): Promise<string> {
  const bytes = await ds.read(key);
  if (!bytes) return "(missing)";
  if (bytes.length > PREVIEW_BYTES || bytes.includes(0)) return `<${bytes.length} bytes>`;
  const v = decodeValue(bytes, enc);
  return JSON.stringify(v);
}
