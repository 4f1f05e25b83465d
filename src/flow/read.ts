import { hasErrors } from "../diagnostics/diagnostic.ts";
import type { Graph } from "../graph/types.ts";
import type { FlowIR } from "./ir.ts";
import { loadFlow, type LoadedFlowWithPackage } from "./load/index.ts";
import { validateFlow, type ValidatedFlow } from "./validate/index.ts";

export type ReadFlow = ValidatedFlow & { loaded: LoadedFlowWithPackage };
export type ValidFlow = { loaded: LoadedFlowWithPackage; ir: FlowIR; graph: Graph; diagnostics: ValidatedFlow["diagnostics"] };

/** Load and validate in one call: what every command that takes a FLOW argument starts with. */
export async function readFlow(file: string): Promise<ReadFlow> {
  const loaded = await loadFlow(file);
  return { ...validateFlow(loaded), loaded };
}

export const isValid = (r: ReadFlow): r is ReadFlow & ValidFlow => !!r.ir && !!r.graph && !hasErrors(r.diagnostics);
