import type { CompileInput, CompileResult } from "../types.ts";

/** Placeholder until the Step Functions compiler lands (issue 3). */
export function compileSfn(input: CompileInput): CompileResult {
  return {
    files: [],
    primary: "",
    manifest: undefined as never,
    problems: [{ code: "TARGET_UNSUPPORTED", message: `the sfn target is not built yet (${input.ir.name})`, hint: "", path: [] }],
  };
}
