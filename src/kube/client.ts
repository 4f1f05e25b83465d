import { AppsV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { withRetry, type RetryOptions } from "../deploy/retry.ts";
import { isTransientKube, KubeError, toKubeError } from "./errors.ts";
import type { KubeTarget } from "./kubeconfig.ts";
import type { ObjectMeta as GeneratedMeta } from "../compile/argo/types.ts";

/** A Kubernetes object as JSON; flowc only handles Argo custom resources, which are plain maps. */
export type KubeObject = { apiVersion: string; kind: string; metadata: ObjectMeta; [k: string]: unknown };
/** What the compiler writes, plus what the API server adds. */
export interface ObjectMeta extends GeneratedMeta {
  resourceVersion?: string;
  uid?: string;
  creationTimestamp?: string;
  managedFields?: ManagedFieldsEntry[];
  [k: string]: unknown;
}
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: "Apply" | "Update";
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
}

export type ArgoKind = "WorkflowTemplate" | "CronWorkflow" | "Sensor" | "Workflow";
const GROUP = "argoproj.io";
const VERSION = "v1alpha1";
const PLURAL: Record<ArgoKind, string> = { WorkflowTemplate: "workflowtemplates", CronWorkflow: "cronworkflows", Sensor: "sensors", Workflow: "workflows" };

/** The one field manager flowc applies as; its managedFields entry is how a no-op is recognised. */
export const FIELD_MANAGER = "flowc";

export interface KubeClientOptions {
  retry?: RetryOptions;
  /** Longest Retry-After honoured; a server asking for more gets this. */
  maxRetryAfterMs?: number;
  onRetry?: (e: KubeError, attempt: number, delayMs: number) => void;
}

/**
 * The calls deploy makes on Argo's custom resources in one namespace, each retried on throttling,
 * 5xx and lost connections. Every write here is safe to repeat (server-side apply is idempotent, a
 * delete of a missing object is a success), except `create`, whose caller decides.
 */
export class ArgoClient {
  private readonly api: CustomObjectsApi;
  private apps?: AppsV1Api;
  /** Requests sent, retries included, by operation ("list WorkflowTemplate", "apply Sensor", ...). */
  readonly operations: Record<string, number> = {};

  constructor(
    readonly target: KubeTarget,
    readonly namespace: string,
    private readonly opts: KubeClientOptions = {},
  ) {
    this.api = target.kc.makeApiClient(CustomObjectsApi);
  }

  private where(kind: string, name?: string) {
    return `${kind} ${this.namespace}/${name ?? ""}`.replace(/\/$/, "");
  }

  /** Runs one call, retrying transient failures; `retry: false` for calls that are not idempotent. */
  async call<T>(op: string, fn: () => Promise<T>, retry = true): Promise<T> {
    const counted = op.split(" ").slice(0, 2).join(" ");
    const once = async () => {
      this.operations[counted] = (this.operations[counted] ?? 0) + 1;
      try {
        return await fn();
      } catch (e) {
        throw toKubeError(e, op);
      }
    };
    return retry ? this.retrying(once) : once();
  }

  /** Retries `fn` (whose errors are KubeErrors) on transient failures, honouring Retry-After. */
  retrying<T>(fn: () => Promise<T>): Promise<T> {
    const maxAfter = this.opts.maxRetryAfterMs ?? 30_000;
    return withRetry(fn, {
      attempts: 6,
      baseMs: 250,
      maxMs: 8_000,
      ...this.opts.retry,
      isRetryable: isTransientKube,
      delayFor: (e, ms) => (e instanceof KubeError && e.retryAfterMs !== undefined ? Math.min(maxAfter, e.retryAfterMs) : ms),
      onRetry: (e, attempt, ms) => this.opts.onRetry?.(e as KubeError, attempt, ms),
    });
  }

  /** The figures a deploy reports: requests sent, reads and writes apart (dry-run writes count as writes sent). */
  calls(): { reads: number; writes: number; operations: Record<string, number> } {
    let reads = 0;
    let writes = 0;
    for (const [op, n] of Object.entries(this.operations)) /^(get|list) /.test(op) ? (reads += n) : (writes += n);
    return { reads, writes, operations: { ...this.operations } };
  }

