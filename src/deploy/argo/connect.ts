import { ArgoClient } from "../../kube/client.ts";
import { selectKubeTarget } from "../../kube/kubeconfig.ts";
import type { RetryOptions } from "../retry.ts";
import { ownerToken } from "../ownership.ts";
import type { DeployContext } from "../target.ts";
import { ArgoDeployError } from "./errors.ts";

/** What tests may swap: retry pacing (so a fault test does not sleep) and where a pod's service account is. */
export interface ArgoDeps {
  retry?: RetryOptions;
  serviceAccountDir?: string;
}

export interface Connection {
  client: ArgoClient;
  namespace: string;
  /** Owner token of this deployer (labels `flowc.dev/owner`). */
  owner: string;
  /** Who that token stands for, for messages. */
  identity: string;
}

/**
 * The cluster, context and namespace for one command. Context: --context, else the environment's
 * `argo.context`, else the kubeconfig's current context. Namespace: the environment's
 * `argo.namespace` (where the compiled objects say they live; `options.namespace` overrides it for
 * library callers), else the context's, else "default".
 */
export function connect(ctx: DeployContext, deps: ArgoDeps): Connection {
  const argo = ctx.compiled.env.argo;
  if (!argo) throw new ArgoDeployError(`environment \`${ctx.compiled.env.name}\` has no argo section`, "add `argo: { namespace: ... }` to it in flowc.config.yaml", "DEPLOY_PRECONDITION");
  const o = ctx.options;
  const context = o.context ?? argo.context;
  const target = selectKubeTarget({
    env: ctx.env,
    ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}),
    ...(context ? { context } : {}),
    ...(deps.serviceAccountDir ? { serviceAccountDir: deps.serviceAccountDir } : {}),
  });
  const namespace = o.namespace ?? argo.namespace ?? target.contextNamespace ?? "default";
  // --owner, else FLOWC_OWNER (a team or pipeline: the same from every machine), else the kubeconfig
  // user (in a pod: its service account), as on Step Functions.
  const identity = o.owner ?? ctx.env.FLOWC_OWNER ?? target.user;
  const client = new ArgoClient(target, namespace, {
    ...(deps.retry ? { retry: deps.retry } : {}),
    onRetry: (e, attempt, ms) => ctx.log.warn(`${e.message.split("\n")[0]} (retry ${attempt} in ${ms} ms)`),
  });
  return { client, namespace, owner: ownerToken(identity), identity };
}
