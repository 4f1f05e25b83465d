import type { DocPath } from "../load/source.ts";
import type { FlowIR, ParameterIR } from "../ir.ts";
import type { Problem } from "../normalize.ts";
import { allowedIn, hasPlaceholder, isJsonPath, literalText, lonePlaceholder, parseTemplate, PLACEHOLDER_NAMES, type MappingSource } from "../placeholders.ts";
import { matchesType } from "../normalize.ts";

interface Mapping {
  source: MappingSource;
  /** Where the mapping is written: ["schedule"] or ["triggers", i]. */
  at: DocPath;
  /** Where its `parameters` are. */
  base: DocPath;
  what: string;
  parameters: Record<string, string>;
}

/**
 * Rules for what schedules and triggers pass (docs/flow-format.md, "Parameters from the run context"):
 * every placeholder is known and allowed where it is written, a mapped value can become the
 * parameter's type, and every required parameter is supplied by each way the flow starts by itself.
 * A scheduled or triggered run that would miss a required parameter is an error here, on every
 * target, instead of a run that fails at its first state or a Workflow that Argo refuses.
 */
export function checkMappings(ir: FlowIR): Problem[] {
  const problems: Problem[] = [];
  const declared = new Map(ir.parameters.map((p) => [p.name, p]));
  const mappings: Mapping[] = [];
  if (ir.schedule) mappings.push({ source: "schedule", at: ["schedule"], base: ["schedule", "parameters"], what: "the schedule", parameters: ir.schedule.parameters });
  ir.triggers.forEach((t, i) =>
    mappings.push(
      t.kind === "afterFlow"
        ? { source: "afterFlow", at: ["triggers", i], base: ["triggers", i, "afterFlow", "parameters"], what: `trigger afterFlow ${t.flow}`, parameters: t.parameters }
        : { source: "event", at: ["triggers", i], base: ["triggers", i, "event", "parameters"], what: `event trigger ${i + 1}`, parameters: t.parameters },
    ),
  );
  for (const m of mappings) {
    for (const [name, value] of Object.entries(m.parameters)) {
      const p = declared.get(name);
      if (p) problems.push(...checkValue(m, p, value));
    }
    const missing = ir.parameters.filter((p) => p.required && m.parameters[p.name] === undefined);
    if (missing.length)
      problems.push({
        code: "PARAM_NOT_SUPPLIED",
        message: `${m.what} starts runs without the required parameter${missing.length > 1 ? "s" : ""} ${missing.map((p) => `\`${p.name}\``).join(", ")}, so every run it starts would fail`,
        hint: `map ${missing.length > 1 ? "them" : "it"} under \`parameters\`, e.g. \`parameters: { ${missing[0]!.name}: "${m.source === "afterFlow" ? `{upstream.params.${missing[0]!.name}}` : "{date}"}" }\`, or give ${missing.length > 1 ? "them defaults" : "it a default"}`,
        path: m.at,
      });
  }
  return problems;
}

function checkValue(m: Mapping, p: ParameterIR, value: string): Problem[] {
  const path = [...m.base, p.name];
  if (isJsonPath(value)) {
    if (m.source === "event") return [];
    return [
      {
        code: "UNKNOWN_PLACEHOLDER",
        message: `${m.what} maps \`${p.name}\` with the JSONPath ${value}, but only event triggers read an event`,
        hint: m.source === "afterFlow" ? "use {upstream.runId} for the upstream run, {upstream.params.NAME} for one of its parameters" : "use {date} or {datetime}",
        path,
        part: "value",
      },
    ];
  }
  const parsed = parseTemplate(value);
  if (!parsed.ok)
    return [{ code: "UNKNOWN_PLACEHOLDER", message: `${m.what} maps \`${p.name}\` to ${JSON.stringify(value)}: ${parsed.error}`, hint: `the placeholders are ${PLACEHOLDER_NAMES.join(", ")}`, path, part: "value" }];
  const problems: Problem[] = [];
  for (const part of parsed.parts)
    if ("placeholder" in part && !allowedIn(part.placeholder, m.source))
      problems.push({
        code: "UNKNOWN_PLACEHOLDER",
        message: `${m.what} maps \`${p.name}\` to ${JSON.stringify(value)}, but {upstream.…} exists only for afterFlow triggers`,
        hint: m.source === "schedule" ? "a schedule knows its scheduled time: use {date} or {datetime}" : "an event trigger reads the event with a JSONPath ($.detail.key)",
        path,
        part: "value",
      });
  if (problems.length) return problems;
  const lone = lonePlaceholder(parsed.parts);
  // A lone upstream parameter keeps the upstream's type; anything else expands to text.
  if (lone?.kind === "upstream.param") return [];
  if (!hasPlaceholder(parsed.parts) && m.source === "afterFlow" && value === p.name)
    return [
      {
        code: "MAPPING_LITERAL",
        severity: "warning",
        message: `${m.what} passes the text ${JSON.stringify(value)} as \`${p.name}\`, not the upstream run's \`${value}\``,
        hint: `write "{upstream.params.${value}}" to pass the upstream run's parameter (what a bare name meant on Argo before flowc 0.2)`,
        path,
        part: "value",
      },
    ];
  if (p.type === "string") return [];
  if (!hasPlaceholder(parsed.parts)) {
    const literal = literalText(parsed.parts);
    if (acceptsLiteral(literal, p)) return [];
    return [{ code: "PLACEHOLDER_TYPE", message: `${m.what} maps the ${p.type} parameter \`${p.name}\` to the text ${JSON.stringify(literal)}, which is not a ${p.type}`, hint: `write a ${p.type} literal`, path, part: "value" }];
  }
  return [
    {
      code: "PLACEHOLDER_TYPE",
      message: `${m.what} maps the ${p.type} parameter \`${p.name}\` to ${JSON.stringify(value)}, which expands to text`,
      hint: "map it to a lone {upstream.params.NAME}, a literal of its type, or make the parameter a string",
      path,
      part: "value",
    },
  ];
}

/** A literal mapping of a non-string parameter: what `--param` would accept for that type. */
function acceptsLiteral(text: string, p: ParameterIR): boolean {
  if (p.type === "json") {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  }
  if (p.type === "boolean") return text === "true" || text === "false";
  const n = text.trim() === "" ? NaN : Number(text);
  return matchesType(n, p.type);
}
