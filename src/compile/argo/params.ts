import { encodeParamValue } from "../../contract/params.ts";
import { RUN_CONTEXT_PARAM } from "../../contract/run-context.ts";
import type { ParameterIR } from "../../flow/ir.ts";
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
 * (src/contract/params.ts) and the types the flow spec declares.
 */

/**
 * The workflow argument of each flow parameter, and of the run context (`_flowc`, empty for a run
 * started by hand; docs/step-contract.md). Required parameters have no value: Argo then refuses a
 * submission without one.
 */
export function workflowArguments(params: readonly ParameterIR[]): ArgoParameter[] {
  return [...params.map(flowArgument), { name: RUN_CONTEXT_PARAM, value: "", description: "flowc: the run context (scheduled time, trigger); set by flowc, schedules and triggers" }];
}

function flowArgument(p: ParameterIR): ArgoParameter {
  const absentable = !p.required && p.default === undefined;
  return {
    name: p.name,
    ...(p.required ? {} : { value: p.default === undefined ? "" : encodeParamValue(p.default, p.type) }),
    // The UI offers a choice; "" stands for "not given" when the parameter has no default.
    ...(p.type === "boolean" ? { enum: absentable ? ["", "true", "false"] : ["true", "false"] } : {}),
    ...(p.description ? { description: p.description } : {}),
  };
}

