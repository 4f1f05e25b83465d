import type { StepIR } from "../flow/ir.ts";

/** An enclosing scope of a step: a branch of a static split, or the body of a foreach. */
export type Frame = { kind: "split"; step: string; branch: number } | { kind: "foreach"; step: string };

export interface GraphNode {
  step: StepIR;
  /** Steps with an edge into this one, in flow order. */
  parents: string[];
  /** Steps this one leads to: split branches in order, switch targets in case order. */
  children: string[];
  /** Enclosing scopes, outermost first. Empty at the top level. */
  frames: Frame[];
  /** How many foreaches enclose the step: the length of its index path. */
  foreachDepth: number;
  /** For a join: the split or foreach step it closes. */
  closes?: string;
  /** For a split or foreach step: the join that closes it. */
  closedBy?: string;
}

/**
 * The one analysis of a flow's DAG that the compilers and the runtime share. Build it with
 * `analyzeGraph`; it is only meaningful for a flow with no graph errors.
 */
export interface Graph {
  /** Flow order: reverse postorder from `start`, children in their declared order. */
  order: string[];
  nodes: Map<string, GraphNode>;
  /** The steps of each scope (by `scopeKey`), in flow order; "" is the top level. */
  scopes: Map<string, string[]>;
}

export interface GraphProblem {
  code:
    | "MISSING_START"
    | "MISSING_END"
    | "START_IS_JOIN"
    | "UNKNOWN_TARGET"
    | "SELF_LOOP"
    | "CYCLE"
    | "UNREACHABLE"
    | "UNCLOSED_SPLIT"
    | "UNCLOSED_FOREACH"
    | "WRONG_JOIN"
    | "JOIN_NOTHING"
    | "MISSING_JOIN"
    | "DUPLICATE_BRANCH";
  message: string;
  hint: string;
  path: (string | number)[];
}

export function scopeKey(frames: readonly Frame[]): string {
  return frames.map((f) => (f.kind === "split" ? `${f.step}[${f.branch}]` : `${f.step}[*]`)).join("/");
}
