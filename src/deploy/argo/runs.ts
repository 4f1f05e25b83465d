import type { KubeObject } from "../../kube/client.ts";
import { TAG } from "../ownership.ts";
import type { DeployContext, RunInfo } from "../target.ts";
import type { Connection } from "./connect.ts";

/**
 * Runs of the flow in this environment: the Workflows labelled with it. Every way a run starts
 * carries the labels (the template's workflowMetadata, the CronWorkflow's, the Sensor's, trigger's),
 * so one label selector finds them all. Newest first.
 */
export async function listRuns(ctx: DeployContext, conn: Connection, limit: number, now = new Date()): Promise<RunInfo[]> {
  const selector = `${TAG.flow}=${ctx.compiled.flow.ir.name},${TAG.env}=${ctx.compiled.env.name}`;
  const all = await conn.client.list("Workflow", selector);
  const started = (o: KubeObject) => String((o.status as { startedAt?: string } | undefined)?.startedAt ?? o.metadata.creationTimestamp ?? "");
  return all
    .sort((a, b) => started(b).localeCompare(started(a)) || String(b.metadata.name).localeCompare(String(a.metadata.name)))
    .slice(0, limit)
    .map((o) => runInfo(o, conn.namespace, ctx.compiled.env.argo?.uiUrl, now));
}

interface WorkflowStatus {
  phase?: string;
  startedAt?: string;
  finishedAt?: string;
}

export function runInfo(wf: KubeObject, namespace: string, uiUrl: string | undefined, now = new Date()): RunInfo {
  const s = (wf.status ?? {}) as WorkflowStatus;
  const name = wf.metadata.name!;
  const startedAt = s.startedAt ?? undefined;
  const end = s.finishedAt ? Date.parse(s.finishedAt) : now.getTime();
  return {
    id: name,
    // A Workflow the controller has not picked up yet has no phase.
    status: s.phase || "Pending",
    ...(startedAt ? { startedAt } : {}),
    ...(s.finishedAt ? { stoppedAt: s.finishedAt } : {}),
    ...(startedAt ? { durationSeconds: Math.max(0, Math.round((end - Date.parse(startedAt)) / 1000)) } : {}),
    ...(uiUrl ? { link: `${uiUrl.replace(/\/+$/, "")}/workflows/${namespace}/${name}` } : {}),
    ...(wf.metadata.labels?.["flowc.dev/run-id"] && wf.metadata.labels["flowc.dev/run-id"] !== name ? { resumes: wf.metadata.labels["flowc.dev/run-id"] } : {}),
  };
}
