import type { CompileInput, CompileResult } from "../types.ts";

/** Placeholder until the Argo compiler lands (issue 4). */
export function compileArgo(input: CompileInput): CompileResult {
  return {
    files: [],
    primary: "",
    manifest: undefined as never,
    problems: [{ code: "TARGET_UNSUPPORTED", message: `the argo target is not built yet (${input.ir.name})`, hint: "", path: [] }],
  };
}
