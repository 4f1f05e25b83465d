import type { Node as YamlNode, YAMLParseError } from "yaml";
import { lazy } from "../../util/lazy.ts";

const Y = lazy<typeof import("yaml")>("yaml");
import jsyaml from "js-yaml";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { TOP, type DocPath, type LoadedFlow, type SourceLocator, type Span } from "./source.ts";

/**
 * Parses a YAML flow. The fast path is js-yaml (about 20× faster than yaml's CST parser on a
 * 1,000-step flow); source ranges are only needed when there is something to report, so the `yaml`
 * document with ranges is built lazily, on the first `locate`. Anything js-yaml rejects goes through
 * the precise path, which reports it with positions.
 */
export function loadYamlFlow(file: string, text: string): LoadedFlow {
  let raw: unknown;
  try {
    raw = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, filename: file });
  } catch {
    return loadYamlFlowPrecise(file, text);
  }
  if (raw == null || typeof raw !== "object") return loadYamlFlowPrecise(file, text);
  let locator: SourceLocator | undefined;
  return {
    file,
    text,
    language: "yaml",
    functionSteps: new Set<string>(),
    raw,
    diagnostics: [],
    locator: { locate: (path, part) => (locator ??= loadYamlFlowPrecise(file, text).locator).locate(path, part) },
  };
}

/** The `yaml` package's parser: slower, but it knows where every node is. */
export function loadYamlFlowPrecise(file: string, text: string): LoadedFlow {
  const lineCounter = new (Y().LineCounter)();
  // yaml's own uniqueKeys check is quadratic in the size of a map (a 3,000-step flow took 0.7 s);
  // duplicates are found in one linear pass below instead.
  const docs = Y().parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const pos = (offset: number) => lineCounter.linePos(offset);
  const diagnostics: Diagnostic[] = [];
  const base = { file, text, language: "yaml" as const, functionSteps: new Set<string>() };

  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0 || (list.length === 1 && list[0]!.contents == null && list[0]!.errors.length === 0)) {
    diagnostics.push(emptyFlow(file));
    return { ...base, raw: undefined, locator: { locate: () => TOP }, diagnostics };
  }
  const doc = list[0]!;
  for (const d of list) doc.errors.push(...duplicateKeyErrors(d.contents));
  for (const err of [...doc.errors, ...list.slice(1).flatMap((d) => d.errors)]) {
    const isDup = err.code === "DUPLICATE_KEY";
    diagnostics.push({
      code: isDup ? "DUPLICATE_KEY" : "YAML_SYNTAX",
      severity: "error",
      message: firstLine(err.message),
      hint: isDup ? "each key may appear once in a map; remove or rename the repeated key" : "fix the YAML syntax at this position",
      file,
      start: pos(err.pos[0]),
      end: pos(err.pos[1]),
    });
  }
  if (list.length > 1) {
    const second = list[1]!.range?.[0] ?? 0;
    diagnostics.push({
      code: "YAML_SYNTAX",
      severity: "error",
      message: "a flow file holds exactly one YAML document, this one has several",
      hint: "put each flow in a file of its own (remove the `---` separator)",
      file,
      start: pos(second),
    });
  }
  const locator = yamlLocator(doc.contents, pos);
  let raw: unknown = undefined;
  // Duplicate keys still leave a usable document (the last one wins), so the other rules can run too.
  if (doc.errors.every((e) => e.code === "DUPLICATE_KEY") && list.length === 1) {
    try {
      raw = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      diagnostics.push({
        code: "YAML_SYNTAX",
        severity: "error",
        message: firstLine((e as Error).message),
        hint: "check anchors and aliases",
        file,
        start: { line: 1, col: 1 },
      });
    }
  }
  if (raw == null && diagnostics.length === 0) {
    diagnostics.push(emptyFlow(file));
  }
  return { ...base, raw, locator, diagnostics };
}

function rangeSpan(node: unknown, pos: (o: number) => { line: number; col: number }): Span | undefined {
  const range = (node as YamlNode | undefined)?.range;
  if (!range) return undefined;
  return { start: pos(range[0]), end: pos(range[1]) };
}

const firstLine = (s: string) => s.split("\n")[0]!.trim();

/** Maps document paths to source spans for any YAML document parsed with a LineCounter. */
export function yamlLocator(contents: unknown, pos: (offset: number) => { line: number; col: number }): SourceLocator {
  return {
    locate(path: DocPath, part: "key" | "value" = "key"): Span {
      let node: unknown = contents;
      let span: Span = rangeSpan(node, pos) ?? TOP;
      for (let i = 0; i < path.length; i++) {
        const seg = path[i];
        const last = i === path.length - 1;
        if (Y().isMap(node)) {
          const pair = node.items.find((p) => Y().isScalar(p.key) && String(p.key.value) === String(seg));
          if (!pair) return span;
          const keySpan = rangeSpan(pair.key, pos);
          if (last && part === "key" && keySpan) return keySpan;
          node = pair.value;
          span = rangeSpan(node, pos) ?? keySpan ?? span;
        } else if (Y().isSeq(node) && typeof seg === "number") {
          node = node.items[seg];
          span = rangeSpan(node, pos) ?? span;
          if (node === undefined) return span;
        } else {
          return span;
        }
      }
      return span;
    },
  };
}

function duplicateKeyErrors(contents: unknown): YAMLParseError[] {
  const errors: YAMLParseError[] = [];
  Y().visit(contents as YamlNode, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = Y().isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) {
          const r = (pair.key as YamlNode | null)?.range ?? [0, 0];
          errors.push(new (Y().YAMLParseError)([r[0], r[1]], "DUPLICATE_KEY", "Map keys must be unique"));
        }
        seen.add(key);
      }
    },
  });
  return errors;
}

function emptyFlow(file: string): Diagnostic {
  return {
    code: "YAML_EMPTY",
    severity: "error",
    message: "the file holds no flow",
    hint: "start with `apiVersion: flowc/v1`, a `name` and a `steps` map",
    file,
    start: { line: 1, col: 1 },
  };
}
