/**
 * What a flow means, straight from the IR and the graph, independent of any target: which tasks
 * (step@index) run, given what each step does, and whether the run fails. The Argo simulation of the
 * compiled output must agree.
 *
 * A step runs when an edge into it fired: the parent ran and carried on (succeeded, or failed and was
 * caught) and, for a switch, chose a case that leads here. A split's join needs an edge from every
 * branch; a foreach's join runs once its foreach step carried on and no item of its body failed
 * uncaught. Any uncaught failure fails the run; branches that do not depend on it still run here
 * (they may, on a platform that lets running branches finish).
 */
import type { Graph, GraphNode } from "../../../../src/graph/types.ts";
import type { StepOutcome } from "./argo.ts";

export interface Expected {
  ran: string[];
  /** An uncaught failure happened: the run must end Failed. */
  failed: boolean;
}

export function expectedRun(graph: Graph, run: (step: string, index: string) => StepOutcome): Expected {
  const ran: string[] = [];
  let failed = false;
  const ownerOf = (n: GraphNode) => [...n.frames].reverse().find((f) => f.kind === "foreach")?.step ?? "";

  /** Runs one scope (the top level, or one item of a foreach body); false when something in it failed uncaught. */
  const runScope = (owner: string, index: string): boolean => {
    let clean = true;
    const fired = new Set<string>();
    const carried = new Set<string>();
    const steps = graph.order.filter((s) => ownerOf(graph.nodes.get(s)!) === owner);
    for (const name of steps) {
      const node = graph.nodes.get(name)!;
      if (!shouldRun(node, owner, fired, carried)) continue;
      ran.push(`${name}@${index}`);
      const out = run(name, index);
      const ok = out.phase === "Succeeded" || node.step.catch;
      if (!ok) {
        clean = false;
        continue;
      }
      const t = node.step.transition;
      if (t.kind === "foreach") {
        let itemsClean = true;
        for (const child of out.phase === "Succeeded" ? (out.foreach ?? []) : []) if (!runScope(name, child)) itemsClean = false;
        if (itemsClean) carried.add(name);
        else clean = false;
      } else if (t.kind === "switch") {
        carried.add(name);
        const chosen = out.phase === "Succeeded" ? out.case : undefined;
        for (const c of t.cases) if (c.value === chosen) fired.add(`${name}->${c.next}`);
      } else {
        carried.add(name);
        for (const child of node.children) fired.add(`${name}->${child}`);
      }
    }
    if (!clean) failed = true;
    return clean;
  };

  const shouldRun = (node: GraphNode, owner: string, fired: Set<string>, carried: Set<string>): boolean => {
    const name = node.step.name;
    if (node.parents.length === 0) return true;
    if (owner !== "" && node.parents.includes(owner)) return true; // the body's first step, once per item
    const opener = node.closes ? graph.nodes.get(node.closes)! : undefined;
    if (opener?.step.transition.kind === "foreach") return carried.has(opener.step.name);
    const firedFrom = (p: string) => fired.has(`${p}->${name}`);
    if (opener?.step.transition.kind === "split") {
      const branches = opener.step.transition.next;
      return branches.every((b, i) =>
        node.parents.some((p) => {
          if (p === opener.step.name) return b === name && firedFrom(p);
          const f = graph.nodes.get(p)!.frames.find((x) => x.kind === "split" && x.step === opener.step.name);
          return f?.kind === "split" && f.branch === i && firedFrom(p);
        }),
      );
    }
    return node.parents.some(firedFrom);
  };

  runScope("", "");
  return { ran, failed };
}

/** The tasks a run of the flow runs (see expectedRun). */
export const expectedRuns = (graph: Graph, run: (step: string, index: string) => StepOutcome): string[] => expectedRun(graph, run).ran;
