import type { Command } from "commander";
import { availableParallelism } from "node:os";
import { readFlow, isValid } from "../../flow/read.ts";
import { openDatastore, DEFAULT_DATASTORE } from "../../datastore/index.ts";
import { isRunId, keys } from "../../contract/layout.ts";
import { parseParamFlags, resolveParams, type ParamValues } from "../../contract/params.ts";
import { readJson, type RunRecord } from "../../runtime/records.ts";
import { runFlow } from "../../runtime/run.ts";
import { resolveRunSecrets } from "../../runtime/secrets.ts";
import { formatSummary } from "../../runtime/summary.ts";
import { printDiagnostics } from "../diagnostics.ts";
import { CliError, EXIT, type Io } from "../io.ts";

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function registerRun(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("run")
    .description("Run a flow on this machine, with the semantics it has in production (retries, timeouts, catch, foreach, switch).")
    .argument("<flow>", "flow file (.yaml or .ts)")
    .option("-p, --param <name=value>", "a parameter, parsed by its declared type (repeatable)", collect)
    .option("-w, --max-workers <n>", "tasks that may run at once (the CPU count, at least 4)", String(Math.max(4, availableParallelism())))
    .option("-d, --datastore <root>", "a folder or s3://bucket/prefix", DEFAULT_DATASTORE)
    .option("--run-id <id>", "name the run; an existing run id resumes it (done tasks are skipped)")
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
  $ DB_PASSWORD=… flowc run etl.yaml                    # a secret from the environment
  $ flowc run etl.yaml --secret API_TOKEN="$(pass show api-token)"`,
    )
    .action(async (file: string, opts: { param?: string[]; secret?: string[]; maxWorkers: string; datastore: string; runId?: string }) => {
      const paramFlags = opts.param ?? [];
      const maxWorkers = Number(opts.maxWorkers);
      if (!Number.isInteger(maxWorkers) || maxWorkers < 1) throw new CliError(`--max-workers must be a whole number ≥ 1, not ${opts.maxWorkers}`, EXIT.usage);
      if (opts.runId !== undefined && !isRunId(opts.runId))
        throw new CliError(`--run-id ${JSON.stringify(opts.runId)} is not a valid run id`, EXIT.usage, "use letters, digits, '.', '_' and '-' (up to 128), starting with a letter or digit");

      const read = await readFlow(file);
      if (!isValid(read)) {
        printDiagnostics(io, read.diagnostics, new Map([[read.loaded.file, read.loaded.text]]));
        return done(EXIT.failed);
      }
      const ds = await openDatastore(opts.datastore, io.cwd);

      // Resuming without --param: the run keeps the parameters it started with.
      let given: ParamValues;
      const flags = parseParamFlags(paramFlags, read.ir.parameters);
      const previous = opts.runId ? await readJson<RunRecord>(ds, keys.run(read.ir.name, opts.runId)) : undefined;
      if (previous && paramFlags.length === 0) given = previous.params;
      else given = flags.values;
      const resolved = resolveParams(read.ir.parameters, given, { strict: true });
      const problems = [...flags.problems, ...resolved.problems];
      if (problems.length) {
        for (const p of problems) io.stderr(`flowc: ${p.message}\n`);
        const declared = read.ir.parameters.map((p) => `${p.name}: ${p.type}${p.required ? ", required" : p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : ""}`);
        io.stderr(`  hint: pass --param name=value; flow \`${read.ir.name}\` declares ${declared.length ? declared.join("; ") : "no parameters"}\nno step ran.\n`);
        return done(EXIT.usage);
      }
      const secrets = resolveRunSecrets(read.ir, opts.secret ?? [], io.env);
      if (secrets.problems.length) {
        for (const p of secrets.problems) io.stderr(`flowc: ${p.message}\n  hint: ${p.hint}\n`);
        io.stderr("no step ran.\n");
        return done(EXIT.usage);
      }

      const result = await runFlow({
        flow: read,
        params: resolved.values,
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
