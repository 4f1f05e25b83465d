import type { ArgoClient, KubeObject } from "../../kube/client.ts";
import { KubeError } from "../../kube/errors.ts";
import { DEPLOYED_KINDS, deploymentSelector, type DeployedKind } from "./desired.ts";
import { ArgoDeployError } from "./errors.ts";

const INSTALL: Record<DeployedKind, string> = {
  WorkflowTemplate: "Argo Workflows",
  CronWorkflow: "Argo Workflows",
  Sensor: "Argo Events",
};

/**
 * Reads what is deployed: every object labelled as this flow+environment's deployment (one LIST per
 * kind; that is how a removed schedule's CronWorkflow is found), plus a GET of each desired name the
 * lists did not return, because an object of that name that flowc did not label must be seen (and
 * left alone), not overwritten. A redeploy of an unchanged flow costs three LISTs and nothing else.
 *
 * A kind the cluster does not serve (Argo Events not installed) holds nothing of ours; it is an
 * error only when the flow needs it, and then before anything is written.
 */
export async function readLive(client: ArgoClient, flow: string, env: string, desired: KubeObject[]): Promise<KubeObject[]> {
  const selector = deploymentSelector(flow, env);
  // One call at a time, in a fixed order: a deploy's calls are then the same sequence every time,
  // which is what the fault tests walk through.
  const out: KubeObject[] = [];
  for (const kind of DEPLOYED_KINDS) {
    try {
      out.push(...(await client.list(kind, selector)));
    } catch (e) {
      if (!(e instanceof KubeError && e.notFound && !/namespaces? ".*" not found/.test(e.detail))) throw e;
      const needed = desired.find((d) => d.kind === kind);
      if (needed)
        throw new ArgoDeployError(
          `the cluster does not serve ${kind} (argoproj.io/v1alpha1), which ${flow} needs for ${kind === "Sensor" ? "its triggers" : "its schedule"}`,
          `install ${INSTALL[kind]} on the cluster (docs/deploy-argo.md), or check the kubeconfig context`,
          "DEPLOY_PRECONDITION",
        );
    }
  }
  const seen = new Set(out.map((o) => `${o.kind}/${o.metadata.name}`));
  for (const d of desired) {
    if (seen.has(`${d.kind}/${d.metadata.name}`)) continue;
    const o = await client.get(d.kind as DeployedKind, d.metadata.name!);
    if (o) out.push(o);
  }
  return out;
}
