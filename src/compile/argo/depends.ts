import { PARAM } from "./contract.ts";

/**
 * When a DAG task runs: its `depends` (on the results of the tasks before it) and its `when` (on
 * switch cases). A step runs when one of the edges into it fired; an edge P → X fired when P ended in
 * a phase that carries the flow on (Succeeded; also Failed/Error for a caught step; also Skipped for
 * a foreach fan-out, which Argo skips when the list is empty) and, if P is a switch, chose a case that
 * leads to X. A split's join needs one fired edge per branch: AND over groups, OR within a group.
 *
 * - Results are explicit (`P.Succeeded`), never a bare `P`: a bare name also accepts Skipped, and the
 *   steps after a switch branch that was not taken must not run. A task whose `depends` is false is
 *   Omitted, and that propagates down the branch; where switch branches meet, `A.Succeeded ||
 *   B.Succeeded` lets the branch that did run through.
 * - A caught step's failure is accepted in `depends` (`P.Failed || P.Errored`): Argo forbids
 *   `continueOn` together with `depends`, and this is its replacement.
 * - `when` appears only when a switch edge leads in. It repeats the other edges of the same group as
 *   `'{{tasks.P.status}}' == 'Succeeded'` so that it is an OR over edges, like `depends`.
 * - Across the parts of a DAG that was cut (see dag.ts) an edge's source is not a task of this DAG:
 *   its phase and case arrive as input parameters. Such a task waits for its local parents whatever
 *   their result and decides in `when` alone.
 */
export type Phase = "Succeeded" | "Failed" | "Error" | "Skipped";

export interface InEdge {
  from: string;
  /** The phases of `from` that fire this edge. */
  accept: Phase[];
  /** For an edge out of a switch: the cases that lead along it. */
  cases?: string[];
}

export interface Condition {
  depends?: string;
  when?: string;
}

/** Where the result of a task can be read from the DAG being rendered. */
export interface Refs {
  local: (task: string) => boolean;
}

export const RESULT: Record<Phase, string> = { Succeeded: "Succeeded", Failed: "Failed", Error: "Errored", Skipped: "Skipped" };

export const statusParam = (task: string) => `status-${task}`;
export const caseParam = (task: string) => `case-${task}`;

export function statusRef(task: string, refs: Refs): string {
  return refs.local(task) ? `{{tasks.${task}.status}}` : `{{inputs.parameters.${statusParam(task)}}}`;
}

export function caseRef(task: string, refs: Refs): string {
  return refs.local(task) ? `{{tasks.${task}.outputs.parameters.${PARAM.case}}}` : `{{inputs.parameters.${caseParam(task)}}}`;
}

/**
 * `depends` and `when` of a task with these incoming edge groups. A group whose edges are all in this
 * DAG goes into `depends` as an OR of results (and into `when` too if a switch edge is in it). A group
 * with an edge from an earlier part of a cut DAG goes into `when`, and its local edges into `depends`
 * only as "wait for it, unless it failed uncaught".
 */
export function condition(groups: InEdge[][], refs: Refs): Condition {
  const depends: string[] = [];
  const waits = new Map<string, string>();
  const when: string[] = [];
  for (const g of groups) {
    if (g.every((e) => refs.local(e.from))) {
      depends.push(any(g.map(result)));
      if (g.some((e) => e.cases)) when.push(any(g.map((e) => fired(e, refs))));
    } else {
      for (const e of g) if (refs.local(e.from)) waits.set(e.from, waitFor(e));
      when.push(any(g.map((e) => fired(e, refs))));
    }
  }
  const d = [...depends, ...waits.values()];
  return { ...(d.length ? { depends: all(d) } : {}), ...(when.length ? { when: all(when) } : {}) };
}

/** Wait for a task to finish; go on unless it failed in a way that stops the flow. */
export function waitFor(e: { from: string; accept: Phase[] }): string {
  const t = e.from;
  return e.accept.includes("Failed") ? `(${t}.Succeeded || ${t}.Failed || ${t}.Errored || ${t}.Skipped || ${t}.Omitted)` : `!${t}.Failed && !${t}.Errored`;
}

function result(e: InEdge): string {
  return any(e.accept.map((p) => `${e.from}.${RESULT[p]}`));
}

function fired(e: InEdge, refs: Refs): string {
  if (e.cases) return any(e.cases.map((c) => `'${caseRef(e.from, refs)}' == '${c}'`));
  return any(e.accept.map((p) => `'${statusRef(e.from, refs)}' == '${p}'`));
}

const any = (xs: string[]) => (xs.length === 1 ? xs[0]! : xs.map(paren).join(" || "));
const all = (xs: string[]) => (xs.length === 1 ? xs[0]! : xs.map(paren).join(" && "));
/** Parenthesize a compound term so that joining it keeps its meaning; a single term stays bare. */
const paren = (x: string) => (/\|\||&&/.test(x) && !/^\([^()]*\)$/.test(x) ? `(${x})` : x);
