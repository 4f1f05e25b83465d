import type { Command } from "commander";
import { killActiveCommands } from "../../runtime/container.ts";
import { parseIndex } from "../../contract/layout.ts";
import { runStep, StepRequestError, type StepRequest } from "../../runtime/step.ts";
import { runWorker } from "../../runtime/worker.ts";
import { explainError } from "../errors.ts";
import { CliError, EXIT, type Io } from "../io.ts";

// bin/flowc of a checkout or a global install, or node_modules/.bin/flowc of a project.
const isCliProcess = () => /[\\/]\.?bin[\\/]flowc$/.test(process.argv[1] ?? "");

interface StepOpts {
  runId?: string;
  step?: string;
  index: string;
  attempt: string;
  root?: string;
  spec?: string;
  params?: string;
  catch?: boolean;
}

export function registerStep(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("step")
    .description("Run exactly one task of a flow, the way every task of a compiled flow runs in its container.")
    .requiredOption("--run-id <id>", "the run (Step Functions execution name, Argo workflow name)")
    .requiredOption("--step <name>", "the step")
    .option("--index <path>", 'foreach index path: "" or _ at top level, 3, 3.7 nested', "")
    .option("--attempt <n>", "attempt number, 0 first", "0")
    .option("--root <uri>", "datastore root: a folder or s3://bucket/prefix (default: $FLOWC_ROOT)")
    .option("--spec <key>", "flow spec: packages/<sha256>.json under the root, or an absolute URI (default: $FLOWC_SPEC)")
    .option("--params <json>", "run parameters: a JSON object, or Argo's [{name, value}] (default: $FLOWC_PARAMS)")
    .option("--catch", "the step catches failures and the orchestrator does not record them (Argo): when no retry follows, write failed.json and exit 0")
    .addHelpText(
      "after",
      `
Reads the task's inputs from the datastore, runs the command or TypeScript body, stores its outputs,
logs and meta.json, then writes done.json last. Foreach steps also write foreach.json and switch steps
switch.json next to it; under Argo (FLOWC_TARGET=argo or FLOWC_ARGO_OUTPUTS=<dir>, default /tmp/flowc)
the child index list and the case are also written to <dir>/foreach.json and <dir>/switch.
The full contract: docs/step-contract.md.

Exit codes: 0 the task succeeded (or failed and was caught, with --catch), 1 it failed or timed out,
2 bad request (flags, parameters, step).

Example:
  $ FLOWC_ROOT=s3://acme-flowc/prod FLOWC_SPEC=packages/9f2c….json FLOWC_PARAMS='{"day":"2026-11-29"}' \\
      flowc step --run-id r1 --step fit --index 2 --attempt 0`,
    )
    .action(async (opts: StepOpts) => {
      const root = opts.root ?? io.env.FLOWC_ROOT;
      const spec = opts.spec ?? io.env.FLOWC_SPEC;
      const paramsText = opts.params ?? io.env.FLOWC_PARAMS ?? "{}";
      if (!root) throw new CliError("no datastore root", EXIT.usage, "pass --root or set FLOWC_ROOT (a folder or s3://bucket/prefix)", "FLAG_MISSING");
      if (!spec) throw new CliError("no flow spec", EXIT.usage, "pass --spec or set FLOWC_SPEC (packages/<sha256>.json, written by deploy or flowc run)", "FLAG_MISSING");
      const index = parseIndex(opts.index);
      if (index === undefined) throw new CliError(`--index ${JSON.stringify(opts.index)} is not an index path`, EXIT.usage, 'use "" or _ at top level, 3 inside a foreach, 3.7 nested', "FLAG_INVALID");
      const attempt = Number(opts.attempt);
      if (!Number.isInteger(attempt) || attempt < 0) throw new CliError(`--attempt must be a whole number ≥ 0, not ${opts.attempt}`, EXIT.usage, "0 is the first attempt", "FLAG_INVALID");
      let params: StepRequest["params"];
      try {
        params = JSON.parse(paramsText === "" ? "{}" : paramsText) as StepRequest["params"];
      } catch (e) {
        throw new CliError(`the run parameters are not JSON: ${(e as Error).message}`, EXIT.usage, "FLOWC_PARAMS / --params is a JSON object, e.g. {\"day\":\"2026-11-29\"}", "PARAMS_INVALID");
      }
      if (!params || typeof params !== "object") throw new CliError("the run parameters must be a JSON object (or Argo's array of {name, value})", EXIT.usage, "FLOWC_PARAMS / --params is a JSON object, e.g. {\"day\":\"2026-11-29\"}", "PARAMS_INVALID");

      const label = `${opts.step}${index ? `[${index}]` : ""} attempt ${attempt}`;
      const stored = (r: { storedAs?: number }) => (r.storedAs !== undefined ? ` (stored as attempt ${r.storedAs}: an earlier execution of this run used ${attempt})` : "");
      // Stopped by the platform (Batch TerminateJob, a deleted pod): take the command's process group along, as a pool worker does.
      if (isCliProcess()) process.once("SIGTERM", () => (killActiveCommands("SIGKILL"), process.exit(143)));
      let result;
      try {
        result = await runStep({ root, spec, runId: opts.runId!, step: opts.step!, index, attempt, params, echo: true, cwd: io.cwd, env: io.env, ...(opts.catch ? { catch: true } : {}) });
      } catch (e) {
        if (e instanceof StepRequestError) throw new CliError(e.message, EXIT.usage, "check --step, --index and the parameters against the flow (flowc validate FLOW lists them)", "STEP_REQUEST");
        const explained = await explainError(e);
        if (explained) throw new CliError(`${label}: ${explained.message}`, explained.exitCode, explained.hint, explained.code);
        throw e;
      }
      if (result.skipped !== undefined) io.stderr(`flowc step: ${label}: already done (attempt ${result.skipped}; done.json exists), nothing ran\n`);
      else if (result.status === "succeeded") {
        const extra = [
          result.artifacts?.length ? `artifacts: ${result.artifacts.join(", ")}` : "",
          result.foreachCount !== undefined ? `${result.foreachCount} items` : "",
          result.choice !== undefined ? `case ${result.choice}` : "",
        ].filter(Boolean);
        io.stderr(`flowc step: ${label} succeeded in ${(result.durationMs / 1000).toFixed(2)}s${extra.length ? ` (${extra.join("; ")})` : ""}${stored(result)}\n`);
      } else io.stderr(`flowc step: ${label} ${result.status === "timeout" ? "timed out" : "failed"}: ${result.error}${result.caught ? " (caught: failed.json written, the flow carries on)" : ""}${stored(result)}\n`);
      const code = result.status === "succeeded" || result.caught ? EXIT.ok : EXIT.failed;
      done(code);
      // In a container, the task is over when this process ends. A body that timed out may still be
      // running, and one that succeeded may have left a timer or a socket open: neither may keep the
      // task alive. (Only in the real CLI process: tests drive main() in-process.)
      if (isCliProcess()) setTimeout(() => process.exit(code), result.tainted ? 0 : 500).unref();
    });

  // The pool worker of `flowc run`: a long-lived flowc step fed over IPC. Not for people.
  program.command("__worker", { hidden: true }).action(() => runWorker());
}
