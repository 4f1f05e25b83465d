import type { Command } from "commander";
import { planJson, renderPlan } from "../../deploy/render.ts";
import { hasChanges } from "../../deploy/plan.ts";
import { checkFormat, deployOptions, prepare, reportErrors, type DeployFlags } from "../deploy-shared.ts";
import { EXIT, type Io } from "../io.ts";

export function registerDeploy(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command("deploy")
    .description("Compile a flow and make the target match it: create, update or remove what flowc owns. Safe to rerun; a deploy with no change writes nothing.")
    .argument("<flow>", "flow file (.yaml or .ts)");
  deployOptions(cmd, ["write", "format"])
    .addHelpText(
      "after",
      `
Step Functions: state machine → new version (only when the definition changed) → the environment's
alias → schedule and trigger rules (all starting the alias). The flow spec (and a TypeScript flow's
code package) go to the datastore first. Removed schedules and triggers are removed. Resources owned
by another team (flowc.dev/owner tag) are refused unless --authorize TOKEN. See docs/deploy-sfn.md.

Exit codes: 0 deployed (or nothing to do), 1 failed or refused (nothing half deployed: input and
ownership are checked before the first write; rerunning resumes), 2 usage error.

Examples:
  $ flowc deploy examples/train.yaml --target sfn --env prod
  $ flowc deploy examples/train.yaml --target sfn --env prod --dry-run
  $ flowc deploy flow.ts --target sfn --env staging --profile ci --format json`,
    )
    .action(async (file: string, flags: DeployFlags) => {
      const format = checkFormat(flags.format);
      const result = await reportErrors(async () => {
        const { ctx, target } = await prepare(io, file, flags);
        return { result: await target.apply(ctx), target };
      });
      const { plan } = result.result;
      const r = result.result;
      if (format === "json") {
        const body = JSON.parse(planJson(plan)) as Record<string, unknown>;
        io.stdout(`${JSON.stringify({ ...body, dryRun: !!flags.dryRun, writes: r.writes, ...(r.version ? { version: r.version } : {}), ...(r.link ? { link: r.link } : {}), ...(r.calls ? { calls: r.calls } : {}) }, null, 2)}\n`);
        return done(EXIT.ok);
      }
      io.stdout(renderPlan(plan, result.target.label ? { label: result.target.label } : {}));
      if (flags.dryRun) io.stdout(`Dry run: no changes were made (${r.writes} write calls).\n`);
      else if (!hasChanges(plan)) io.stdout(`Nothing to do: made ${r.writes} write calls.\n`);
      else io.stdout(`Deployed ${plan.flow} to ${plan.env}${r.version ? `: version ${r.version}` : ""} (${r.writes} write calls).\n`);
      if (r.link) io.stdout(`Console: ${r.link}\n`);
      done(EXIT.ok);
    });
}
