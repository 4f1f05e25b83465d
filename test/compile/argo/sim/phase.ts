/**
 * How the Argo controller decides a finished DAG's phase (workflow/controller/dag.go,
 * assessDAGPhase), over the node tree the simulation built:
 *
 * - Only the DAG's target tasks count: with no `dag.target`, its leaves (tasks no other task depends
 *   on). A leaf that was Skipped or Omitted has no phase of its own: it takes its branch's.
 * - The branch phase is found by a breadth-first walk from the DAG node's children down the child
 *   links, starting as Succeeded; every node that completed (Succeeded, Failed, Error) sets it to its
 *   own phase, Skipped and Omitted nodes pass on the one they were reached with. A node reached along
 *   several branches is visited once per distinct phase, and a leaf keeps Failed/Error over Succeeded.
 *   A Retry node passes its phase to the children of its attempts (where dependents hang).
 * - The DAG fails with the first failed leaf's phase (failFast, the default); otherwise it succeeded.
 *
 * So a failure fails the DAG only if it reaches a leaf through tasks that did not run; a leaf that
 * ran and succeeded hides every failure before it. That is what a DAG cut into parts must respect.
 */
import type { ArgoNode, Phase } from "./argo.ts";

const completed = (p: Phase) => p === "Succeeded" || p === "Failed" || p === "Error";
const failedOrError = (p: Phase | "") => p === "Failed" || p === "Error";

export function assessDagPhase(boundary: ArgoNode, targets: string[], nodes: Map<string, ArgoNode>): Phase {
  const node = (id: string) => nodes.get(id)!;
  const targetPhase = new Map<string, Phase | "">(targets.map((t) => [t, ""]));
  const seen = new Set<string>();
  const queue: { id: string; phase: Phase }[] = [];
  const add = (ids: string[], phase: Phase) => {
    for (const id of ids) {
      const key = `${id}-${phase}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ id, phase });
    }
  };
  add(boundary.children, "Succeeded");
  while (queue.length) {
    const curr = queue.shift()!;
    const n = node(curr.id);
    const branch = completed(n.phase) ? n.phase : curr.phase;
    if (targetPhase.has(n.id) && !failedOrError(targetPhase.get(n.id)!)) targetPhase.set(n.id, branch);
    add(n.type === "Retry" ? retryChildren(n, node) : n.children, branch);
  }
  for (const t of targets) {
    const p = targetPhase.get(t)!;
    if (p === "") throw new Error(`leaf ${node(t).name} was never reached: the DAG would stay Running`);
    if (failedOrError(p)) return p;
  }
  return "Succeeded";
}

/** getRetryNodeChildrenIds: the attempts themselves do not count, their children do. */
function retryChildren(n: ArgoNode, node: (id: string) => ArgoNode): string[] {
  return [...n.children].reverse().flatMap((a) => node(a).children);
}
