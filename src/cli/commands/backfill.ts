import type { Command } from "commander";
import { availableParallelism } from "node:os";
import { resolveParams } from "../../contract/params.ts";
import { keys } from "../../contract/layout.ts";
import { DEFAULT_DATASTORE, openDatastore } from "../../datastore/index.ts";
import { allowedParallel, isSuccess, isTerminal, planTicks, runTicks, type Launcher, type Tick, type TickOutcome } from "../../deploy/backfill.ts";
import type { DeployContext, DeployTarget, RunInfo } from "../../deploy/target.ts";
import type { FlowIR } from "../../flow/ir.ts";
import { isValid, readFlow, type ValidFlow } from "../../flow/read.ts";
import { readJson, type RunRecord } from "../../runtime/records.ts";
import { runFlow } from "../../runtime/run.ts";
import { isDateOnly, parseTimeArg } from "../../util/zoned-time.ts";
import { checkFormat, deployOptions, prepare, reportErrors, type DeployFlags } from "../deploy-shared.ts";
import { printDiagnostics } from "../diagnostics.ts";
import { CliError, EXIT, type Io } from "../io.ts";
import { timeFlag } from "../scheduled-time.ts";

interface BackfillFlags extends DeployFlags {
  from?: string;
  to?: string;
  maxParallel: string;
  yes?: boolean;
  local?: boolean;
  datastore: string;
}

/** How often a deployed run's status is read while the backfill waits for it. */
const POLL_MS = 2000;

