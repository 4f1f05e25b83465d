import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from "yaml";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";
import { TOP, type DocPath, type LoadedFlow, type SourceLocator, type Span } from "./source.ts";

/** Parses a YAML flow, keeping source ranges so every later diagnostic can point into the file. */
export function loadYamlFlow(file: string, text: string): LoadedFlow {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const pos = (offset: number) => lineCounter.linePos(offset);
  const diagnostics: Diagnostic[] = [];
  const base = { file, text, language: "yaml" as const, functionSteps: new Set<string>() };

  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0 || (list.length === 1 && list[0]!.contents == null && list[0]!.errors.length === 0)) {
    diagnostics.push({
      code: "YAML_EMPTY",
      severity: "error",
      message: "the file holds no flow",
      hint: "start with `apiVersion: flowc/v1`, a `name` and a `steps` map",
      file,
      start: { line: 1, col: 1 },
    });
    return { ...base, raw: undefined, locator: { locate: () => TOP }, diagnostics };
  }
  const doc = list[0]!;
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
    diagnostics.push({
      code: "YAML_EMPTY",
      severity: "error",
      message: "the file holds no flow",
      hint: "start with `apiVersion: flowc/v1`, a `name` and a `steps` map",
      file,
      start: { line: 1, col: 1 },
    });
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
        if (isMap(node)) {
          const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
          if (!pair) return span;
          const keySpan = rangeSpan(pair.key, pos);
          if (last && part === "key" && keySpan) return keySpan;
          node = pair.value;
          span = rangeSpan(node, pos) ?? keySpan ?? span;
        } else if (isSeq(node) && typeof seg === "number") {
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