  private base(kind: ArgoKind) {
    return { group: GROUP, version: VERSION, namespace: this.namespace, plural: PLURAL[kind] };
  }

  async get(kind: ArgoKind, name: string): Promise<KubeObject | undefined> {
    try {
      return (await this.call(`get ${this.where(kind, name)}`, () => this.api.getNamespacedCustomObject({ ...this.base(kind), name }))) as KubeObject;
    } catch (e) {
      if (e instanceof KubeError && e.notFound) return undefined;
      throw e;
    }
  }

  async list(kind: ArgoKind, labelSelector: string): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    let cont: string | undefined;
    do {
      const page = (await this.call(`list ${kind} ${this.namespace} (${labelSelector})`, () =>
        this.api.listNamespacedCustomObject({ ...this.base(kind), labelSelector, limit: 250, ...(cont ? { _continue: cont } : {}) }),
      )) as { items?: KubeObject[]; metadata?: { continue?: string } };
      // Items of a list may omit apiVersion and kind; the list's kind says what they are.
      out.push(...(page.items ?? []).map((o) => ({ ...o, apiVersion: o.apiVersion ?? `${GROUP}/${VERSION}`, kind: o.kind ?? kind })));
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return out;
  }

  /**
   * The Deployments of a namespace, as plain objects (name, labels, container images): how deploy
   * finds which Argo controller a cluster runs. Any namespace, not only this client's.
   */
  async listDeployments(namespace: string): Promise<{ name: string; labels: Record<string, string>; images: string[] }[]> {
    const apps = (this.apps ??= this.target.kc.makeApiClient(AppsV1Api));
    const out: { name: string; labels: Record<string, string>; images: string[] }[] = [];
    let cont: string | undefined;
    do {
      const page = await this.call(`list Deployment ${namespace}`, () => apps.listNamespacedDeployment({ namespace, limit: 250, ...(cont ? { _continue: cont } : {}) }));
      for (const d of page.items ?? [])
        out.push({ name: d.metadata?.name ?? "", labels: d.metadata?.labels ?? {}, images: (d.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? "") });
      cont = page.metadata?._continue || undefined;
    } while (cont);
    return out;
  }

  /** Server-side apply as `flowc`. Creates the object when missing. */
  async apply(obj: KubeObject, o: { force?: boolean; dryRun?: boolean } = {}): Promise<KubeObject> {
    const kind = obj.kind as ArgoKind;
    const name = obj.metadata.name!;
    return (await this.call(`apply ${this.where(kind, name)}`, () =>
      this.api.patchNamespacedCustomObject(
        { ...this.base(kind), name, body: obj, fieldManager: FIELD_MANAGER, ...(o.force ? { force: true } : {}), ...(o.dryRun ? { dryRun: "All" } : {}) },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      ),
    )) as KubeObject;
  }

  /** POST; not retried by default (a `generateName` create that lost its answer may have happened). */
  async create(obj: KubeObject, o: { dryRun?: boolean; retry?: boolean } = {}): Promise<KubeObject> {
    const kind = obj.kind as ArgoKind;
    return (await this.call(
      `create ${this.where(kind, obj.metadata.name ?? `${obj.metadata.generateName ?? ""}*`)}`,
      () => this.api.createNamespacedCustomObject({ ...this.base(kind), body: obj, fieldManager: FIELD_MANAGER, ...(o.dryRun ? { dryRun: "All" } : {}) }),
      o.retry ?? false,
    )) as KubeObject;
  }

  /**
   * Deletes one object; false when it was already gone (also after a retry whose first attempt did
   * delete it). `resourceVersion` makes it conditional: nothing is deleted that changed since it was read.
   */
  async delete(kind: ArgoKind, name: string, o: { resourceVersion?: string; dryRun?: boolean } = {}): Promise<boolean> {
    try {
      await this.call(`delete ${this.where(kind, name)}`, () =>
        this.api.deleteNamespacedCustomObject({
          ...this.base(kind),
          name,
          ...(o.dryRun ? { dryRun: "All" } : {}),
          ...(o.resourceVersion ? { body: { preconditions: { resourceVersion: o.resourceVersion } } } : {}),
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof KubeError && e.notFound) return false;
      throw e;
    }
  }
}
