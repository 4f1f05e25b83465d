import type { Command } from "commander";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compileFlowFile } from "../../compile/pipeline.ts";
import { isTarget } from "../../compile/targets.ts";
import { hasErrors } from "../../diagnostics/diagnostic.ts";
import { failureExit, printDiagnostics } from "../diagnostics.ts";
import { CliError, EXIT, type Io } from "../io.ts";

export function registerCompile(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("compile")
    .description("Compile a flow into a deployable bundle for AWS Step Functions or Argo Workflows. Pure: no cloud calls.")
    .argument("<flow>", "flow file (.yaml or .ts)")
    .requiredOption("-t, --target <target>", "sfn or argo")
    .requiredOption("-e, --env <env>", "environment from the configuration file")
    .option("-c, --config <file>", "configuration file", "flowc.config.yaml")
    .option("-o, --out <dir>", "write the bundle to this folder (otherwise the main document goes to stdout)")
    .addHelpText(
      "after",
      `
Bundle files (fixed names):
  sfn:  <name>.asl.json, <name>.schedule.json, <name>.triggers.json, <name>.notify.json, <name>.iam.json,
        <name>.manifest.json, <name>.secrets.iam.json (steps with secrets: what the job execution role needs, for review);
        a flow past sfn.maxDefinitionBytes (1 MiB) adds <name>.<part>.asl.json per child state machine
  argo: <name>.argo.yaml, <name>.manifest.json

Output is byte-for-byte deterministic: commit it and review it in pull requests.

Examples:
  $ flowc compile examples/train.yaml --target sfn --env prod --out out/sfn
  $ flowc compile examples/train.yaml --target argo --env prod > train.argo.yaml`,
    )
    .action(async (file: string, opts: { target: string; env: string; config: string; out?: string }) => {
      if (!isTarget(opts.target)) throw new CliError(`unknown target \`${opts.target}\``, EXIT.usage, "use --target sfn or --target argo", "TARGET_UNKNOWN");
      const { compiled, diagnostics, sources } = await compileFlowFile(file, { target: opts.target, env: opts.env, config: opts.config, cwd: io.cwd });
      printDiagnostics(io, diagnostics, sources);
      if (!compiled || hasErrors(diagnostics)) return done(failureExit(diagnostics));
      const { files, primary } = compiled.result;
      if (!opts.out) {
        io.stdout(files.find((f) => f.name === primary)?.content ?? "");
        return done(EXIT.ok);
      }
      await mkdir(opts.out, { recursive: true });
      for (const f of files) await writeFile(join(opts.out, f.name), f.content);
      for (const f of files) io.stderr(`wrote ${join(opts.out, f.name)} (${Buffer.byteLength(f.content)} bytes)\n`);
      done(EXIT.ok);
    });
}
