import { parseAllDocuments } from "yaml";
import type { CompiledFlow } from "../../compile/pipeline.ts";
import type { ArgoKind, KubeObject } from "../../kube/client.ts";
import { FLOWC_VERSION } from "../../version.ts";
import { TAG } from "../ownership.ts";

/** The kinds deploy manages, in the order they are applied (deletes run in reverse). */
export const DEPLOYED_KINDS = ["WorkflowTemplate", "CronWorkflow", "Sensor"] as const satisfies readonly ArgoKind[];
export type DeployedKind = (typeof DEPLOYED_KINDS)[number];

/** `flowc.dev/managed-by=flowc,flowc.dev/flow=F,flowc.dev/env=E`: everything one deployment is. */
export function deploymentSelector(flow: string, env: string): string {
  return `${TAG.managedBy}=flowc,${TAG.flow}=${flow},${TAG.env}=${env}`;
}

/**
 * The objects a deploy applies, read from the compiled bundle (`<flow>.argo.yaml`, so what is
 * deployed is byte for byte what `flowc compile` shows) with what only deploy knows added: the
 * namespace it deploys to, who owns the deployment and that flowc manages it.
 */
export function desiredObjects(compiled: CompiledFlow, o: { namespace: string; ownerToken: string }): KubeObject[] {
  const file = compiled.result.files.find((f) => f.name.endsWith(".argo.yaml"));
  if (!file) throw new Error(`the argo bundle of ${compiled.flow.ir.name} has no .argo.yaml file`);
  const docs = parseAllDocuments(file.content).map((d) => {
    if (d.errors.length) throw new Error(`${file.name}: ${d.errors[0]!.message}`);
    return prune(d.toJS()) as KubeObject;
  });
  const objects = docs.filter((d) => d && (DEPLOYED_KINDS as readonly string[]).includes(d.kind));
  const ignored = docs.filter((d) => !objects.includes(d));
  if (ignored.length) throw new Error(`${file.name}: unexpected ${ignored.map((d) => d?.kind).join(", ")} (deploy applies ${DEPLOYED_KINDS.join(", ")})`);
  objects.sort((a, b) => DEPLOYED_KINDS.indexOf(a.kind as DeployedKind) - DEPLOYED_KINDS.indexOf(b.kind as DeployedKind));
  return objects.map((obj) => withDeployMetadata(obj, compiled, o));
}

function withDeployMetadata(obj: KubeObject, compiled: CompiledFlow, o: { namespace: string; ownerToken: string }): KubeObject {
  const labels = {
    ...obj.metadata.labels,
    // The compiler sets these too; set here as well, since deploy finds its objects by them.
    [TAG.flow]: compiled.flow.ir.name,
    [TAG.env]: compiled.env.name,
    [TAG.managedBy]: "flowc",
    [TAG.owner]: o.ownerToken,
  };
  // An annotation, not a label: a version such as 1.2.0+build.5 is no valid label value.
  const annotations = { ...obj.metadata.annotations, [TAG.version]: FLOWC_VERSION };
  const out: KubeObject = { ...obj, metadata: { ...obj.metadata, namespace: o.namespace, labels: sortKeys(labels), annotations: sortKeys(annotations) } };
  return obj.kind === "Sensor" ? retargetSensor(out, o.namespace) : out;
}

/** A Sensor submits its Workflows into the namespace written in the trigger; keep it with the deploy's. */
function retargetSensor(sensor: KubeObject, namespace: string): KubeObject {
  const spec = sensor.spec as { triggers?: { template?: { argoWorkflow?: { source?: { resource?: { metadata?: { namespace?: string } } } } } }[] };
  for (const t of spec.triggers ?? []) {
    const meta = t.template?.argoWorkflow?.source?.resource?.metadata;
    if (meta?.namespace) meta.namespace = namespace;
  }
  return sensor;
}

/** The API server drops nulls from custom resources; comparing with them in would never match. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => [k, prune(x)]));
  return v;
}

const sortKeys = (o: Record<string, string>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
