import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import type { LoadedFlow } from "./source.ts";
import { TOP } from "./source.ts";
import { loadTypeScriptFlow, type CodePackage } from "./typescript.ts";
import { loadYamlFlow } from "./yaml.ts";

export const YAML_EXTENSIONS = [".yaml", ".yml", ".json"];
export const SCRIPT_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

export type LoadedFlowWithPackage = LoadedFlow & { package?: CodePackage };

/** Reads a flow file of either kind. Never throws for a bad file: problems come back as diagnostics. */
export async function loadFlow(file: string): Promise<LoadedFlowWithPackage> {
  const ext = extname(file).toLowerCase();
  const empty = { file, text: "", raw: undefined, functionSteps: new Set<string>(), locator: { locate: () => TOP } };
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      ...empty,
      language: "yaml",
      diagnostics: [
        {
          code: "FILE_NOT_FOUND",
          severity: "error",
          message: code === "ENOENT" ? "no such file" : code === "EISDIR" ? "this is a folder, not a flow file" : `cannot read the file (${code})`,
          hint: "pass the path of a .yaml or .ts flow file",
          file,
          start: { line: 1, col: 1 },
        },
      ],
    };
  }
  if (YAML_EXTENSIONS.includes(ext)) return loadYamlFlow(file, text);
  if (SCRIPT_EXTENSIONS.includes(ext)) return loadTypeScriptFlow(file, text);
  return {
    ...empty,
    text,
    language: "yaml",
    diagnostics: [
      {
        code: "FILE_UNSUPPORTED",
        severity: "error",
        message: `flowc reads .yaml, .yml and .ts flows, not ${ext || "files without an extension"}`,
        hint: "rename the file or pass a flow file",
        file,
        start: { line: 1, col: 1 },
      },
    ],
  };
}
