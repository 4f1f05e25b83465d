// Writes to the double as someone other than flowc would (kubectl edit, another tool): a merge
// patch under a field manager of our choosing, through the same client flowc uses.

import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { World } from "./setup.ts";

const PLURAL: Record<string, string> = { WorkflowTemplate: "workflowtemplates", CronWorkflow: "cronworkflows", Sensor: "sensors", Workflow: "workflows" };

export async function editAs(w: World, manager: string, kind: string, namespace: string, name: string, patch: Record<string, unknown>): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(w.kubeconfig);
  const api = kc.makeApiClient(CustomObjectsApi);
  await api.patchNamespacedCustomObject(
    { group: "argoproj.io", version: "v1alpha1", namespace, plural: PLURAL[kind]!, name, body: patch, fieldManager: manager },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}
