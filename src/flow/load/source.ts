import type { Diagnostic, Position } from "../../diagnostics/diagnostic.ts";

export type DocPath = (string | number)[];

export interface Span {
  start: Position;
  end?: Position;
}

/** Maps a path inside the flow document back to the user's own file. */
export interface SourceLocator {
  /** The span of the key at `path` ("key") or of its value ("value"); the closest existing ancestor otherwise. */
  locate(path: DocPath, part?: "key" | "value"): Span;
}

/**
 * A flow as read from disk, before validation: the raw document (plain data), where it came from, and
 * for a TypeScript flow the names of steps whose body is a function.
 */
export interface LoadedFlow {
  file: string;
  text: string;
  language: "yaml" | "typescript";
  raw: unknown;
  functionSteps: ReadonlySet<string>;
  locator: SourceLocator;
  diagnostics: Diagnostic[];
  /** TypeScript only: the module's flow definition, step bodies included (the runtime calls them). */
  definition?: unknown;
}

export const TOP: Span = { start: { line: 1, col: 1 } };

export function makeDiagnostic(
  loaded: Pick<LoadedFlow, "file" | "locator">,
  d: Omit<Diagnostic, "file" | "start" | "end" | "severity"> & { severity?: Diagnostic["severity"]; part?: "key" | "value" },
): Diagnostic {
  const span = d.path ? loaded.locator.locate(d.path, d.part ?? "key") : TOP;
  const { part: _part, ...rest } = d;
  return { severity: "error", ...rest, file: loaded.file, start: span.start, ...(span.end ? { end: span.end } : {}) };
}
