/**
 * Parameter mappings of schedules and triggers (docs/flow-format.md, "Parameters from the run
 * context"). A mapped value is a template: literal text with placeholders in braces, expanded from
 * the run's context when the run starts, the same way on every target and in `flowc run`
 * (src/contract/run-context.ts). `{{` and `}}` stand for literal braces.
 *
 *   {date}                 the scheduled time's date, YYYY-MM-DD, in the flow's schedule time zone (else UTC)
 *   {datetime}             the scheduled time, ISO-8601 UTC (2026-12-04T05:00:00Z)
 *   {upstream.runId}       afterFlow only: the upstream run's id
 *   {upstream.flow}        afterFlow only: the upstream flow's name
 *   {upstream.params.NAME} afterFlow only: the upstream run's parameter NAME, as that run resolved it
 *
 * Event triggers also take a JSONPath into the event (`$.detail.key`), which keeps the value's type.
 */

export type Placeholder =
  | { kind: "date" }
  | { kind: "datetime" }
  | { kind: "upstream.runId" }
  | { kind: "upstream.flow" }
  | { kind: "upstream.param"; name: string };

export type TemplatePart = { text: string } | { placeholder: Placeholder };

/** Where a mapping is written; each offers a different set of placeholders. */
export type MappingSource = "schedule" | "afterFlow" | "event";

export const PLACEHOLDER_NAMES = ["{date}", "{datetime}", "{upstream.runId}", "{upstream.flow}", "{upstream.params.NAME}"] as const;

const JSONPATH = /^\$(\.[A-Za-z0-9_-]+)+$/;
const PARAM_NAME = /^[a-z][a-z0-9_]*$/;

/** A JSONPath into the event (event triggers): the value is taken from the event as it is. */
export const isJsonPath = (value: string) => JSONPATH.test(value);

function placeholderOf(name: string): Placeholder | undefined {
  if (name === "date" || name === "datetime" || name === "upstream.runId" || name === "upstream.flow") return { kind: name };
  if (name.startsWith("upstream.params.") && PARAM_NAME.test(name.slice("upstream.params.".length)))
    return { kind: "upstream.param", name: name.slice("upstream.params.".length) };
  return undefined;
}

export type ParsedTemplate = { ok: true; parts: TemplatePart[] } | { ok: false; error: string };

/** Splits a template into literal text and placeholders; an unknown `{...}` is an error. */
export function parseTemplate(value: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let text = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if ((c === "{" || c === "}") && value[i + 1] === c) {
      text += c;
      i++;
      continue;
    }
    if (c === "}") return { ok: false, error: "a lone `}`: write `}}` for a literal brace" };
    if (c !== "{") {
      text += c;
      continue;
    }
    const end = value.indexOf("}", i);
    if (end < 0) return { ok: false, error: "a `{` without its `}`: write `{{` for a literal brace" };
    const name = value.slice(i + 1, end);
    const placeholder = placeholderOf(name);
    if (!placeholder) return { ok: false, error: `unknown placeholder \`{${name}}\`` };
    if (text) parts.push({ text });
    text = "";
    parts.push({ placeholder });
    i = end;
  }
  if (text || parts.length === 0) parts.push({ text });
  return { ok: true, parts };
}

/** Whether a placeholder can be used in a mapping written at `source`. */
export function allowedIn(p: Placeholder, source: MappingSource): boolean {
  return p.kind === "date" || p.kind === "datetime" || source === "afterFlow";
}

/** The template is exactly one placeholder (its value then keeps the upstream's type). */
export const lonePlaceholder = (parts: TemplatePart[]): Placeholder | undefined =>
  parts.length === 1 && "placeholder" in parts[0]! ? parts[0].placeholder : undefined;

/** Whether a template has any placeholder at all (else it is a literal value). */
export const hasPlaceholder = (parts: TemplatePart[]) => parts.some((p) => "placeholder" in p);

/** The literal value of a template without placeholders. */
export const literalText = (parts: TemplatePart[]) => parts.map((p) => ("text" in p ? p.text : "")).join("");