export function registerBackfill(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command("backfill")
    .description("Run a scheduled flow for every tick of its schedule in a past (or future) range, once per tick, each with that tick as its scheduled time.")
    .argument("<flow>", "flow file (.yaml or .ts)");
  deployOptions(cmd, ["format"], false)
    .option("-e, --env <env>", "environment from the configuration file (not with --local)")
    .requiredOption("--from <time>", "first tick at or after this time (ISO-8601; a date or a time without a zone is in the schedule's time zone)")
    .requiredOption("--to <time>", "ticks before this time; a date alone includes that whole day")
    .option("--max-parallel <n>", "runs at once (1 when the schedule's concurrency is forbid or replace)", "1")
    .option("--dry-run", "list the ticks, their run names and parameters, and which runs exist; start nothing")
    .option("--yes", `start more than 100 runs (at most 10,000)`)
    .option("--local", "run the ticks on this machine with flowc run instead of a deployed target")
    .option("-d, --datastore <root>", "with --local: a folder or s3://bucket/prefix", DEFAULT_DATASTORE)
    .addHelpText(
      "after",
      `
Each tick's run is started exactly as the schedule would have started it: its scheduled time is the
tick (FLOWC_SCHEDULED_TIME, ctx.scheduledTime) and the schedule's parameters are expanded for it
({date} is the tick's date in the schedule's time zone). Runs are named from the flow, environment
and tick, so running the same backfill again starts nothing that exists: Step Functions executions
<env>-at-<tick>; Argo Workflows <cronworkflow>-<unix tick>, the name the CronWorkflow itself gives a
run, so the live schedule and a backfill never run a tick twice. The command waits for the runs and
exits 0 when every one succeeded (or had succeeded before), 1 otherwise.

Examples:
  $ flowc backfill examples/train.yaml --env prod --from 2026-11-02 --to 2026-11-15 --dry-run
  $ flowc backfill examples/train.yaml --env prod --target sfn --from 2026-11-02 --to 2026-11-15
  $ flowc backfill examples/train.yaml --local --from 2026-11-02 --to 2026-11-06 --max-parallel 2`,
    )
    .action(async (file: string, flags: BackfillFlags) => {
      const format = checkFormat(flags.format);
      const asked = Number(flags.maxParallel);
      if (!Number.isInteger(asked) || asked < 1) throw new CliError(`--max-parallel must be a whole number ≥ 1, not ${flags.maxParallel}`, EXIT.usage);
      if (flags.local && flags.env) throw new CliError("--local runs the ticks on this machine: it takes no --env", EXIT.usage, "drop --env, or drop --local to backfill a deployed flow");
      if (!flags.local && !flags.env) throw new CliError("say where to backfill: --env ENV (a deployed flow) or --local", EXIT.usage);

      const local = flags.local ? await readLocal(io, file) : undefined;
      const deployed = local ? undefined : await reportErrors(() => prepare(io, file, flags as DeployFlags), EXIT.failed);
      const ir = local?.ir ?? deployed!.ctx.compiled.flow.ir;
      const from = timeFlag(ir, "--from", flags.from!);
      const to = isDateOnly(flags.to!) ? nextDay(ir, flags.to!) : timeFlag(ir, "--to", flags.to!);
      const plan = planTicks(ir, from, to, { yes: !!flags.yes });
      if (!plan.ok) throw new CliError(plan.error, EXIT.usage, plan.hint);
      checkParams(ir, plan.ticks);
      const { parallel, note } = allowedParallel(ir, asked);
      if (note && asked > 1) io.stderr(`note: ${note}\n`);

      const where = local ? `local ${flags.datastore}` : `${deployed!.target.name} · ${flags.env}`;
      const nameOf = (t: Tick) => (local ? localRunId(t.at) : deployed!.target.backfillName(deployed!.ctx, t.at));
      if (flags.dryRun) {
        const existing = deployed ? await reportErrors(() => existingRuns(deployed, plan.ticks, from, to, nameOf)) : await localExisting(io, flags.datastore, ir, plan.ticks);
        return done(printDryRun(io, format, ir, where, plan.ticks, nameOf, existing));
      }

      const launcher = local ? localLauncher(io, local, flags.datastore, parallel) : await reportErrors(() => deployedLauncher(deployed!, plan.ticks, from, to));
      if (format === "text") io.stderr(`backfill ${ir.name} · ${where} · ${plan.ticks.length} tick${plan.ticks.length === 1 ? "" : "s"} of "${ir.schedule!.cron}"${ir.schedule!.timezone ? ` in ${ir.schedule!.timezone}` : " (UTC)"} · ${parallel} at a time\n`);
      const progress = format === "text" ? new Progress(io, plan.ticks.length) : undefined;
      const outcomes = await runTicks(plan.ticks, parallel, launcher, {
        started: (tick, name, how, status) => progress?.started(tick, name, how, status),
        finished: (o) => progress?.finished(o),
      });
      progress?.close();
      const failed = outcomes.filter((o) => !o.ok);
      if (format === "json") io.stdout(`${JSON.stringify({ flow: ir.name, where, ticks: outcomes.map(jsonOutcome) }, null, 2)}\n`);
      else io.stdout(summary(outcomes));
      done(failed.length ? EXIT.failed : EXIT.ok);
    });
}

async function readLocal(io: Io, file: string): Promise<ValidFlow> {
  const read = await readFlow(file);
  if (!isValid(read)) {
    printDiagnostics(io, read.diagnostics, new Map([[read.loaded.file, read.loaded.text]]));
    throw new CliError(`${file} is not a valid flow: nothing was started`, EXIT.failed);
  }
  return read;
}

/** A date alone in --to means "through that day": the ticks before the next midnight in the schedule's zone. */
function nextDay(ir: FlowIR, date: string): Date {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new CliError(`--to ${JSON.stringify(date)} is not a date`, EXIT.usage);
  d.setUTCDate(d.getUTCDate() + 1);
  return parseTimeArg(d.toISOString().slice(0, 10), ir.schedule?.timezone)!;
}

/** Every tick's parameters are checked before the first run starts: a backfill fails whole or not at all. */
function checkParams(ir: FlowIR, ticks: Tick[]): void {
  for (const t of ticks) {
    const { problems } = resolveParams(ir.parameters, t.params, { strict: true });
    if (problems.length)
      throw new CliError(`the run for ${t.context.scheduledTime} would get bad parameters: ${problems.map((p) => p.message).join("; ")}; nothing was started`, EXIT.usage, "fix the schedule's `parameters`");
  }
}

