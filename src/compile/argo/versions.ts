import type { FlowIR } from "../../flow/ir.ts";
import type { Graph, GraphNode } from "../../graph/types.ts";
import { conditionalSteps } from "./certain.ts";
import { ownerOf } from "./dag.ts";
import type { ArgoNeeds } from "../../contract/argo-versions.ts";

/** What of Argo this flow's output relies on that some versions lack; deploy judges the cluster's version against it (src/contract/argo-versions.ts). */
export function argoNeeds(ir: FlowIR, graph: Graph): ArgoNeeds {
  const scopes = new Map<string, GraphNode[]>();
  for (const s of graph.order) {
    const n = graph.nodes.get(s)!;
    scopes.set(ownerOf(n), [...(scopes.get(ownerOf(n)) ?? []), n]);
  }
  const conditional = new Set([...scopes.values()].flatMap((nodes) => [...conditionalSteps(nodes, graph)]));
  return {
    schedule: ir.schedule !== undefined,
    backoffCap: ir.steps.filter((s) => s.retry.times > 0 && s.retry.backoff.maxDelaySeconds !== undefined).map((s) => s.name),
    skippableSwitches: ir.steps.filter((s) => s.transition.kind === "switch" && conditional.has(s.name)).map((s) => s.name),
  };
}

