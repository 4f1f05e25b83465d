import type { JsonValue, ParameterIR, ParameterType } from "../flow/ir.ts";
import { matchesType } from "../flow/normalize.ts";
import { closest } from "../util/closest.ts";

export type ParamValues = Record<string, JsonValue>;

export interface ParamProblem {
  code: "PARAM_MISSING" | "PARAM_TYPE" | "PARAM_UNKNOWN" | "PARAM_SYNTAX";
  param: string;
  message: string;
}

/**
 * Parses one `--param` value by its declared type: strings as written, numbers and booleans as
 * literals, json as JSON. Also used for string values that arrive where a typed value was expected
 * (Argo parameters are strings).
 */
export function parseParamText(text: string, type: ParameterType): { value?: JsonValue; error?: string } {
  switch (type) {
    case "string":
      return { value: text };
    case "number":
    case "integer": {
      const n = text.trim() === "" ? NaN : Number(text);
      if (!Number.isFinite(n)) return { error: `expected ${type === "integer" ? "an integer" : "a number"}, got ${JSON.stringify(text)}` };
      if (type === "integer" && !Number.isInteger(n)) return { error: `expected an integer, got ${JSON.stringify(text)}` };
      return { value: n };
    }
    case "boolean":
      if (text === "true") return { value: true };
      if (text === "false") return { value: false };
      return { error: `expected true or false, got ${JSON.stringify(text)}` };
    case "json":
      try {
        return { value: JSON.parse(text) as JsonValue };
      } catch {
        return { error: `expected JSON, got ${JSON.stringify(text)}` };
      }
  }
}

/** `--param k=v` flags → raw values typed by the flow's declarations. */
export function parseParamFlags(flags: readonly string[], declared: readonly ParameterIR[]): { values: ParamValues; problems: ParamProblem[] } {
  const values: ParamValues = {};
  const problems: ParamProblem[] = [];
  const byName = new Map(declared.map((p) => [p.name, p]));
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) {
      problems.push({ code: "PARAM_SYNTAX", param: flag, message: `--param ${flag}: write it as name=value` });
      continue;
    }
    const name = flag.slice(0, eq);
    const p = byName.get(name);
    if (!p) {
      problems.push(unknown(name, declared));
      continue;
    }
    const { value, error } = parseParamText(flag.slice(eq + 1), p.type);
    if (error) problems.push({ code: "PARAM_TYPE", param: name, message: `parameter \`${name}\` is of type ${p.type}: ${error}` });
    else values[name] = value!;
  }
  return { values, problems };
}

/**
 * Checks given values against the declarations and applies defaults: what `flowc run` does before any
 * step and what `flowc step` does again in every task (the orchestrator may have passed anything).
 * `strict` rejects unknown names; `flowc step` ignores them (an SFN execution input may carry more).
 */
export function resolveParams(
  declared: readonly ParameterIR[],
  given: Record<string, unknown>,
  opts: { strict: boolean },
): { values: ParamValues; problems: ParamProblem[] } {
  const values: ParamValues = {};
  const problems: ParamProblem[] = [];
  for (const p of declared) {
    let v = given[p.name];
    if (v === undefined || v === null) {
      if (p.default !== undefined) values[p.name] = p.default;
      else if (p.required) problems.push({ code: "PARAM_MISSING", param: p.name, message: `missing required parameter \`${p.name}\` (${p.type})` });
      continue;
    }
    if (typeof v === "string" && p.type !== "string" && p.type !== "json") {
      const parsed = parseParamText(v, p.type);
      if (parsed.error === undefined) v = parsed.value;
    }
    if (!matchesType(v, p.type)) {
      problems.push({ code: "PARAM_TYPE", param: p.name, message: `parameter \`${p.name}\` is of type ${p.type}, got ${JSON.stringify(v)}` });
      continue;
    }
    values[p.name] = v as JsonValue;
  }
  if (opts.strict) for (const name of Object.keys(given)) if (!declared.some((p) => p.name === name)) problems.push(unknown(name, declared));
  return { values, problems };
}

