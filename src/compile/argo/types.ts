/**
 * The parts of Argo Workflows and Argo Events objects that flowc writes, typed so that a typo is a
 * compile error rather than a silently ignored field. Field names follow Argo v4
 * (argoproj.io/v1alpha1); tests validate every document against the published schema.
 */

export interface ArgoParameter {
  name: string;
  value?: string;
  default?: string;
  enum?: string[];
  description?: string;
  valueFrom?: { path: string; default?: string };
}

/** A container variable: a value, or (secrets) a reference to a Kubernetes Secret's key. */
export type EnvVar = { name: string; value: string } | { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  env?: EnvVar[];
  resources?: { requests: Record<string, string>; limits: Record<string, string> };
}

export interface RetryStrategy {
  limit: number;
  retryPolicy: "Always";
  expression?: string;
  backoff: { duration: string; factor: number | string; cap?: string; maxDuration?: string };
}

export interface DagTask {
  name: string;
  template: string;
  depends?: string;
  when?: string;
  withParam?: string;
  arguments?: { parameters: ArgoParameter[] };
}

export interface Template {
  name: string;
  parallelism?: number;
  inputs?: { parameters: ArgoParameter[] };
  outputs?: { parameters: ArgoParameter[] };
  retryStrategy?: RetryStrategy;
  activeDeadlineSeconds?: number;
  container?: Container;
  dag?: { tasks: DagTask[] };
  /** A node that runs no pod and finishes at once: flowc's gates (see dag.ts). */
  suspend?: { duration: string };
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Kubernetes object as flowc emits it: apiVersion, kind, metadata, spec. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
}
