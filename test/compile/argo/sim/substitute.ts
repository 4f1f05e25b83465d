/**
 * How Argo puts `{{workflow.parameters.json}}` into a pod, modelled closely enough to test quoting:
 *
 * 1. The controller merges the WorkflowTemplate's arguments with the submitted ones (by name) and
 *    sets `workflow.parameters.json` to Go's json.Marshal of that parameter list.
 * 2. It substitutes `{{...}}` in the template's JSON text with fasttemplate, escaping each value
 *    with strconv.Quote (without the surrounding quotes) so the JSON stays valid.
 * 3. The container gets the env var's value after the template JSON is decoded again.
 */
type Param = { name: string; value?: string; [k: string]: unknown };

/** Go's encoding/json: like JSON.stringify, plus HTML-safe escapes of <, > and &, and of U+2028/2029. */
export function goJsonMarshal(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** strconv.Quote(s) without its quotes: Go escapes for quote, backslash and non-printable characters. */
export function goQuoteInner(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out;
}

/** The arguments Argo runs with: the template's, overridden by name with the submitted ones. */
export function mergeArguments(template: Param[], submitted: Record<string, string>): Param[] {
  const merged = template.map((p) => (p.name in submitted ? { ...p, value: submitted[p.name] } : { ...p }));
  for (const [name, value] of Object.entries(submitted)) if (!template.some((p) => p.name === name)) merged.push({ name, value });
  return merged;
}

/** Substitutes global variables in a template the way the controller does, and returns the decoded template. */
export function substituteGlobals<T>(template: T, globals: Record<string, string>): T {
  const text = JSON.stringify(template).replace(/\{\{\s*(workflow\.[^}]+?)\s*\}\}/g, (whole, key: string) =>
    key in globals ? goQuoteInner(globals[key]!) : whole,
  );
  return JSON.parse(text) as T;
}
