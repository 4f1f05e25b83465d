import type { Command } from "commander";
import { hasChanges } from "../../deploy/plan.ts";
import { planJson, renderPlan } from "../../deploy/render.ts";
import { checkFormat, deployOptions, prepare, reportErrors, type DeployFlags } from "../deploy-shared.ts";
import { EXIT, type Io } from "../io.ts";

/** diff's exit codes are CI's gate: 0 nothing to deploy, 1 changes, 2 could not tell. */
const DIFF_EXIT = { same: 0, changed: 1, error: 2 } as const;

export function registerDiff(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command("diff")
    .description("Show what a deploy would change, structurally: states added, removed or changed, retries, timeouts, schedule, triggers, tags. Reads only.")
    .argument("<flow>", "flow file (.yaml or .ts)");
  deployOptions(cmd, ["format"])
    .option("--owner <name>", "compare as this owner (ownership problems are reported as warnings)")
    .addHelpText(
      "after",
      `
Compares the compiled bundle with what is deployed: for Step Functions, the definition the
environment's alias runs (states keyed by name), the machine's settings and tags, the schedule and
the trigger rules. A flow never deployed shows everything as to be created.

Exit codes: 0 no changes, 1 changes, 2 error (invalid flow, no access, ...).

Examples:
  $ flowc diff examples/train.yaml --target sfn --env prod
  $ flowc diff examples/train.yaml --target sfn --env prod --format json | jq '.actions[] | select(.op != "noop")'`,
    )
    .action(async (file: string, flags: DeployFlags) => {
      const format = checkFormat(flags.format);
      const { plan, label } = await reportErrors(async () => {
        const { ctx, target } = await prepare(io, file, flags, { failCode: DIFF_EXIT.error });
        return { plan: await target.plan(ctx), label: target.label };
      }, DIFF_EXIT.error);
      if (format === "json") io.stdout(planJson(plan));
      else io.stdout(renderPlan(plan, { expandCreates: true, ...(label ? { label } : {}) }));
      done(hasChanges(plan) ? DIFF_EXIT.changed : DIFF_EXIT.same);
    });
}
