import type { Command } from "commander";
import { parseParamFlags, resolveParams } from "../../contract/params.ts";
import { startAt } from "../scheduled-time.ts";
import { checkFormat, collect, deployOptions, prepare, reportErrors, type DeployFlags } from "../deploy-shared.ts";
import { EXIT, type Io } from "../io.ts";
import { paramError } from "../param-errors.ts";

export function registerTrigger(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command("trigger")
    .description("Start a run of a deployed flow in an environment, after checking the parameters against the flow.")
    .argument("<flow>", "flow file (.yaml or .ts)");
  deployOptions(cmd, ["format"])
    .option("-p, --param <name=value>", "a parameter, parsed by its declared type (repeatable)", collect, [])
    .option("--scheduled-time <time>", "start the run the schedule would start for this time (ISO-8601; a date or a time without a zone is read in the schedule's time zone); default: now, started by hand")
    .addHelpText(
      "after",
      `
Parameters are checked before anything is started: unknown names, wrong types and missing required
ones are errors (exit 2). Defaults are applied by the deployed flow itself. Step Functions: the run
starts on the environment's alias, named <env>-<UTC time>-<random> (its run id). Every task sees the
run's scheduled time (FLOWC_SCHEDULED_TIME): now, or --scheduled-time, which also passes the
schedule's parameters for that time (--param wins over them). To run many ticks: flowc backfill.

Examples:
  $ flowc trigger examples/train.yaml --target sfn --env prod --param day=2026-11-29
  $ flowc trigger examples/train.yaml --target sfn --env prod --param day=2026-11-29 --param alpha=0.7 --format json
  $ flowc trigger examples/train.yaml --target sfn --env prod --scheduled-time 2026-12-04T06:00     # day=2026-12-04`,
    )
    .action(async (file: string, flags: DeployFlags & { param: string[]; scheduledTime?: string }) => {
      const format = checkFormat(flags.format);
      const run = await reportErrors(async () => {
        const { ctx, target } = await prepare(io, file, flags);
        const ir = ctx.compiled.flow.ir;
        const declared = ir.parameters;
        const start = startAt(ir, flags.scheduledTime);
        const parsed = parseParamFlags(flags.param, declared);
        const given = { ...start.mapped, ...parsed.values };
        const checked = resolveParams(declared, given, { strict: true });
        const problems = [...parsed.problems, ...checked.problems];
        if (problems.length) throw paramError(problems, declared, "nothing was started");
        return (await target.start(ctx, { params: given, context: start.context })).run;
      });
      if (format === "json") io.stdout(`${JSON.stringify(run, null, 2)}\n`);
      else io.stdout(`Started ${run.name ?? run.id}\n  execution: ${run.id}\n${run.link ? `  console:   ${run.link}\n` : ""}`);
      done(EXIT.ok);
    });
}
