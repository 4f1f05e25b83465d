import type { Command } from "commander";
import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.ts";
import { readFlow } from "../../flow/read.ts";
import { printDiagnostics } from "../diagnostics.ts";
import { CliError, EXIT, type Io } from "../io.ts";

export function registerValidate(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("validate")
    .description("Check flow files against the schema and the graph rules, reporting every problem at once.")
    .argument("<files...>", "flow files (.yaml, .yml or .ts)")
    .option("--format <format>", "output format: text or json", "text")
    .addHelpText(
      "after",
      `
Exit codes: 0 valid, 1 invalid flow, 2 usage error.

Examples:
  $ flowc validate flow.yaml
  $ flowc validate flows/*.yaml flows/*.ts
  $ flowc validate --format json flow.yaml | jq '.files[].diagnostics[].code'`,
    )
    .action(async (files: string[], opts: { format: string }) => {
      if (opts.format !== "text" && opts.format !== "json") throw new CliError(`--format must be text or json, not ${opts.format}`, EXIT.usage, "use --format text or --format json", "FLAG_INVALID");
      const results = [];
      for (const file of files) results.push(await readFlow(file));
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
        printDiagnostics(io, all, new Map(results.map((r) => [r.loaded.file, r.loaded.text])));
        for (const r of results) {
          if (hasErrors(r.diagnostics)) continue;
          const steps = r.ir?.steps.length ?? 0;
          io.stdout(`✓ ${r.loaded.file}: flow \`${r.ir?.name}\` is valid (${steps} step${steps === 1 ? "" : "s"})\n`);
        }
        const errors = all.filter((d) => d.severity === "error").length;
        if (errors) io.stderr(`${errors} error${errors === 1 ? "" : "s"} in ${results.filter((r) => hasErrors(r.diagnostics)).length} of ${results.length} file(s)\n`);
      }
      done(hasErrors(all) ? EXIT.failed : EXIT.ok);
    });
}
