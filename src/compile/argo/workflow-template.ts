import type { ArgoConfig } from "../../config/types.ts";
import { ArgoNamer } from "../../names/argo.ts";
import { resolveSecrets } from "../secrets.ts";
import type { CompileInput, CompileProblem } from "../types.ts";
import { ALL_PARAMS, ARGO_MAX, CONTAINER_NAME, CREATED_AT, CRON_TIME, ENTRYPOINT, ENV } from "./contract.ts";
import { dagTemplates } from "./dag.ts";
import { objectMeta, runLabels, type Identity } from "./labels.ts";
import { workflowArguments } from "./params.ts";
import { NOTIFY_TEMPLATE, notifyTemplate } from "./notify.ts";
import { stepTemplates } from "./step-template.ts";
import type { K8sObject } from "./types.ts";

export const ARGO_API_VERSION = "argoproj.io/v1alpha1";

/**
 * The WorkflowTemplate: one DAG task per step, container templates shared by steps with the same
 * configuration, and what all pods share (service account, pull secrets, node selector,
 * tolerations, the FLOWC_* environment) set once at workflow level or in templateDefaults.
 */
export function workflowTemplate(input: CompileInput, argo: ArgoConfig, name: string, id: Identity, problems: CompileProblem[]): K8sObject {
  const { ir, graph, env, spec } = input;
  // One namer for tasks and templates: names are readable, unique and allocated in flow order.
  const namer = new ArgoNamer([ENTRYPOINT]);
  for (const s of graph.order) namer.name(s);
  const reported = new Set<string>();
  const steps = stepTemplates(graph.order.map((s) => graph.nodes.get(s)!.step), env.image, namer, problems, (s) => resolveSecrets(s, env, "argo", problems, reported));
  const dags = dagTemplates(graph, { namer, task: (s) => namer.name(s), template: steps.of });
  const notify = notifyTemplate(input, problems);
  const templates = [...dags, ...steps.templates, ...(notify ? [notify] : [])];
  if (templates.length > ARGO_MAX.templates)
    problems.push({
      code: "LIMIT_EXCEEDED",
      message: `the WorkflowTemplate needs ${templates.length} templates (${steps.templates.length} distinct step configurations, ${dags.length} DAGs); Argo v4 allows ${ARGO_MAX.templates}`,
      hint: "give more steps the same image, resources, environment, retry and timeout (they then share a template), or split the flow",
      path: ["steps"],
    });
  const args = workflowArguments(ir.parameters);
  return {
    apiVersion: ARGO_API_VERSION,
    kind: "WorkflowTemplate",
    // The Argo UI shows this annotation next to the template.
    metadata: objectMeta(name, id, argo, ir.description ? { "workflows.argoproj.io/description": ir.description } : {}),
    spec: {
      entrypoint: ENTRYPOINT,
      // Runs when every Workflow of the flow ends, whatever its phase: tells the environment's webhooks.
      ...(notify ? { onExit: NOTIFY_TEMPLATE } : {}),
      arguments: { parameters: args },
      ...(ir.timeoutSeconds ? { activeDeadlineSeconds: ir.timeoutSeconds } : {}),
      ...(argo.serviceAccount ? { serviceAccountName: argo.serviceAccount } : {}),
      ...(argo.imagePullSecrets.length ? { imagePullSecrets: argo.imagePullSecrets.map((n) => ({ name: n })) } : {}),
      ...(Object.keys(argo.nodeSelector).length ? { nodeSelector: argo.nodeSelector } : {}),
      ...(argo.tolerations.length ? { tolerations: argo.tolerations } : {}),
      // Workflows started from this template, and their pods, carry the flow's labels.
      workflowMetadata: { labels: runLabels(id) },
      podMetadata: { labels: runLabels(id) },
      templateDefaults: {
        container: {
          name: CONTAINER_NAME,
          ...(env.image ? { image: env.image } : {}),
          env: [
            { name: ENV.root, value: env.datastore },
            { name: ENV.spec, value: spec.key },
            { name: ENV.target, value: "argo" },
            // Every template declares the run context parameter, so {{workflow.parameters.json}} always exists.
            { name: ENV.params, value: ALL_PARAMS },
            { name: ENV.startedAt, value: CREATED_AT },
            { name: ENV.cronTime, value: CRON_TIME },
          ],
        },
      },
      templates,
    },
  };
}
