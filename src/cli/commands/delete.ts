import type { Command } from "commander";
import { hasChanges } from "../../deploy/plan.ts";
import { planJson, renderPlan } from "../../deploy/render.ts";
import { checkFormat, deployOptions, prepare, reportErrors, type DeployFlags } from "../deploy-shared.ts";
import { EXIT, type Io } from "../io.ts";

export function registerDelete(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command("delete")
    .description("Remove everything flowc created for a flow in an environment: schedule first, then triggers, the alias, and the state machine when no other environment uses it.")
    .argument("<flow>", "flow file (.yaml or .ts)");
  deployOptions(cmd, ["write", "format"])
    .addHelpText(
      "after",
      `
Only resources flowc created for this flow and environment (found by their tags) are removed, and
only if they belong to this owner (--authorize TOKEN otherwise). Step Functions: the machine, with
all its versions, goes only when no other environment's alias uses it. Datastore objects stay.
Use --dry-run to see the list first.

Examples:
  $ flowc delete examples/train.yaml --target sfn --env staging --dry-run
  $ flowc delete examples/train.yaml --target sfn --env staging`,
    )
    .action(async (file: string, flags: DeployFlags) => {
      const format = checkFormat(flags.format);
      const { r, label } = await reportErrors(async () => {
        const { ctx, target } = await prepare(io, file, flags);
        return { r: await target.destroy(ctx), label: target.label };
      });
      if (format === "json") {
        const body = JSON.parse(planJson(r.plan)) as Record<string, unknown>;
        io.stdout(`${JSON.stringify({ ...body, dryRun: !!flags.dryRun, writes: r.writes }, null, 2)}\n`);
        return done(EXIT.ok);
      }
      io.stdout(renderPlan(r.plan, { showNoop: true, ...(label ? { label } : {}) }).replace(/^No changes: .*$/m, hasChanges(r.plan) ? "" : `Nothing to delete: ${r.plan.flow} is not deployed to ${r.plan.env}.`));
      io.stdout(flags.dryRun ? "Dry run: nothing was deleted.\n" : hasChanges(r.plan) ? `Deleted (${r.writes} write calls).\n` : "");
      done(EXIT.ok);
    });
}
