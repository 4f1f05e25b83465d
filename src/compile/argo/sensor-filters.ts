import type { JsonValue } from "../../flow/ir.ts";
import type { CompileProblem } from "../types.ts";

/** Argo Events matches string filters as unanchored regular expressions: anchor and escape. */
export const exactly = (s: string) => `^${s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`;

/**
 * An EventBridge-style `detail` pattern as data filters: `{k: [v1, v2]}` matches any listed value,
 * nested objects descend, `{prefix: "x"}` matches a prefix. Other content filters (numeric ranges,
 * anything-but, exists) have no Argo Events equivalent and are reported.
 */
export function detailFilters(pattern: Record<string, JsonValue>, path: string, at: (string | number)[], problems: CompileProblem[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [k, v] of Object.entries(pattern)) {
    const p = `${path}.${k.replace(/[.*?\\]/g, "\\$&")}`;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      out.push(...detailFilters(v, p, [...at, k], problems));
      continue;
    }
    const values = Array.isArray(v) ? v : [v];
    const kinds = new Set(values.map((x) => (x !== null && typeof x === "object" && !Array.isArray(x) && typeof x.prefix === "string" ? "prefix" : typeof x)));
    if ([...kinds].every((x) => x === "string" || x === "prefix"))
      out.push({ path: p, type: "string", value: values.map((x) => (typeof x === "string" ? exactly(x) : `^${exactly((x as { prefix: string }).prefix).slice(1, -1)}`)) });
    else if (kinds.size === 1 && kinds.has("number")) out.push({ path: p, type: "number", value: values.map(String) });
    else if (kinds.size === 1 && kinds.has("boolean")) out.push({ path: p, type: "bool", value: values.map(String) });
    else
      problems.push({
        code: "TARGET_UNSUPPORTED",
        message: `this \`detail\` pattern at \`${k}\` has no Argo Events filter`,
        hint: "use lists of strings, numbers or booleans, or `{prefix: ...}`",
        path: [...at, k],
      });
  }
  return out;
}
