import type { Command } from "commander";
import { availableParallelism } from "node:os";
import type { RunContext } from "../../contract/run-context.ts";
import type { FlowIR } from "../../flow/ir.ts";
import { readFlow, isValid } from "../../flow/read.ts";
import { parseTimeArg } from "../../util/zoned-time.ts";
import { startAt } from "../scheduled-time.ts";
import { openDatastore, DEFAULT_DATASTORE } from "../../datastore/index.ts";
import { isRunId, keys } from "../../contract/layout.ts";
import { parseParamFlags, resolveParams, type ParamValues } from "../../contract/params.ts";
import { readJson, type RunRecord } from "../../runtime/records.ts";
import { runFlow } from "../../runtime/run.ts";
import { resolveRunSecrets } from "../../runtime/secrets.ts";
import { formatSummary } from "../../runtime/summary.ts";
import { failureExit, printDiagnostics } from "../diagnostics.ts";
import { paramError } from "../param-errors.ts";
import { CliError, EXIT, type Io } from "../io.ts";

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/** The run's context: a resumed run keeps its own; --scheduled-time runs it as the schedule would. */
function startOf(ir: FlowIR, scheduledTime: string | undefined, previous: RunRecord | undefined): { context: RunContext; mapped: ParamValues } {
  if (previous?.context) {
    if (scheduledTime !== undefined && parseTimeArg(scheduledTime, ir.schedule?.timezone)?.toISOString().slice(0, 19) !== previous.context.scheduledTime.slice(0, 19))
      throw new CliError(`run ${previous.runId} is for ${previous.context.scheduledTime}; a resumed run keeps its scheduled time`, EXIT.usage, "drop --scheduled-time, or start a new run (without --run-id)");
    return { context: previous.context, mapped: {} };
  }
  const start = startAt(ir, scheduledTime);
  return { context: start.context, mapped: start.mapped as ParamValues };
}

export function registerRun(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("run")
    .description("Run a flow on this machine, with the semantics it has in production (retries, timeouts, catch, foreach, switch).")
    .argument("<flow>", "flow file (.yaml or .ts)")
    .option("-p, --param <name=value>", "a parameter, parsed by its declared type (repeatable)", collect)
    .option("-w, --max-workers <n>", "tasks that may run at once (the CPU count, at least 4)", String(Math.max(4, availableParallelism())))
    .option("-d, --datastore <root>", "a folder or s3://bucket/prefix", DEFAULT_DATASTORE)
    .option("--run-id <id>", "name the run; an existing run id resumes it (done tasks are skipped)")
    .option("--scheduled-time <time>", "run as the schedule would for this time (ISO-8601; a date or a time without a zone is read in the schedule's time zone): the run's scheduled time, and the schedule's parameters for it")
    .option("-s, --secret <name=value>", "the value of a secret the flow's steps declare (repeatable); else the variable NAME in the environment is used", collect)
    .addHelpText(
      "after",
      `
Commands run on this machine (the step's image is not used), from the current folder, with the
container step contract (docs/step-contract.md). TypeScript steps run in worker processes.
Secrets (\`secrets:\` on steps) come from --secret NAME=VALUE or the environment, never from a file;
each step sees only the ones it declares (docs/governance.md).

Exit codes: 0 succeeded, 1 failed (or the flow is invalid), 2 usage error (bad parameters), 130 interrupted.

Examples:
  $ flowc run examples/foreach.yaml --param width=10
  $ flowc run examples/train.yaml --param day=2026-11-29 --max-workers 4
  $ flowc run flow.ts --datastore s3://my-bucket/flowc
  $ flowc run flow.ts --run-id 20261129-120102-3fa2     # resume a failed run
  $ flowc run examples/train.yaml --scheduled-time 2026-12-04T06:00   # the 06:00 Amsterdam run of 4 December: day=2026-12-04
  $ DB_PASSWORD=… flowc run etl.yaml                    # a secret from the environment
  $ flowc run etl.yaml --secret API_TOKEN="$(pass show api-token)"`,
    )
    .action(async (file: string, opts: { param?: string[]; secret?: string[]; maxWorkers: string; datastore: string; runId?: string; scheduledTime?: string }) => {
      const paramFlags = opts.param ?? [];
      const maxWorkers = Number(opts.maxWorkers);
      if (!Number.isInteger(maxWorkers) || maxWorkers < 1) throw new CliError(`--max-workers must be a whole number ≥ 1, not ${opts.maxWorkers}`, EXIT.usage, "e.g. --max-workers 4", "FLAG_INVALID");
      if (opts.runId !== undefined && !isRunId(opts.runId))
        throw new CliError(`--run-id ${JSON.stringify(opts.runId)} is not a valid run id`, EXIT.usage, "use letters, digits, '.', '_' and '-' (up to 128), starting with a letter or digit", "FLAG_INVALID");

      const read = await readFlow(file);
      if (!isValid(read)) {
        printDiagnostics(io, read.diagnostics, new Map([[read.loaded.file, read.loaded.text]]));
        return done(failureExit(read.diagnostics));
      }
      const ds = await openDatastore(opts.datastore, io.cwd);

      // Resuming: the run keeps its context and, without --param, the parameters it started with.
      let given: ParamValues;
      const flags = parseParamFlags(paramFlags, read.ir.parameters);
      const previous = opts.runId ? await readJson<RunRecord>(ds, keys.run(read.ir.name, opts.runId)) : undefined;
      const start = startOf(read.ir, opts.scheduledTime, previous);
      if (previous && paramFlags.length === 0) given = previous.params;
      else given = { ...start.mapped, ...flags.values };
      const resolved = resolveParams(read.ir.parameters, given, { strict: true });
      const problems = [...flags.problems, ...resolved.problems];
      if (problems.length) throw paramError(problems, read.ir.parameters, "no step ran");
      const secrets = resolveRunSecrets(read.ir, opts.secret ?? [], io.env);
      if (secrets.problems.length) {
        const [first, ...rest] = secrets.problems;
        const lines = [first!.message, ...rest.map((p) => `       error ${p.code}: ${p.message}\n         hint: ${p.hint}`)];
        throw new CliError(`${lines.join("\n")}\nno step ran`, EXIT.usage, first!.hint, first!.code);
      }

      const result = await runFlow({
        flow: read,
        params: resolved.values,
        context: start.context,
        ds,
        ...(opts.runId ? { runId: opts.runId } : {}),
        maxWorkers,
        progress: { write: (t) => io.stderr(t), isTTY: io.isTTY },
        // Workers (and so the steps that declare them) get the secrets; nothing records them.
        env: { ...io.env, ...secrets.values },
        cwd: io.cwd,
        handleSignals: true,
      });
      io.stdout(formatSummary({ flow: read.ir.name, runId: result.runId, outcome: result.outcome, stats: result.stats, ds, color: io.isTTY && !io.env.NO_COLOR }));
      done(result.outcome.status === "succeeded" ? EXIT.ok : result.outcome.status === "interrupted" ? 130 : EXIT.failed);
    });
}
