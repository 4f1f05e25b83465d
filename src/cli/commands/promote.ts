import type { Command } from "commander";
import { renderPlan } from "../../deploy/render.ts";
import type { ApplyResult } from "../../deploy/target.ts";
import { checkFormat, compileFor, deployOptions, prepare, reportErrors, type DeployFlags } from "../deploy-shared.ts";
import { CliError, EXIT, type Io } from "../io.ts";

/** Prints the result of moving an alias (promote, rollback). */
export function printMove(io: Io, r: ApplyResult, format: "text" | "json", dryRun: boolean, label?: (kind: string, path: (string | number)[]) => string): void {
  if (format === "json") {
    io.stdout(`${JSON.stringify({ ...r.plan, dryRun, writes: r.writes, ...(r.version ? { version: r.version } : {}), ...(r.link ? { link: r.link } : {}) }, null, 2)}\n`);
    return;
  }
  io.stdout(renderPlan(r.plan, { showNoop: true, ...(label ? { label } : {}) }));
  if (dryRun) io.stdout("Dry run: the alias was not moved.\n");
  if (r.link) io.stdout(`Console: ${r.link}\n`);
}

export function registerPromote(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command("promote")
    .description("Point one environment's alias at the exact version another environment runs (Step Functions). Compiles nothing into AWS.")
    .argument("<flow>", "flow file (.yaml or .ts)")
    .requiredOption("--from <env>", "the environment whose version is promoted (e.g. staging)")
    .requiredOption("--to <env>", "the environment whose alias moves (e.g. prod)");
  deployOptions(cmd, ["write", "format"], false)
    .addHelpText(
      "after",
      `
Refused unless both environments resolve to the same state machine (stateMachineName, account and
region) and the flow compiles to the same definition and role for both (comments aside): a version
is an immutable snapshot, so the target environment must be able to run it as it is. The target
environment must have been deployed once (its schedule and triggers start its alias, so they follow).

Examples (flowc.config.yaml's qa shares prod's machine and settings; staging has a datastore of its own):
  $ flowc promote examples/linear.yaml --from qa --to prod
  $ flowc promote examples/linear.yaml --from qa --to prod --dry-run`,
    )
    .action(async (file: string, flags: DeployFlags & { from: string; to: string }) => {
      const format = checkFormat(flags.format);
      const { result, label } = await reportErrors(async () => {
        const { ctx, target } = await prepare(io, file, { ...flags, env: flags.to }, { only: "sfn" });
        if (!target.promote) throw new CliError(`--target ${target.name} cannot promote`, EXIT.usage, "promote exists for --target sfn only; on Argo, deploy the flow to the other environment", "TARGET_UNSUPPORTED");
        const from = await compileFor(io, file, target.name, { env: flags.from, config: flags.config });
        return { result: await target.promote(ctx, from), label: target.label };
      });
      printMove(io, result, format, !!flags.dryRun, label);
      done(EXIT.ok);
    });
}