function unknown(name: string, declared: readonly ParameterIR[]): ParamProblem {
  const names = declared.map((p) => p.name);
  const near = closest(name, names);
  const known = names.length ? `the flow declares ${names.map((n) => `\`${n}\``).join(", ")}` : "the flow declares no parameters";
  return { code: "PARAM_UNKNOWN", param: name, message: `unknown parameter \`${name}\`: ${near ? `did you mean \`${near}\`? ` : ""}${known}` };
}

/* Argo carries every parameter as a string: the codec both the Argo compiler and `flowc step` use. */

/** A typed value as the raw string of an Argo argument: the inverse of decoding one argument. */
export function encodeParamValue(v: JsonValue, type: ParameterType): string {
  if (type === "json") return JSON.stringify(v);
  return typeof v === "string" ? v : JSON.stringify(v);
}

export interface DecodedParams {
  /** Typed values of the parameters that were given. Defaults and required checks are the caller's (resolveParams). */
  values: Record<string, JsonValue>;
  /** One message per value that does not parse as its declared type. */
  errors: string[];
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * Decodes FLOWC_PARAMS as a task receives it. Pure; `flowc step` calls it on every target:
 *
 * - a JSON **array** of `{name, value}` (Argo's `{{workflow.parameters.json}}`): each value is a raw
 *   string, typed by the parameter's declaration: `string` as is (including "" and "null"),
 *   `number`/`integer` as a JSON number literal, `boolean` as `true`/`false`, `json` by JSON.parse.
 *   An empty value of a parameter that is optional and has no default means "not given" (Argo cannot
 *   leave an argument out), so it is absent from `values`. Undeclared names are ignored.
 * - a JSON **object** (Step Functions, `flowc run`): already typed; returned as is.
 */
export function decodeArgoParams(text: string, declared: readonly ParameterIR[]): DecodedParams {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text === "" ? "{}" : text);
  } catch {
    return { values: {}, errors: [`FLOWC_PARAMS is not JSON: ${JSON.stringify(text.slice(0, 80))}`] };
  }
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return { values: parsed as Record<string, JsonValue>, errors: [] };
  if (!Array.isArray(parsed)) return { values: {}, errors: ["FLOWC_PARAMS must be a JSON object or an array of {name, value}"] };

  const byName = new Map(declared.map((p) => [p.name, p]));
  const values: Record<string, JsonValue> = {};
  const errors: string[] = [];
  for (const item of parsed) {
    if (item === null || typeof item !== "object") continue;
    const { name, value } = item as { name?: unknown; value?: unknown };
    const p = typeof name === "string" ? byName.get(name) : undefined;
    if (!p || typeof value !== "string") continue;
    if (value === "" && !p.required && p.default === undefined) continue;
    const r = decodeParamValue(value, p.type);
    if ("error" in r) errors.push(`parameter \`${p.name}\` is of type ${p.type}: ${r.error}`);
    else values[p.name] = r.value;
  }
  return { values, errors };
}

/** One raw Argo value by its declared type. Strict: what a JSON reader would accept, nothing more. */
export function decodeParamValue(raw: string, type: ParameterType): { value: JsonValue } | { error: string } {
  switch (type) {
    case "string":
      return { value: raw };
    case "number":
    case "integer": {
      const n = JSON_NUMBER.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return { error: `expected a number, got ${JSON.stringify(raw)}` };
      if (type === "integer" && !Number.isInteger(n)) return { error: `expected an integer, got ${JSON.stringify(raw)}` };
      return { value: n };
    }
    case "boolean":
      return raw === "true" ? { value: true } : raw === "false" ? { value: false } : { error: `expected true or false, got ${JSON.stringify(raw)}` };
    case "json":
      try {
        return { value: JSON.parse(raw) as JsonValue };
      } catch {
        return { error: `expected JSON, got ${JSON.stringify(raw)}` };
      }
  }
}