export const localRunId = (tick: Date) => `at-${tick.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`;

type Deployed = { ctx: DeployContext; target: DeployTarget };

async function existingRuns(d: Deployed, ticks: Tick[], from: Date, to: Date, nameOf: (t: Tick) => string): Promise<Map<Tick, RunInfo>> {
  const scheduled = (await d.target.scheduledRuns?.(d.ctx, from, to)) ?? new Map<string, RunInfo>();
  const out = new Map<Tick, RunInfo>();
  for (const t of ticks) {
    const run = scheduled.get(t.context.scheduledTime) ?? (await d.target.run(d.ctx, nameOf(t)));
    if (run) out.set(t, run);
  }
  return out;
}

async function deployedLauncher(d: Deployed, ticks: Tick[], from: Date, to: Date): Promise<Launcher> {
  // The live schedule's own runs of these ticks count as done (Step Functions names them at random).
  const scheduled = ticks.length ? ((await d.target.scheduledRuns?.(d.ctx, from, to)) ?? new Map<string, RunInfo>()) : new Map<string, RunInfo>();
  return {
    async run(tick, events) {
      const live = scheduled.get(tick.context.scheduledTime);
      const started = live ? { run: live, existed: true } : await d.target.start(d.ctx, { params: tick.params, context: tick.context, name: d.target.backfillName(d.ctx, tick.at) });
      const name = started.run.name ?? started.run.id;
      events.started(name, started.existed ? "existed" : "started", started.run.status);
      let run = started.run;
      while (!isTerminal(run.status)) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        run = (await d.target.run(d.ctx, name)) ?? run;
      }
      return { name, how: started.existed ? "existed" : "started", status: run.status, ok: isSuccess(run.status), ...(run.link ? { link: run.link } : {}) };
    },
  };
}

async function localExisting(io: Io, root: string, ir: FlowIR, ticks: Tick[]): Promise<Map<Tick, RunInfo>> {
  const ds = await openDatastore(root, io.cwd);
  const out = new Map<Tick, RunInfo>();
  for (const t of ticks) {
    const record = await readJson<RunRecord>(ds, keys.run(ir.name, localRunId(t.at)));
    if (record) out.set(t, { id: record.runId, status: record.status });
  }
  return out;
}

/** --local: each tick is a `flowc run` with a run id from the tick; a failed one is resumed by the next backfill. */
function localLauncher(io: Io, flow: ValidFlow, root: string, parallel: number): Launcher {
  const workers = Math.max(2, Math.floor(Math.max(4, availableParallelism()) / parallel));
  return {
    async run(tick, events) {
      const ds = await openDatastore(root, io.cwd);
      const runId = localRunId(tick.at);
      const previous = await readJson<RunRecord>(ds, keys.run(flow.ir.name, runId));
      if (previous?.status === "succeeded") {
        events.started(runId, "existed", previous.status);
        return { name: runId, how: "existed", status: previous.status, ok: true };
      }
      events.started(runId, "started", "running");
      const { values } = resolveParams(flow.ir.parameters, tick.params, { strict: true });
      const result = await runFlow({ flow, params: values, context: previous?.context ?? tick.context, ds, runId, maxWorkers: workers, progress: { write: () => undefined, isTTY: false }, env: io.env, cwd: io.cwd });
      const status = result.outcome.status;
      return { name: runId, how: "started", status, ok: status === "succeeded", ...(result.outcome.failure ? { error: result.outcome.failure.error } : {}) };
    },
  };
}

