import type { NotifyTarget } from "../../config/types.ts";
import type { CompileInput, CompileProblem } from "../types.ts";
import { hasNotify, notifyFor } from "../notify.ts";
import { CONTAINER_NAME } from "./contract.ts";
import type { EnvVar, Template } from "./types.ts";

/** The exit handler's template: every Workflow of the flow runs it when it ends. */
export const NOTIFY_TEMPLATE = "flowc-notify";

/** What `flowc notify` reads from FLOWC_NOTIFY: the lists, each webhook's URL or the variable that holds it. */
export interface NotifySpec {
  flow: string;
  env: string;
  file?: string;
  /** The run's link, `{run}` standing for the Workflow's name. */
  link?: string;
  onFailure: { webhook?: string; webhookEnv?: string }[];
  onSuccess: { webhook?: string; webhookEnv?: string }[];
}

/**
 * Argo's side of notifications: an exit handler (`onExit`) that runs `flowc notify` with the
 * Workflow's status and failed nodes; it posts the same text Step Functions' EventBridge rule sends
 * to the environment's webhooks (a Kubernetes secret may hold a URL). SNS topics are Step Functions'.
 */
export function notifyTemplate(input: CompileInput, problems: CompileProblem[]): Template | undefined {
  const lists = notifyFor(input.env, input.ir.name);
  if (!hasNotify(lists)) return undefined;
  const env: EnvVar[] = [];
  // One warning per topic, whichever lists name it.
  const warned = new Set<string>();
  const webhook = (t: NotifyTarget): NotifySpec["onFailure"] => {
    if (t.kind === "sns") {
      if (warned.has(t.topicArn)) return [];
      warned.add(t.topicArn);
      problems.push({
        code: "TARGET_UNSUPPORTED",
        severity: "warning",
        message: `environment \`${input.env.name}\` notifies SNS topic ${t.topicArn}, which Argo runs do not reach: it is left out`,
        hint: "give Argo environments webhooks (notify: { onFailure: [{ webhook: ... }] })",
        path: [],
      });
      return [];
    }
    if ("url" in t) return [{ webhook: t.url }];
    const name = `FLOWC_NOTIFY_URL_${env.length + 1}`;
    env.push({ name, valueFrom: { secretKeyRef: { name: t.secret.name, key: t.secret.key } } });
    return [{ webhookEnv: name }];
  };
  const ui = input.env.argo?.uiUrl;
  const spec: NotifySpec = {
    flow: input.ir.name,
    env: input.env.name,
    ...(input.source ? { file: input.source } : {}),
    ...(ui ? { link: `${ui.replace(/\/+$/, "")}/workflows/${input.env.argo!.namespace}/{run}` } : {}),
    onFailure: lists.onFailure.flatMap(webhook),
    onSuccess: lists.onSuccess.flatMap(webhook),
  };
  if (spec.onFailure.length + spec.onSuccess.length === 0) return undefined;
  return {
    name: NOTIFY_TEMPLATE,
    container: {
      name: CONTAINER_NAME,
      // {{workflow.failures}} exists in exit handlers of runs that had failed nodes; flowc notify ignores it unresolved.
      command: ["flowc", "notify", "--status", "{{workflow.status}}", "--run", "{{workflow.name}}", "--failures", "{{workflow.failures}}", "--context", "{{workflow.parameters._flowc}}"],
      env: [{ name: "FLOWC_NOTIFY", value: JSON.stringify(spec) }, ...env],
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
    },
  };
}
