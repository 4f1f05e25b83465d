import { argoObjectNames, argoSensorName } from "../../names/argo.ts";
import { toJson, toYaml } from "../../render/serialize.ts";
import { buildManifest, manifestFile } from "../manifest.ts";
import { mergeUnder, template } from "../templates.ts";
import type { CompileInput, CompileProblem, CompileResult } from "../types.ts";
import { cronWorkflow } from "./cron-workflow.ts";
import { checkLabelValues, type Identity } from "./labels.ts";
import { checkObjectSize, objectBytes } from "./limits.ts";
import { sensors } from "./sensor.ts";
import { argoNeeds } from "./versions.ts";
import type { K8sObject } from "./types.ts";
import { workflowTemplate } from "./workflow-template.ts";

/**
 * Base documents under templates/argo/ (an organization's override folder replaces them by file name),
 * merged under what flowc generates: object.yaml under every object, then one file per kind.
 */
export const ARGO_TEMPLATE_FILES = {
  object: "argo/object.yaml",
  WorkflowTemplate: "argo/workflow-template.yaml",
  CronWorkflow: "argo/cron-workflow.yaml",
  Sensor: "argo/sensor.yaml",
} as const;

/**
 * Compiles a flow to Argo: `<name>.argo.yaml` (WorkflowTemplate, then a CronWorkflow when the flow is
 * scheduled, then a Sensor, or several, when it has triggers) and `<name>.manifest.json`. Pure: everything comes
 * from the input. Nothing is emitted while there are errors.
 */
export function compileArgo(input: CompileInput): CompileResult {
  const { ir, env } = input;
  const problems: CompileProblem[] = [];
  const yamlName = `${ir.name}.argo.yaml`;
  const argo = env.argo;
  if (!argo) {
    problems.push({
      code: "CONFIG_INVALID",
      message: `environment \`${env.name}\` has no \`argo\` section`,
      hint: "add `argo: { namespace: ... }` to the environment in flowc.config.yaml",
      path: [],
    });
    return { files: [], primary: yamlName, manifest: buildManifest(input, "argo", {}, {}), problems };
  }

  // Built first for its content hash (hashing a large IR is not free); resources and stats come last.
  const manifest = buildManifest(input, "argo", {}, {});
  const id: Identity = { flow: ir.name, env: env.name, contentHash: manifest.contentHash };
  problems.push(...checkLabelValues(id));
  const names = argoObjectNames(ir.name, env.name);
  const generated: K8sObject[] = [workflowTemplate(input, argo, names.workflowTemplate, id, problems)];
  if (ir.schedule) {
    const cron = cronWorkflow(ir, ir.schedule, argo, { cron: names.cronWorkflow, template: names.workflowTemplate }, id, problems);
    if (cron) generated.push(cron);
  }
  generated.push(...sensors(ir, argo, { sensor: (k) => argoSensorName(ir.name, env.name, k), template: names.workflowTemplate, runPrefix: names.runPrefix }, id, problems));

  const objects = generated.map((o) => withBase(o, env.templates));
  const sizes = objects.map(objectBytes);
  objects.forEach((o, i) => problems.push(...checkObjectSize(o, sizes[i]!, ir.steps.length)));

  const failed = problems.some((p) => (p.severity ?? "error") === "error");
  // Nothing is written when there are errors, so the text is not built either.
  const content = failed ? "" : toYaml(objects);
  // One name per kind; a list for a kind with several objects (Sensors, when triggers share an event).
  const byKind = new Map<string, string[]>();
  for (const o of objects) byKind.set(o.kind, [...(byKind.get(o.kind) ?? []), o.metadata.name!]);
  manifest.resources = { [yamlName]: Object.fromEntries([["namespace", argo.namespace], ...[...byKind].map(([k, ns]) => [k, ns.length === 1 ? ns[0]! : ns])]) };
  manifest.stats = {
    steps: ir.steps.length,
    templates: ((objects[0]!.spec.templates as unknown[]) ?? []).length,
    bytes: Buffer.byteLength(content),
    bytesPerStep: Math.round(Buffer.byteLength(content) / Math.max(1, ir.steps.length)),
    maxObjectBytes: Math.max(...sizes),
  };
  if (failed) return { files: [], primary: yamlName, manifest, problems };
  return {
    files: [
      { name: yamlName, content },
      { name: manifestFile(ir.name), content: toJson(manifest) },
    ],
    primary: yamlName,
    manifest,
    problems,
    argoNeeds: argoNeeds(ir, input.graph),
  };
}

/** templates/argo/object.yaml, then the kind's own file, under the generated object. */
function withBase(obj: K8sObject, templates: Record<string, unknown>): K8sObject {
  const kindFile = ARGO_TEMPLATE_FILES[obj.kind as keyof typeof ARGO_TEMPLATE_FILES];
  const base = mergeUnder(template(templates, ARGO_TEMPLATE_FILES.object), template(templates, kindFile) ?? {});
  return mergeUnder(base, obj);
}
