import type { FlowIR } from "../../../../src/flow/ir.ts";
import type { StepOutcome } from "./argo.ts";

export interface ScenarioOptions {
  /** Uncaught failures per 10,000 task runs of steps without `catch` (default none). */
  failures?: number;
}

/**
 * A deterministic "what every task did" from a seed: foreach list sizes 0-2, a switch case among the
 * declared ones, caught steps that sometimes fail, and, when asked, uncaught failures. A caught failure
 * is what `flowc step --catch` leaves: exit 0 and no foreach/switch file. An uncaught failure is a pod
 * that failed after its retries. Memoized, so the oracle and the simulation see the same run even if
 * they ask in a different order.
 */
export function scenario(ir: FlowIR, seed: number, o: ScenarioOptions = {}): (step: string, index: string) => StepOutcome {
  const memo = new Map<string, StepOutcome>();
  const byName = new Map(ir.steps.map((s) => [s.name, s]));
  return (step, index) => {
    const key = `${step}@${index}`;
    const hit = memo.get(key);
    if (hit) return hit;
    const h = hash(`${seed}:${key}`);
    const s = byName.get(step)!;
    let out: StepOutcome = { phase: "Succeeded" };
    if (s.catch && h % 3 === 0) out = { phase: "Succeeded" };
    else if (!s.catch && hash(`fail:${seed}:${key}`) % 10_000 < (o.failures ?? 0)) out = { phase: "Failed" };
    else if (s.transition.kind === "foreach") out = { phase: "Succeeded", foreach: Array.from({ length: h % 3 }, (_, k) => (index === "" ? `${k}` : `${index}.${k}`)) };
    else if (s.transition.kind === "switch") out = { phase: "Succeeded", case: s.transition.cases[h % s.transition.cases.length]!.value };
    memo.set(key, out);
    return out;
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) % 1_000_003;
}
