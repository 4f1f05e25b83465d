import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { formatDiagnostic } from "../diagnostics/format.ts";
import type { Io } from "./io.ts";

/** Prints diagnostics for a person (with source lines) on stderr. */
export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): void {
  const color = io.isTTY && !io.env.NO_COLOR;
  for (const d of diagnostics) io.stderr(`${formatDiagnostic(d, sources.get(d.file), color)}\n\n`);
}
