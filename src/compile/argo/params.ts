import type { JsonValue, ParameterIR, ParameterType } from "../../flow/ir.ts";
import type { ArgoParameter } from "./types.ts";

/**
 * Flow parameters on Argo, both directions.
 *
 * Argo parameters are strings. A workflow argument holds the value as a person types it after
 * `argo submit -p name=…`: strings as they are, numbers and booleans as literals, `json` parameters as
 * JSON text. Tasks never see `{{workflow.parameters.<name>}}` spliced into a command or a JSON
 * document (that is where quoting bugs such as Metaflow's #1453 come from). Every step template gets
 * one environment variable instead:
 *
 *   FLOWC_PARAMS = {{workflow.parameters.json}}
 *
 * which Argo fills with the JSON array of all workflow parameters (`[{"name":"alpha","value":"0.5"}]`),
 * encoded by Argo itself. `flowc step` turns it back into typed values with `decodeArgoParams`
 * and the types the flow spec declares.
 */

/** The workflow argument of each flow parameter. Required parameters have no value: Argo then refuses a submission without one. */
export function workflowArguments(params: readonly ParameterIR[]): ArgoParameter[] {
  return params.map((p) => {
    const absentable = !p.required && p.default === undefined;
    return {
      name: p.name,
      ...(p.required ? {} : { value: p.default === undefined ? "" : encodeParamValue(p.default, p.type) }),
      // The UI offers a choice; "" stands for "not given" when the parameter has no default.
      ...(p.type === "boolean" ? { enum: absentable ? ["", "true", "false"] : ["true", "false"] } : {}),
      ...(p.description ? { description: p.description } : {}),
    };
  });
}

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
