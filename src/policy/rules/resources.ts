import type { StepIR } from "../../flow/ir.ts";
import { parseMemory } from "../../flow/units.ts";
import type { PolicyCode } from "../../diagnostics/diagnostic.ts";
import type { PolicyRule, Violation } from "../types.ts";
import { stepOrigin } from "../where.ts";

function ceiling(code: PolicyCode, key: "cpu" | "memory" | "gpu", limit: number | undefined, written: string, of: (s: StepIR) => number, show: (s: StepIR) => string): PolicyRule {
  return (input) =>
    limit === undefined
      ? []
      : input.ir.steps
          .filter((s) => of(s) > limit)
          .map(
            (s): Violation => ({
              code,
              message: `step \`${s.name}\` asks for ${show(s)}, more than the ${written} a step may have in environment \`${input.env.name}\``,
              hint: `ask for ${written} or less, or split the work (foreach)`,
              where: stepOrigin(input, s, ["resources", key]),
              rule: ["resources", key],
            }),
          );
}

/** resources.cpu / memory / gpu: ceilings per step. */
export const resourceCeilings: PolicyRule = (input) => {
  const r = input.policy.resources ?? {};
  return [
    ceiling("POLICY_CPU_LIMIT", "cpu", r.cpu, `${r.cpu} CPU`, (s) => s.resources.cpu, (s) => `${s.resources.cpu} CPU`),
    ceiling("POLICY_MEMORY_LIMIT", "memory", r.memory ? parseMemory(r.memory) : undefined, String(r.memory), (s) => s.resources.memoryMiB, (s) => `${s.resources.memoryMiB}Mi of memory`),
    ceiling("POLICY_GPU_LIMIT", "gpu", r.gpu, `${r.gpu} GPU`, (s) => s.resources.gpu, (s) => `${s.resources.gpu} GPU`),
  ].flatMap((rule) => rule(input));
};

/** foreach.maxParallelism: every foreach bounds how many items run at once, within the ceiling. */
export const foreachWidth: PolicyRule = (input) => {
  const max = input.policy.foreach?.maxParallelism;
  if (max === undefined) return [];
  const out: Violation[] = [];
  for (const s of input.ir.steps) {
    if (s.transition.kind !== "foreach") continue;
    const p = s.transition.parallelism;
    if (p === undefined)
      out.push({
        code: "POLICY_FOREACH_UNBOUNDED",
        message: `foreach \`${s.name}\` runs all its items at once; environment \`${input.env.name}\` allows at most ${max}`,
        hint: `add \`parallelism: ${max}\` (or less) to the step`,
        where: { in: "flow", path: ["steps", s.name, "foreach"], part: "key" },
        rule: ["foreach", "maxParallelism"],
      });
    else if (p > max)
      out.push({
        code: "POLICY_FOREACH_WIDTH",
        message: `foreach \`${s.name}\` runs ${p} items at once; environment \`${input.env.name}\` allows at most ${max}`,
        hint: `lower \`parallelism\` to ${max} or less`,
        where: { in: "flow", path: ["steps", s.name, "parallelism"], part: "value" },
        rule: ["foreach", "maxParallelism"],
      });
  }
  return out;
};
