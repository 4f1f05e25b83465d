import { randomBytes } from "node:crypto";
import { LABEL } from "../../contract/labels.ts";
import { encodeParamValue } from "../../contract/params.ts";
import type { KubeObject } from "../../kube/client.ts";
import { argoObjectNames } from "../../names/argo.ts";
import { resolveParams } from "../../contract/params.ts";
import { isScheduled, RUN_CONTEXT_PARAM, runContextInput } from "../../contract/run-context.ts";
import { KubeError } from "../../kube/errors.ts";
import { TAG } from "../ownership.ts";
import type { DeployContext, RunInfo, StartRequest, StartResult } from "../target.ts";
import type { Connection } from "./connect.ts";
import { desiredObjects } from "./desired.ts";
import { ArgoDeployError } from "./errors.ts";
import { runInfo } from "./runs.ts";

/** Marks one submission, so a retried create can find the Workflow its lost first attempt made. */
const SUBMISSION = "flowc.dev/submission";

/** Argo's own annotation for the tick of a Workflow a CronWorkflow created ({{workflow.scheduledTime}}). */
const SCHEDULED_TIME = "workflows.argoproj.io/scheduled-time";

/** A backfilled run is named as the CronWorkflow would name its run for that tick: one run per tick, whoever starts it. */
export const backfillName = (ctx: DeployContext, tick: Date) => `${argoObjectNames(ctx.compiled.flow.ir.name, ctx.compiled.env.name).cronWorkflow}-${Math.floor(tick.getTime() / 1000)}`;

/**
 * Starts a run: a Workflow that references the deployed WorkflowTemplate, as `argo submit --from`
 * does, with the run context in the `_flowc` argument. Parameters are checked against the flow
 * first (unknown names, types, required ones), exactly as `flowc run` checks them, so a typo fails
 * here and not in the first pod. A named start (backfill) creates that name or finds it taken.
 */
export async function submit(ctx: DeployContext, conn: Connection, req: StartRequest): Promise<StartResult> {
  const { ir } = ctx.compiled.flow;
  const env = ctx.compiled.env.name;
  const { values, problems } = resolveParams(ir.parameters, req.params, { strict: true });
  if (problems.length) throw new ArgoDeployError(problems.map((p) => p.message).join("\n"), `pass parameters as --param name=value; \`flowc validate ${ctx.compiled.flow.loaded.file}\` lists them`, "PARAM_INVALID");

  const template = desiredObjects(ctx.compiled, { namespace: conn.namespace, ownerToken: conn.owner }).find((o) => o.kind === "WorkflowTemplate")!;
  const name = template.metadata.name!;
  const live = await conn.client.get("WorkflowTemplate", name);
  if (!live) throw new ArgoDeployError(`${ir.name} is not deployed to ${env}: no WorkflowTemplate ${conn.namespace}/${name}`, `deploy it first: flowc deploy ${ctx.compiled.flow.loaded.file} --target argo --env ${env}`, "NOT_DEPLOYED");
  const deployedHash = live.metadata.labels?.[LABEL.hash];
  if (deployedHash && deployedHash !== template.metadata.labels?.[LABEL.hash])
    ctx.log.warn(`the deployed ${name} is another build of ${ir.name} than ${ctx.compiled.flow.loaded.file} (hash ${deployedHash.slice(0, 12)}); parameters were checked against the local file`);

  const ui = ctx.compiled.env.argo?.uiUrl;
  if (req.name) {
    const existing = await conn.client.get("Workflow", req.name);
    if (existing) return { run: runInfo(existing, conn.namespace, ui), existed: true };
  }
  const token = randomBytes(8).toString("hex");
  const parameters = [
    ...ir.parameters.filter((p) => values[p.name] !== undefined).map((p) => ({ name: p.name, value: encodeParamValue(values[p.name]!, p.type) })),
    { name: RUN_CONTEXT_PARAM, value: JSON.stringify(runContextInput(req.context)) },
  ];
  const workflow: KubeObject = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      ...(req.name ? { name: req.name } : { generateName: `${argoObjectNames(ir.name, env).runPrefix}-` }),
      namespace: conn.namespace,
      labels: { [TAG.flow]: ir.name, [TAG.env]: env, [LABEL.trigger]: req.context.trigger, [SUBMISSION]: token },
      ...(isScheduled(req.context.trigger) ? { annotations: { [SCHEDULED_TIME]: req.context.scheduledTime } } : {}),
    },
    spec: { workflowTemplateRef: { name }, arguments: { parameters } },
  };
  try {
    return { run: runInfo(await createOnce(conn, workflow, token), conn.namespace, ui), existed: false };
  } catch (e) {
    // Named: someone (the CronWorkflow itself, another backfill) created it between our look and our create.
    if (req.name && e instanceof KubeError && e.alreadyExists) {
      const existing = await conn.client.get("Workflow", req.name);
      if (existing) return { run: runInfo(existing, conn.namespace, ui), existed: true };
    }
    throw e;
  }
}

/** One Workflow of the namespace by name, or undefined. */
export async function workflowRun(ctx: DeployContext, conn: Connection, name: string): Promise<RunInfo | undefined> {
  const wf = await conn.client.get("Workflow", name);
  return wf ? runInfo(wf, conn.namespace, ctx.compiled.env.argo?.uiUrl) : undefined;
}

/**
 * A `generateName` create is not idempotent: if the answer is lost, the Workflow may exist and a
 * blind retry would start the flow twice. Before each retry, look for the submission's label.
 */
async function createOnce(conn: Connection, workflow: KubeObject, token: string): Promise<KubeObject> {
  let attempt = 0;
  return conn.client.retrying(async () => {
    if (attempt++ > 0) {
      const [made] = await conn.client.list("Workflow", `${SUBMISSION}=${token}`);
      if (made) return made;
    }
    return conn.client.create(workflow);
  });
}
