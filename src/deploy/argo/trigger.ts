import { randomBytes } from "node:crypto";
import { LABEL } from "../../contract/labels.ts";
import { encodeParamValue } from "../../contract/params.ts";
import type { KubeObject } from "../../kube/client.ts";
import { argoObjectNames } from "../../names/argo.ts";
import { resolveParams } from "../../contract/params.ts";
import { TAG } from "../ownership.ts";
import type { DeployContext, RunInfo } from "../target.ts";
import type { Connection } from "./connect.ts";
import { desiredObjects } from "./desired.ts";
import { ArgoDeployError } from "./errors.ts";
import { runInfo } from "./runs.ts";

/** Marks one submission, so a retried create can find the Workflow its lost first attempt made. */
const SUBMISSION = "flowc.dev/submission";

/**
 * Starts a run: a Workflow that references the deployed WorkflowTemplate, as `argo submit --from`
 * does. Parameters are checked against the flow first (unknown names, types, required ones), exactly
 * as `flowc run` checks them, so a typo fails here and not in the first pod.
 */
export async function submit(ctx: DeployContext, conn: Connection, given: Record<string, unknown>): Promise<RunInfo> {
  const { ir } = ctx.compiled.flow;
  const env = ctx.compiled.env.name;
  const { values, problems } = resolveParams(ir.parameters, given, { strict: true });
  if (problems.length) throw new ArgoDeployError(problems.map((p) => p.message).join("\n"), `pass parameters as --param name=value; \`flowc validate ${ctx.compiled.flow.loaded.file}\` lists them`);

  const template = desiredObjects(ctx.compiled, { namespace: conn.namespace, ownerToken: conn.owner }).find((o) => o.kind === "WorkflowTemplate")!;
  const name = template.metadata.name!;
  const live = await conn.client.get("WorkflowTemplate", name);
  if (!live) throw new ArgoDeployError(`${ir.name} is not deployed to ${env}: no WorkflowTemplate ${conn.namespace}/${name}`, `deploy it first: flowc deploy ${ctx.compiled.flow.loaded.file} --target argo --env ${env}`);
  const deployedHash = live.metadata.labels?.[LABEL.hash];
  if (deployedHash && deployedHash !== template.metadata.labels?.[LABEL.hash])
    ctx.log.warn(`the deployed ${name} is another build of ${ir.name} than ${ctx.compiled.flow.loaded.file} (hash ${deployedHash.slice(0, 12)}); parameters were checked against the local file`);

  const token = randomBytes(8).toString("hex");
  const parameters = ir.parameters.filter((p) => values[p.name] !== undefined).map((p) => ({ name: p.name, value: encodeParamValue(values[p.name]!, p.type) }));
  const workflow: KubeObject = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      generateName: `${argoObjectNames(ir.name, env).runPrefix}-`,
      namespace: conn.namespace,
      labels: { [TAG.flow]: ir.name, [TAG.env]: env, [LABEL.trigger]: "manual", [SUBMISSION]: token },
    },
    spec: { workflowTemplateRef: { name }, ...(parameters.length ? { arguments: { parameters } } : {}) },
  };
  const created = await createOnce(conn, workflow, token);
  return runInfo(created, conn.namespace, ctx.compiled.env.argo?.uiUrl);
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
