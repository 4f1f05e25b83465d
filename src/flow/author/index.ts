/**
 * What a TypeScript flow imports as "flowc". It has no dependencies so that esbuild can bundle it into
 * every code package; keep it that way.
 */
import { FLOW_BRAND, type Flow, type FlowDef, type ParameterDefs, type ParamValues, type StepDef } from "./types.ts";

export type * from "./types.ts";
export { FLOW_BRAND } from "./types.ts";

/** Declares a flow. Parameter types flow into every step body's `ctx.params`. */
export function flow<const P extends ParameterDefs = {}>(def: FlowDef<P>): Flow<P> {
  return Object.assign(def, { [FLOW_BRAND]: true as const });
}

/**
 * Declares one step outside `flow({...})`, e.g. to share it between flows. Inside `flow` a plain
 * object literal is enough; this only adds the types.
 */
export function step<P = ParamValues<ParameterDefs>>(def: StepDef<P>): StepDef<P> {
  return def;
}
