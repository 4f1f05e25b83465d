import type { Command } from "commander";
import { parseParamFlags, resolveParams } from "../../contract/params.ts";
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
    .addHelpText(
      "after",
      `
Parameters are checked before anything is started: unknown names, wrong types and missing required
ones are errors (exit 2). Defaults are applied by the deployed flow itself. Step Functions: the run
starts on the environment's alias, named <env>-<UTC time>-<random> (its run id).

Examples:
  $ flowc trigger examples/train.yaml --target sfn --env prod --param day=2026-11-29
  $ flowc trigger examples/train.yaml --target sfn --env prod --param day=2026-11-29 --param alpha=0.7 --format json`,
    )
    .action(async (file: string, flags: DeployFlags & { param: string[] }) => {
      const format = checkFormat(flags.format);
      const run = await reportErrors(async () => {
        const { ctx, target } = await prepare(io, file, flags);
        const declared = ctx.compiled.flow.ir.parameters;
        const parsed = parseParamFlags(flags.param, declared);
        const checked = resolveParams(declared, parsed.values, { strict: true });
        const problems = [...parsed.problems, ...checked.problems];
        if (problems.length) throw paramError(problems, declared, "nothing was started");
        return target.trigger(ctx, parsed.values);
      });
      if (format === "json") io.stdout(`${JSON.stringify(run, null, 2)}\n`);
      else io.stdout(`Started ${run.name ?? run.id}\n  execution: ${run.id}\n${run.link ? `  console:   ${run.link}\n` : ""}`);
      done(EXIT.ok);
    });
}
