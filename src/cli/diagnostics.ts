import type { Diagnostic, DiagnosticCode } from "../diagnostics/diagnostic.ts";
import { formatDiagnostic } from "../diagnostics/format.ts";
import { docPaths } from "./docs.ts";
import { EXIT, type Io } from "./io.ts";

/** Prints diagnostics for a person (with source lines) on stderr. */
export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void {
  const color = io.isTTY && !io.env.NO_COLOR;
  for (const d of diagnostics) io.stderr(`${formatDiagnostic(d.hint ? { ...d, hint: docPaths(d.hint, io.cwd) } : d, sources.get(d.file), color)}\n\n`);
}

/** Diagnostics that are about a flag's value, not about a file: alone, they make the exit a usage error. */
const USAGE_CODES: ReadonlySet<DiagnosticCode> = new Set(["CONFIG_ENV_UNKNOWN"]);

/** The exit code of a command that stopped on these diagnostics: 2 when only flags were wrong, else 1. */
export function failureExit(diagnostics: readonly Diagnostic[]): number {
  const errors = diagnostics.filter((d) => d.severity === "error");
  return errors.length > 0 && errors.every((d) => USAGE_CODES.has(d.code)) ? EXIT.usage : EXIT.failed;
}
