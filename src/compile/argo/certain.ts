import type { Graph, GraphNode } from "../../graph/types.ts";

/**
 * The steps of one scope (the top level, or a foreach body) that lie inside a switch's branches: those
 * a run can skip without anything having failed. Every other step of the scope runs in every run
 * without an uncaught failure, so if one of them did not run, something before it failed; parts.ts
 * relies on that to tell a failure from a branch not taken.
 *
 * A switch's branches are what lies between it and its immediate post-dominator (where every path
 * from it meets again: the step its branches merge into, or the end of the scope). Splits fork but
 * take every branch, so they make nothing conditional. Post-dominators of a DAG come later in flow
 * order, which gives the classic intersection walk (Cooper, Harvey, Kennedy) in one pass.
 */
export function conditionalSteps(scope: GraphNode[], graph: Graph): Set<string> {
  const EXIT = "";
  const inScope = new Set(scope.map((n) => n.step.name));
  const order = new Map(scope.map((n, i) => [n.step.name, i]));
  order.set(EXIT, Infinity);
  const succ = (n: GraphNode): string[] => {
    // A foreach step's scope successor is its join (the body is another scope); a step whose edges
    // leave the scope (a body's last step, `end`) leads to the scope's exit.
    const next = n.step.transition.kind === "foreach" ? [n.closedBy ?? EXIT] : n.children;
    const out = [...new Set(next.map((c) => (inScope.has(c) ? c : EXIT)))];
    return out.length ? out : [EXIT];
  };
  const ipdom = new Map<string, string>([[EXIT, EXIT]]);
  const meet = (a: string, b: string) => {
    while (a !== b) order.get(a)! < order.get(b)! ? (a = ipdom.get(a)!) : (b = ipdom.get(b)!);
    return a;
  };
  for (const n of [...scope].reverse()) ipdom.set(n.step.name, succ(n).reduce(meet));

  const conditional = new Set<string>();
  for (const s of scope) {
    if (s.step.transition.kind !== "switch") continue;
    const merge = ipdom.get(s.step.name)!;
    const todo = succ(s).filter((c) => c !== merge && c !== EXIT);
    while (todo.length) {
      const c = todo.pop()!;
      if (conditional.has(c)) continue;
      conditional.add(c);
      todo.push(...succ(graph.nodes.get(c)!).filter((x) => x !== merge && x !== EXIT));
    }
  }
  return conditional;
}
