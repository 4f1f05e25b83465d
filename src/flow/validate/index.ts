import { sortDiagnostics, hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.ts";
import { analyzeGraph } from "../../graph/analyze.ts";
import type { Graph } from "../../graph/types.ts";
import type { FlowIR } from "../ir.ts";
import { makeDiagnostic, type LoadedFlow } from "../load/source.ts";
import { normalize, type Problem } from "../normalize.ts";
import { checkMappings } from "./mappings.ts";
import { checkValues } from "./rules.ts";
import { checkSchema } from "./schema.ts";
import { checkSecrets } from "./secrets.ts";

export interface ValidatedFlow {
  diagnostics: Diagnostic[];
  /** Present only when there is no error. */
  ir?: FlowIR;
  graph?: Graph;
}

/**
 * Pass 1 is the JSON Schema, pass 2 the value and graph rules. Both always run, so the user sees every
 * problem at once; the IR and graph are handed on only when there is no error.
 */
export function validateFlow(loaded: LoadedFlow): ValidatedFlow {
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  if (loaded.raw === undefined || hasErrors(loaded.diagnostics.filter((d) => d.code !== "WRONG_TYPE" && d.code !== "DUPLICATE_KEY"))) {
    return { diagnostics: dedupe(sortDiagnostics(diagnostics)) };
  }
  const toDiag = (p: Problem) => makeDiagnostic(loaded, { ...p, severity: p.severity ?? "error" });
  diagnostics.push(...checkSchema(loaded));
  diagnostics.push(...checkValues(loaded.raw).map(toDiag));
  diagnostics.push(...checkSecrets(loaded.raw).map(toDiag));
  const { ir, problems } = normalize(loaded.raw, loaded.functionSteps, loaded.language);
  diagnostics.push(...problems.map(toDiag), ...checkMappings(ir).map(toDiag));
  const hasSteps = typeof (loaded.raw as { steps?: unknown })?.steps === "object";
  const { graph, problems: graphProblems } = analyzeGraph(hasSteps ? ir.steps : []);
  // A step with no way out, a misspelt target or a loop makes the structure after it look wrong
  // (unreachable steps, unclosed splits); report the cause, not its echoes. Fixing it reveals the rest.
  const causes = new Set(["UNKNOWN_TARGET", "SELF_LOOP", "CYCLE", "DUPLICATE_BRANCH"]);
  const broken = problems.some((p) => p.code === "NO_NEXT") || graphProblems.some((p) => causes.has(p.code));
  const echoes = new Set(["UNREACHABLE", "UNCLOSED_SPLIT", "UNCLOSED_FOREACH", "WRONG_JOIN", "MISSING_JOIN", "JOIN_NOTHING"]);
  if (hasSteps) diagnostics.push(...graphProblems.filter((p) => !(broken && echoes.has(p.code))).map(toDiag));

  const sorted = dedupe(sortDiagnostics(diagnostics));
  if (hasErrors(sorted)) return { diagnostics: sorted };
  const byName = new Map(ir.steps.map((s) => [s.name, s]));
  return { diagnostics: sorted, ir: { ...ir, steps: graph.order.map((n) => byName.get(n)!) }, graph };
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}|${d.start.line}|${d.start.col}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
