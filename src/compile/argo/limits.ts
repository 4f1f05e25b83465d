import type { CompileProblem } from "../types.ts";
import type { K8sObject } from "./types.ts";

/**
 * etcd refuses a request over 1.5 MiB, and the API server stores custom resources as JSON, so that
 * is the figure to check. `kubectl apply` without --server-side copies the whole object into an
 * annotation and halves the room (docs/argo-mapping.md).
 */
export const ARGO_LIMITS = { objectBytes: 1_572_864 } as const;

const fmt = (n: number) => n.toLocaleString("en-US");

/** Key order does not change the length, so plain JSON.stringify measures what the API server stores. */
export function objectBytes(obj: K8sObject): number {
  return Buffer.byteLength(JSON.stringify(obj));
}

export function checkObjectSize(obj: K8sObject, bytes: number, steps: number): CompileProblem[] {
  if (bytes <= ARGO_LIMITS.objectBytes) return [];
  return [
    {
      code: "LIMIT_EXCEEDED",
      message: `the ${obj.kind} ${obj.metadata.name} is ${fmt(bytes)} bytes; Kubernetes objects are limited to 1.5 MiB (${fmt(ARGO_LIMITS.objectBytes)} bytes, the etcd request limit)`,
      hint: `split the flow (${fmt(steps)} steps, about ${fmt(Math.round(bytes / Math.max(1, steps)))} bytes each), or shorten step environments and descriptions`,
      path: ["steps"],
    },
  ];
}
