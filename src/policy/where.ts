import type { StepIR } from "../flow/ir.ts";
import type { DocPath } from "../flow/load/source.ts";
import type { PolicyInput, Where } from "./types.ts";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);

function has(v: unknown, path: readonly (string | number)[]): boolean {
  let cur = v;
  for (const k of path) {
    if (!isObj(cur) || !(String(k) in cur)) return false;
    cur = cur[String(k)];
  }
  return true;
}

/**
 * Where a step's effective value of `key` (e.g. ["resources", "gpu"]) is written: on the step, else
 * in `defaults` (one place for every step that inherits it), else the step itself.
 */
export function stepOrigin(input: PolicyInput, step: StepIR, key: readonly string[]): Where {
  const raw = isObj(input.raw) ? input.raw : {};
  if (has(raw, ["steps", step.name, ...key])) return { in: "flow", path: ["steps", step.name, ...key], part: "value" };
  if (has(raw, ["defaults", ...key])) return { in: "flow", path: ["defaults", ...key], part: "value" };
  return { in: "flow", path: ["steps", step.name], part: "key" };
}

/** A path in the flow when it is written there, else its closest written ancestor in `fallback`. */
export function flowPath(input: PolicyInput, path: DocPath, fallback: DocPath): Where {
  return has(input.raw, path) ? { in: "flow", path, part: "value" } : { in: "flow", path: fallback, part: "key" };
}

export const whereKey = (w: Where) => `${w.in}:${w.path.join("\u0000")}`;
