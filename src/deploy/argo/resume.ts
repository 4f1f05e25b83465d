import { LABEL } from "../../contract/labels.ts";
import { isRunId } from "../../contract/layout.ts";
import { RUN_CONTEXT_PARAM, type RunContextInput } from "../../contract/run-context.ts";
import type { KubeObject } from "../../kube/client.ts";
import { KubeError } from "../../kube/errors.ts";
import { TAG } from "../ownership.ts";
import type { DeployContext, ResumeRequest, ResumeResult } from "../target.ts";
import type { Connection } from "./connect.ts";
import { ArgoDeployError } from "./errors.ts";
import { runInfo } from "./runs.ts";

/** Resumed Workflows carry the run they continue; the first Workflow of a run is named by its run id. */
export const RUN_ID_LABEL = LABEL.runId;
const SCHEDULED_TIME = "workflows.argoproj.io/scheduled-time";
const FINISHED_OK = new Set(["Succeeded"]);
const RESUMABLE = new Set(["Failed", "Error"]);

/** `<run>-r<n>`, within Kubernetes' 63 characters. */
export const resumeName = (runId: string, n: number) => `${runId.slice(0, 63 - `-r${n}`.length)}-r${n}`;

type Param = { name: string; value?: string };

/**
 * `flowc resume` on Argo: a new Workflow from the deployed template, named `<run>-r<n>`, with the
 * run's parameters and the run context naming the run it continues (`_flowc.runId`), so its tasks
 * skip what the run finished. No Argo Server is needed (Argo's own retry is an API of the server).
 */
export async function resumeRun(ctx: DeployContext, conn: Connection, req: ResumeRequest): Promise<ResumeResult> {
  const { ir } = ctx.compiled.flow;
  const env = ctx.compiled.env.name;
  const ui = ctx.compiled.env.argo?.uiUrl;
  const list = `flowc runs ${ctx.compiled.flow.loaded.file} --target argo --env ${env}`;
  if (!isRunId(req.runId)) throw new ArgoDeployError(`${JSON.stringify(req.runId)} is not a run id`, `list the runs: ${list}`, "RUN_UNKNOWN");
  const first = await conn.client.get("Workflow", req.runId);
  if (!first) throw new ArgoDeployError(`no run ${req.runId} in namespace ${conn.namespace}`, `list the runs of this flow in ${env}: ${list}`, "RUN_UNKNOWN");
  const labels = first.metadata.labels ?? {};
  if (labels[TAG.flow] !== ir.name || labels[TAG.env] !== env)
    throw new ArgoDeployError(`run ${req.runId} is not a run of ${ir.name} in ${env} (it is ${labels[TAG.flow] ?? "not flowc's"}${labels[TAG.env] ? ` in ${labels[TAG.env]}` : ""})`, "name a run of this flow and environment", "RUN_ELSEWHERE");

  const resumes = (await conn.client.list("Workflow", `${RUN_ID_LABEL}=${req.runId}`)).filter((w) => /-r(\d+)$/.test(w.metadata.name ?? ""));
  const n = Math.max(0, ...resumes.map((w) => Number(/-r(\d+)$/.exec(w.metadata.name!)![1])));
  const latest = resumes.find((w) => w.metadata.name === resumeName(req.runId, n)) ?? first;
  const from = runInfo(latest, conn.namespace, ui);
  if (FINISHED_OK.has(from.status)) throw new ArgoDeployError(`run ${req.runId} succeeded${latest !== first ? ` (Workflow ${latest.metadata.name})` : ""}: there is nothing to resume`, "start a new run with flowc trigger", "RUN_NOT_RESUMABLE");
  if (!RESUMABLE.has(from.status)) throw new ArgoDeployError(`run ${req.runId} is still ${from.status} (Workflow ${latest.metadata.name})`, "wait for it to end, or stop it (argo stop); then resume it", "RUN_NOT_RESUMABLE");

  const given = ((first.spec as { arguments?: { parameters?: Param[] } } | undefined)?.arguments?.parameters ?? []) as Param[];
  const context = resumedContext(first, given);
  const parameters = [...given.filter((p) => p.name !== RUN_CONTEXT_PARAM), { name: RUN_CONTEXT_PARAM, value: JSON.stringify(context) }];
  const name = resumeName(req.runId, n + 1);
  const workflow: KubeObject = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      name,
      namespace: conn.namespace,
      labels: { [TAG.flow]: ir.name, [TAG.env]: env, [LABEL.trigger]: labels[LABEL.trigger] ?? "manual", [RUN_ID_LABEL]: req.runId },
      ...(first.metadata.annotations?.[SCHEDULED_TIME] ? { annotations: { [SCHEDULED_TIME]: first.metadata.annotations[SCHEDULED_TIME] } } : {}),
    },
    spec: { workflowTemplateRef: { name: (first.spec as { workflowTemplateRef?: { name: string } }).workflowTemplateRef?.name ?? "" }, arguments: { parameters } },
  };
  try {
    const created = await conn.client.create(workflow, { retry: true });
    return { how: "restarted", from, run: { ...runInfo(created, conn.namespace, ui), resumes: req.runId } };
  } catch (e) {
    if (e instanceof KubeError && e.alreadyExists) throw new ArgoDeployError(`run ${req.runId} is being resumed already (Workflow ${name} exists)`, `follow it: flowc runs ${ctx.compiled.flow.loaded.file} --target argo --env ${env}`, "RUN_NOT_RESUMABLE");
    throw e;
  }
}

/** What the run was for: its context as given, its scheduled time kept (a CronWorkflow's tick, else its creation). */
function resumedContext(first: KubeObject, given: Param[]): RunContextInput {
  let context: RunContextInput = {};
  try {
    context = JSON.parse(given.find((p) => p.name === RUN_CONTEXT_PARAM)?.value || "{}") as RunContextInput;
  } catch {
    context = {};
  }
  const scheduledTime = context.scheduledTime || first.metadata.annotations?.[SCHEDULED_TIME] || first.metadata.creationTimestamp;
  return { ...context, runId: first.metadata.name!, trigger: context.trigger ?? first.metadata.labels?.[LABEL.trigger] ?? "manual", ...(scheduledTime ? { scheduledTime } : {}) };
}
