import type { Command } from "commander";
import { checkFormat, deployOptions, prepare, reportErrors, type DeployFlags } from "../deploy-shared.ts";
import { CliError, EXIT, type Io } from "../io.ts";
import { printMove } from "./promote.ts";

export function registerRollback(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command("rollback")
    .description("Move an environment's alias back to the version it ran before, or to --to VERSION (Step Functions).")
    .argument("<flow>", "flow file (.yaml or .ts)");
  deployOptions(cmd, ["write", "format"])
    .option("--to <version>", "a version number (see flowc versions); default: the one the environment ran before")
    .addHelpText(
      "after",
      `
The alias remembers the versions it pointed at (newest first, in its description). Without --to,
the alias goes back to the one before the current one; like \`kubectl rollout undo\`, a second rollback
returns to where you started. --to accepts any version this environment ran or one published for
it; another environment's version needs promote, which checks the environments are compatible.
A later \`flowc deploy\` moves the alias forward again to what the flow file compiles to.

Examples:
  $ flowc rollback examples/train.yaml --env prod
  $ flowc rollback examples/train.yaml --env prod --to 7`,
    )
    .action(async (file: string, flags: DeployFlags & { to?: string }) => {
      const format = checkFormat(flags.format);
      const { result, label } = await reportErrors(async () => {
        const { ctx, target } = await prepare(io, file, flags, { only: "sfn" });
        if (!target.rollback) throw new CliError(`--target ${target.name} cannot roll back`, EXIT.usage, "rollback exists for --target sfn only; on Argo, deploy the earlier flow again", "TARGET_UNSUPPORTED");
        return { result: await target.rollback(ctx, flags.to), label: target.label };
      });
      printMove(io, result, format, !!flags.dryRun, label);
      done(EXIT.ok);
    });
}
