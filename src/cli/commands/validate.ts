import type { Command } from "commander";
import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.ts";
import { relative, resolve } from "node:path";
import { envDiagnostics } from "../../compile/pipeline.ts";
import { loadConfig, resolveEnv } from "../../config/load.ts";
import { sortDiagnostics } from "../../diagnostics/diagnostic.ts";
import { isValid, readFlow, type ReadFlow } from "../../flow/read.ts";
import { printDiagnostics } from "../diagnostics.ts";
import { CliError, EXIT, type Io } from "../io.ts";

export function registerValidate(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("validate")
    .description("Check flow files against the schema and the graph rules, reporting every problem at once.")
    .argument("<files...>", "flow files (.yaml, .yml or .ts)")
    .option("--format <format>", "output format: text or json", "text")
    .option("-e, --env <env>", "also check each flow against this environment: its policy and its secrets (flowc.config.yaml)")
    .option("-c, --config <file>", "configuration file (with --env)", "flowc.config.yaml")
    .addHelpText(
      "after",
      `
With --env, the environment's \`policy:\` is checked too: each violation has its own POLICY_* code, the
place in the flow, and the policy key it breaks in flowc.config.yaml (docs/governance.md).

Exit codes: 0 valid, 1 invalid flow (or a policy violation), 2 usage error.

Examples:
  $ flowc validate flow.yaml
  $ flowc validate flows/*.yaml flows/*.ts
  $ flowc validate --format json flow.yaml | jq '.files[].diagnostics[].code'
  $ flowc validate --env prod flows/*.yaml               # the prod policy too`,
    )
    .action(async (files: string[], opts: { format: string; env?: string; config: string }) => {
      if (opts.format !== "text" && opts.format !== "json") throw new CliError(`--format must be text or json, not ${opts.format}`, EXIT.usage, "use --format text or --format json", "FLAG_INVALID");
      const results: ReadFlow[] = [];
      for (const file of files) results.push(await readFlow(file));
      const sources = new Map(results.map((r) => [r.loaded.file, r.loaded.text]));
      if (opts.env) {
        const configFile = resolve(io.cwd, opts.config);
        const config = loadConfig(relative(process.cwd(), configFile) || configFile);
        sources.set(config.file, config.text);
        const resolved = resolveEnv(config, opts.env);
        if (!resolved.env) {
          if (opts.format === "json") io.stdout(`${JSON.stringify({ valid: false, config: { file: config.file, valid: false, diagnostics: resolved.diagnostics }, files: [] }, null, 2)}\n`);
          else printDiagnostics(io, resolved.diagnostics, sources);
          return done(EXIT.failed);
        }
        for (const r of results) if (isValid(r)) r.diagnostics = sortDiagnostics([...r.diagnostics, ...envDiagnostics(r, config, resolved.env)]);
      }
      const all: Diagnostic[] = results.flatMap((r) => r.diagnostics);
      if (opts.format === "json") {
        io.stdout(
          `${JSON.stringify(
            {
              valid: !hasErrors(all),
              files: results.map((r) => ({ file: r.loaded.file, valid: !hasErrors(r.diagnostics), diagnostics: r.diagnostics })),
            },
            null,
            2,
          )}\n`,
        );
      } else {
        printDiagnostics(io, all, sources);
        for (const r of results) {
          if (hasErrors(r.diagnostics)) continue;
          const steps = r.ir?.steps.length ?? 0;
          io.stdout(`✓ ${r.loaded.file}: flow \`${r.ir?.name}\` is valid (${steps} step${steps === 1 ? "" : "s"})${opts.env ? ` and meets environment \`${opts.env}\`'s policy` : ""}\n`);
        }
        const errors = all.filter((d) => d.severity === "error").length;
        if (errors) io.stderr(`${errors} error${errors === 1 ? "" : "s"} in ${results.filter((r) => hasErrors(r.diagnostics)).length} of ${results.length} file(s)\n`);
      }
      done(hasErrors(all) ? EXIT.failed : EXIT.ok);
    });
}
