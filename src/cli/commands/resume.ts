import type { Command } from "commander";
import { checkFormat, deployOptions, prepare, reportErrors, type DeployFlags } from "../deploy-shared.ts";
import { EXIT, type Io } from "../io.ts";

export function registerResume(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command("resume")
    .description("Resume a failed, timed-out or aborted run of a deployed flow with the same run id: the tasks that finished are not run again.")
    .argument("<flow>", "flow file (.yaml or .ts)")
    .argument("<run>", "the run id (the name flowc trigger, flowc runs and the notification give)");
  deployOptions(cmd, ["format"])
    .option("--new-execution", "sfn: start a new execution on the environment's alias (its current version, e.g. a fixed build) even where the failed one could be redriven")
    .addHelpText(
      "after",
      `
Every task checks the datastore first and returns at once when its done.json exists, so a resumed run
costs a container start per finished task, not its work; the failed task and everything after it run.
The run keeps its run id, parameters and scheduled time.

Step Functions: RedriveExecution where the service allows it (a failed, timed-out or aborted execution,
ended within 14 days, run on a version that still exists): the execution continues on the version it
ran. Otherwise, or with --new-execution, a new execution <run>-r<n> starts on the alias.
Argo: a new Workflow <run>-r<n> from the deployed template (no Argo Server needed).
A run that succeeded or is still running, an unknown run, or a run of another flow or environment is
refused with exit 1, and nothing is started.

Examples:
  $ flowc resume examples/train.yaml prod-20261204T050002-9f2c1a --env prod
  $ flowc resume examples/train.yaml train-model-prod-x7k2p --target argo --env prod
  $ flowc resume examples/train.yaml prod-20261204T050002-9f2c1a --env prod --new-execution   # run the fixed build`,
    )
    .action(async (file: string, runId: string, flags: DeployFlags & { newExecution?: boolean }) => {
      const format = checkFormat(flags.format);
      const result = await reportErrors(async () => {
        const { ctx, target } = await prepare(io, file, flags);
        return target.resume(ctx, { runId, ...(flags.newExecution ? { newExecution: true } : {}) });
      });
      if (format === "json") io.stdout(`${JSON.stringify(result, null, 2)}\n`);
      else {
        const what = result.how === "redriven" ? `Redriven ${result.from.name ?? result.from.id} (it had ${result.from.status})` : `Resumed run ${runId} (${result.from.name ?? result.from.id} had ${result.from.status}) as ${result.run.name ?? result.run.id}`;
        io.stdout(`${what}: finished tasks are skipped\n${result.run.link ? `  console: ${result.run.link}\n` : ""}`);
      }
      done(EXIT.ok);
    });
}
