import type { Command } from "commander";
import { existsSync } from "node:fs";
import { readFlow } from "../../flow/read.ts";
import { openDatastore, DEFAULT_DATASTORE } from "../../datastore/index.ts";
import { listRuns } from "../../runtime/inspect.ts";
import { secs } from "../../runtime/progress.ts";
import { printDiagnostics } from "../diagnostics.ts";
import { CliError, EXIT, type Io } from "../io.ts";
import type { DeployFlags } from "../deploy-shared.ts";
import { deployedRuns } from "../deployed-runs.ts";

export function registerRuns(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("runs")
    .description("List the runs in a datastore, newest first, with their status.")
    .argument("[flow]", "only this flow (its name, or its file)")
    .option("-d, --datastore <root>", "a folder or s3://bucket/prefix", DEFAULT_DATASTORE)
    .option("-n, --limit <n>", "show at most this many runs", "20")
    .option("--format <format>", "text or json", "text")
    // Deployed runs (issue 6, src/cli/deployed-runs.ts): with --env, the runs of the flow deployed there.
    .option("-e, --env <env>", "list the runs of FLOW deployed to this environment (Step Functions executions, ...)")
    .option("-t, --target <target>", "with --env: sfn or argo (default: the only one the environment configures)")
    .option("-c, --config <file>", "with --env: configuration file", "flowc.config.yaml")
    .option("--profile <name>", "with --env, sfn: AWS profile")
    .option("--endpoint <url>", "with --env, sfn: AWS endpoint URL (default: $AWS_ENDPOINT_URL)")
    .option("--context <name>", "with --env, argo: kubeconfig context")
    .option("--kubeconfig <file>", "with --env, argo: kubeconfig file")
    .addHelpText(
      "after",
      `
Status: running, succeeded, failed, interrupted (Ctrl-C, or the flowc run process is gone). Runs of
compiled flows have no run.json: they show succeeded once \`end\` is done, unknown before.

Examples:
  $ flowc runs
  $ flowc runs examples/foreach.yaml
  $ flowc runs train-model --datastore s3://acme-flowc/prod
  $ flowc runs examples/train.yaml --env prod --target sfn      # executions of the deployed flow`,
    )
    .action(async (flowArg: string | undefined, opts: { datastore: string; limit: string; format: string } & Omit<DeployFlags, "format">) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a whole number ≥ 1, not ${opts.limit}`, EXIT.usage, "e.g. --limit 50", "FLAG_INVALID");
      if (opts.format !== "text" && opts.format !== "json") throw new CliError(`--format must be text or json, not ${opts.format}`, EXIT.usage, "use --format text or --format json", "FLAG_INVALID");
      if (opts.env !== undefined) return done(await deployedRuns(io, flowArg, opts, limit, opts.format)); // issue 6
      let flow = flowArg;
      if (flowArg && /\.(ya?ml|json|m?ts|m?js)$/.test(flowArg) && existsSync(flowArg)) {
        const read = await readFlow(flowArg);
        if (!read.ir) {
          printDiagnostics(io, read.diagnostics, new Map([[read.loaded.file, read.loaded.text]]));
          throw new CliError(`cannot read the flow name from ${flowArg}`, EXIT.failed, `fix the errors above, or pass the flow's name instead of its file`, "FLOW_INVALID");
        }
        flow = read.ir.name;
      }
      const ds = await openDatastore(opts.datastore, io.cwd);
      const runs = (await listRuns(ds, flow)).slice(0, limit);
      if (opts.format === "json") {
        io.stdout(`${JSON.stringify(runs.map(({ record: _r, ...r }) => r), null, 2)}\n`);
        return done(EXIT.ok);
      }
      if (runs.length === 0) {
        io.stderr(`no runs${flow ? ` of flow \`${flow}\`` : ""} in ${ds.root}\n`);
        return done(EXIT.ok);
      }
      const rows = [
        ["RUN", "FLOW", "STATUS", "STARTED", "TIME"],
        ...runs.map((r) => [
          r.runId,
          r.flow,
          r.status,
          r.startedAt ? new Date(r.startedAt).toLocaleString("sv-SE") : "-",
          r.startedAt && r.finishedAt ? secs(Date.parse(r.finishedAt) - Date.parse(r.startedAt)) : "-",
        ]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) io.stdout(`${r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
      done(EXIT.ok);
    });
}
