import { formatVersion, judgeArgoVersion, parseArgoVersion, SUPPORTED_VERSIONS, type ArgoVersion } from "../../contract/argo-versions.ts";
import { KubeError } from "../../kube/errors.ts";
import type { DeployContext } from "../target.ts";
import type { Connection } from "./connect.ts";
import { ArgoDeployError } from "./errors.ts";

/** Where the controller is looked for when the environment does not say: the standard install's namespace, then the flow's (a namespaced install). */
export const CONTROLLER_NAMESPACE = "argo";

export type Found = { version: ArgoVersion; where: string } | { unknown: string };

/**
 * Which Argo Workflows the cluster runs, from the Kubernetes API: the Deployment whose container runs
 * the `workflow-controller` image (the release manifests' `workflow-controller`, Helm's
 * `<release>-workflow-controller`), its image tag or else its `app.kubernetes.io/version` label. One
 * LIST per namespace looked in: `argo.controllerNamespace`, else `argo` and the flow's namespace.
 */
export async function findArgoVersion(ctx: DeployContext, conn: Connection): Promise<Found> {
  const configured = ctx.compiled.env.argo?.controllerNamespace;
  const namespaces = configured ? [configured] : [...new Set([CONTROLLER_NAMESPACE, conn.namespace])];
  const denied: string[] = [];
  for (const ns of namespaces) {
    let deployments;
    try {
      deployments = await conn.client.listDeployments(ns);
    } catch (e) {
      if (e instanceof KubeError && e.status === 403) {
        denied.push(ns);
        continue;
      }
      throw e;
    }
    for (const d of deployments) {
      const image = d.images.find((i) => /(^|\/)workflow-controller(:|@|$)/.test(i));
      if (!image) continue;
      const tag = /:([^/@]+)(@.*)?$/.exec(image)?.[1];
      const version = (tag && parseArgoVersion(tag)) || parseArgoVersion(d.labels["app.kubernetes.io/version"] ?? "");
      if (version) return { version, where: `deployment ${ns}/${d.name}` };
      return { unknown: `deployment ${ns}/${d.name} runs ${image}, whose tag is no version` };
    }
  }
  const looked = namespaces.join(", ");
  if (denied.length) return { unknown: `you may not list Deployments in ${denied.join(", ")}` };
  return { unknown: `no Deployment running the workflow-controller image in ${looked}` };
}

/**
 * Judges the cluster's Argo Workflows version for this flow before anything is written: refuses one
 * that breaks what the flow uses (`strict`: deploy), and otherwise says what it found. `flowc diff`
 * passes `strict: false`: what a deploy would refuse becomes a warning.
 */
export async function checkArgoVersion(ctx: DeployContext, conn: Connection, strict: boolean): Promise<void> {
  const found = await findArgoVersion(ctx, conn);
  if ("unknown" in found) {
    ctx.log.warn(
      `could not tell which Argo Workflows this cluster runs (${found.unknown}), so flowc did not check it: it supports ${SUPPORTED_VERSIONS} (docs/argo-mapping.md)` +
        (ctx.compiled.env.argo?.controllerNamespace ? "" : "; set `argo.controllerNamespace` to where its workflow-controller runs"),
    );
    return;
  }
  const needs = ctx.compiled.result.argoNeeds ?? { schedule: false, backoffCap: [], skippableSwitches: [] };
  const verdict = judgeArgoVersion(found.version, needs);
  if (verdict.level === "supported") {
    ctx.log.info(`Argo Workflows ${formatVersion(found.version)} (${found.where})`);
    return;
  }
  if (verdict.level === "warn") {
    ctx.log.warn(`${verdict.reason} (${found.where})`);
    return;
  }
  const message = `${verdict.reasons.join("\n")}\n(${found.where}; flowc supports ${SUPPORTED_VERSIONS})`;
  if (!strict) {
    ctx.log.warn(`a deploy would be refused: ${message}`);
    return;
  }
  throw new ArgoDeployError(`refusing to deploy; nothing was changed:\n${message}`, `upgrade Argo Workflows to a supported version (docs/argo-mapping.md, "Argo versions"), or change the flow`);
}
