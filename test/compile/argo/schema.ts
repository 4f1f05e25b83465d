/**
 * Schema checks for compiled documents. Argo Workflows kinds are validated by
 * @kubernetes-models/argo-workflows (Argo v4) with unknown fields rejected, and Sensors by the Argo
 * Events schema, both through the Kubernetes API double's validation module (test/k8s/validate.ts),
 * so that compile tests and deploy tests judge documents the same way. ObjectMeta is checked as the
 * API server would (DNS-1123 names, label keys and values).
 */
import { validateMetadata, validateObject } from "../../k8s/validate.ts";
import type { JsonObject } from "../../k8s/json.ts";
import type { Obj } from "./helpers.ts";

export interface SchemaReport {
  kind: string;
  name: string;
  problems: string[];
}

export function checkSchema(doc: Obj): SchemaReport {
  const v = validateObject(doc.kind, doc as JsonObject);
  const meta = validateMetadata(doc.metadata as JsonObject);
  return {
    kind: doc.kind,
    name: doc.metadata?.name,
    problems: [...v.causes.map((c) => `${c.field}: ${c.message}`), ...v.unknown.map((u) => `${u}: unknown field`), ...meta.map((c) => `${c.field}: ${c.message}`)],
  };
}