function printDryRun(io: Io, format: "text" | "json", ir: FlowIR, where: string, ticks: Tick[], nameOf: (t: Tick) => string, existing: Map<Tick, RunInfo>): number {
  if (format === "json") {
    io.stdout(`${JSON.stringify({ flow: ir.name, where, dryRun: true, ticks: ticks.map((t) => ({ scheduledTime: t.context.scheduledTime, name: nameOf(t), params: t.params, existing: existing.get(t) ?? null })) }, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout(`backfill ${ir.name} · ${where} · ${ticks.length} tick${ticks.length === 1 ? "" : "s"} (dry run: nothing is started)\n`);
  const rows = ticks.map((t) => {
    const e = existing.get(t);
    return [t.context.scheduledTime, nameOf(t), Object.entries(t.params).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ") || "-", e ? `exists: ${e.status}${e.name && e.name !== nameOf(t) ? ` (${e.name})` : ""}` : "would start"];
  });
  const table = [["SCHEDULED TIME", "RUN", "PARAMETERS", ""], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) io.stdout(`${r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
  const starts = ticks.filter((t) => !existing.has(t)).length;
  io.stdout(`${starts} run${starts === 1 ? "" : "s"} would start, ${ticks.length - starts} exist${ticks.length - starts === 1 ? "s" : ""}\n`);
  return EXIT.ok;
}

/** One line per run on a pipe; on a terminal, the same lines under a status line that keeps count. */
class Progress {
  private running = 0;
  private finishedCount = 0;
  private failed = 0;
  /** Runs that had ended before the backfill found them: said once. */
  private readonly settled = new Set<string>();
  constructor(
    private readonly io: Io,
    private readonly total: number,
  ) {}
  started(tick: Tick, name: string, how: TickOutcome["how"], status: string) {
    this.running++;
    if (how === "existed" && (isTerminal(status) || status === "succeeded")) this.settled.add(name);
    const params = Object.entries(tick.params).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");
    this.line(`${how === "existed" ? `exists    ${tick.context.scheduledTime}  ${name}  ${status}` : `started   ${tick.context.scheduledTime}  ${name}${params ? `  ${params}` : ""}`}`);
  }
  finished(o: TickOutcome) {
    this.running = Math.max(0, this.running - 1);
    this.finishedCount++;
    if (!o.ok) this.failed++;
    if (this.settled.has(o.name)) return this.line(undefined);
    this.line(`${(o.ok ? "succeeded" : o.status.toLowerCase()).padEnd(9)} ${o.tick.context.scheduledTime}  ${o.name}${o.error ? `  ${o.error}` : ""}${!o.ok && o.link ? `  ${o.link}` : ""}`);
  }
  close() {
    if (this.io.isTTY) this.io.stderr("\r\x1b[2K");
  }
  private line(text: string | undefined) {
    if (!this.io.isTTY) return text === undefined ? undefined : this.io.stderr(`${text}\n`);
    this.io.stderr(`\r\x1b[2K${text === undefined ? "" : `${text}\n`}${this.finishedCount}/${this.total} done · ${this.running} running · ${this.failed} failed`);
  }
}

function summary(outcomes: TickOutcome[]): string {
  const started = outcomes.filter((o) => o.how === "started");
  const existed = outcomes.filter((o) => o.how === "existed");
  const ok = (list: TickOutcome[]) => list.filter((o) => o.ok).length;
  const failed = outcomes.filter((o) => !o.ok);
  const lines = [`${outcomes.length} tick${outcomes.length === 1 ? "" : "s"}: ${started.length} started (${ok(started)} succeeded), ${existed.length} existed (${ok(existed)} succeeded)`];
  if (failed.length) lines.push(`${failed.length} did not succeed: ${failed.map((o) => `${o.name} ${o.status}`).join(", ")}`, "a second backfill over the same range starts only what does not exist; resume a failed run where it stopped with its own tools");
  return `${lines.join("\n")}\n`;
}

const jsonOutcome = (o: TickOutcome) => ({ scheduledTime: o.tick.context.scheduledTime, name: o.name, how: o.how, status: o.status, ok: o.ok, params: o.tick.params, ...(o.link ? { link: o.link } : {}), ...(o.error ? { error: o.error } : {}) });
