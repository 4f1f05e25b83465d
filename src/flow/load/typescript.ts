import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { FLOW_BRAND } from "../author/types.ts";
import { bundleFlowModule } from "./bundle.ts";
import { mappedFrames, registerSourceMap } from "./stack.ts";
import { TOP, type DocPath, type LoadedFlow, type Span } from "./source.ts";

/** Imports a bundled flow module from a content-addressed file (Node caches modules by URL). */
export async function importBundle(code: string, sha256: string, map?: string): Promise<Record<string, unknown>> {
  registerSourceMap(sha256, map);
  const dir = join(tmpdir(), "flowc-packages");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${sha256}.mjs`);
  // Write then rename: two processes loading the same flow must never import a half-written file.
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, code);
    renameSync(tmp, path);
  }
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}

/**
 * Loads a TypeScript flow: bundle with esbuild, import (module top level runs, step bodies do not),
 * then turn the definition into the same plain document a YAML flow gives.
 */
export async function loadTypeScriptFlow(file: string, text: string): Promise<LoadedFlow & { package?: CodePackage }> {
  const locator = tsLocator(text);
  const base = { file, text, language: "typescript" as const, locator };
  const fail = (message: string, hint: string, span: Span = TOP): LoadedFlow => ({
    ...base,
    raw: undefined,
    functionSteps: new Set(),
    diagnostics: [{ code: "TS_LOAD", severity: "error", message, hint, file, ...span }],
  });

  const bundle = await bundleFlowModule(file);
  if (bundle.errors.length > 0) {
    const diagnostics: Diagnostic[] = bundle.errors.map((m) => ({
      code: "TS_LOAD",
      severity: "error",
      message: m.text,
      hint: "fix the TypeScript error; flowc bundles the module with esbuild",
      // Errors in the flow module itself point at the path the user gave; others at the imported file.
      file: m.location?.file && resolve(m.location.file) !== resolve(file) ? relative(process.cwd(), m.location.file) : file,
      start: { line: m.location?.line ?? 1, col: (m.location?.column ?? 0) + 1 },
    }));
    return { ...base, raw: undefined, functionSteps: new Set(), diagnostics };
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importBundle(bundle.code, bundle.sha256, bundle.map);
  } catch (e) {
    return importFailed(file, base, e);
  }
  const def = (mod.default ?? Object.values(mod).find((v) => isFlow(v))) as Record<string, unknown> | undefined;
  if (!def || typeof def !== "object") {
    return fail("the module has no flow: export one with `export default flow({...})`", "import { flow } from \"flowc\" and `export default flow({ name, steps })`");
  }
  const functionSteps = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const raw = toPlain(def) as Record<string, unknown>;
  delete raw[FLOW_BRAND];
  // The TypeScript API implies the format version; a YAML file must say it.
  raw.apiVersion ??= "flowc/v1";
  const steps = (def as { steps?: unknown }).steps;
  if (steps && typeof steps === "object") {
    for (const [name, s] of Object.entries(steps as Record<string, unknown>)) {
      if (!s || typeof s !== "object" || !("run" in s)) continue;
      const rawStep = (raw.steps as Record<string, Record<string, unknown>>)[name]!;
      delete rawStep.run;
      if (typeof (s as { run: unknown }).run === "function") functionSteps.add(name);
      else
        diagnostics.push({
          code: "WRONG_TYPE",
          severity: "error",
          message: `step \`${name}\`: \`run\` must be a function`,
          hint: "give the step a body: run: async (ctx) => { ... }",
          file,
          ...locator.locate(["steps", name, "run"]),
          path: ["steps", name, "run"],
        });
    }
  }
  return { ...base, raw, functionSteps, diagnostics, definition: def, package: { code: bundle.code, sha256: bundle.sha256, map: bundle.map } };
}

/** A flow's code package: the esbuild bundle (content-addressed by sha256) and its source map. */
export interface CodePackage {
  code: string;
  sha256: string;
  map?: string;
}

/**
 * The module threw while it was imported: report it where it was thrown, in the user's own files
 * (the innermost frame outside node_modules and flowc), with the mapped stack.
 */
function importFailed(file: string, base: Omit<LoadedFlow, "raw" | "functionSteps" | "diagnostics">, e: unknown): LoadedFlow {
  const err = e instanceof Error ? e : new Error(String(e));
  const frames = mappedFrames(err.stack ?? "");
  const own = frames.find((f) => !/(^|\/)node_modules\//.test(f.source) && !/(^|\/)src\/flow\/author\/|(^|\/)dist\/author\.js$/.test(f.source)) ?? frames[0];
  const at = own && resolve(own.source) !== resolve(file) ? relative(process.cwd(), resolve(own.source)) : file;
  const where = own ? `${at}:${own.line}:${own.col}` : undefined;
  return {
    ...base,
    raw: undefined,
    functionSteps: new Set(),
    diagnostics: [
      {
        code: "TS_LOAD",
        severity: "error",
        message: `importing the module failed: ${err.name}: ${err.message}`,
        hint: `the module's top level must run without errors; keep work inside step bodies${where && at !== file ? ` (thrown at ${where}, imported by ${file})` : ""}`,
        file: at,
        start: own ? { line: own.line, col: own.col } : TOP.start,
      },
    ],
  };
}

const isFlow = (v: unknown) => !!v && typeof v === "object" && (v as Record<string, unknown>)[FLOW_BRAND] === true;

/** Plain JSON data: functions dropped, so the schema sees exactly what a YAML file could say. */
function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (typeof x !== "function" && x !== undefined) out[k] = toPlain(x);
    // keep `run` visible as a marker so the loader can check it
    for (const [k, x] of Object.entries(v)) if (typeof x === "function" && k === "run") out[k] = true;
    return out;
  }
  return v;
}

/**
 * TypeScript has no YAML ranges; point at the step's key in the module text (`name:` or `"name":`),
 * then at the key inside it, which is what a person looks for.
 */
function tsLocator(text: string) {
  const lines = text.split("\n");
  const posOf = (offset: number) => {
    let line = 0;
    let rest = offset;
    while (line < lines.length && rest > lines[line]!.length) {
      rest -= lines[line]!.length + 1;
      line++;
    }
    return { line: line + 1, col: rest + 1 };
  };
  const findKey = (key: string, from: number): number => {
    const esc = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const re = new RegExp(`(?:^|[\\s{,])(?:${esc}|"${esc}"|'${esc}')\\s*:`, "g");
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) return -1;
    return m.index + m[0].search(/["'\w$]/);
  };
  return {
    locate(path: DocPath): Span {
      let at = 0;
      let found = -1;
      for (const seg of path) {
        if (typeof seg === "number") continue;
        const i = findKey(seg, at);
        if (i < 0) break;
        found = i;
        at = i + 1;
      }
      if (found < 0) return TOP;
      const seg = String(path.filter((p) => typeof p === "string").at(-1) ?? "");
      const start = posOf(found);
      return { start, end: { line: start.line, col: start.col + seg.length } };
    },
  };
}
