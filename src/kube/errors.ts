/**
 * One error type for every Kubernetes call. client-node 1.4.0 rejects with an ApiException whose body
 * is the raw Status text, or with node-fetch's FetchError for connection faults; deploy code needs the
 * status, the Status `reason`, the causes (field-manager conflicts list the fields there) and
 * Retry-After, whatever the failure looked like.
 */
export interface KubeCause {
  reason?: string;
  message?: string;
  field?: string;
}

export class KubeError extends Error {
  constructor(
    /** What was being done, e.g. "apply WorkflowTemplate ml/train-prod". */
    readonly op: string,
    /** HTTP status; 0 when no response arrived (connection reset or refused). */
    readonly status: number,
    readonly detail: string,
    readonly reason?: string,
    readonly causes: KubeCause[] = [],
    readonly retryAfterMs?: number,
    readonly networkCode?: string,
  ) {
    super(`${op}: ${status ? `${status}${reason ? ` ${reason}` : ""}: ` : ""}${detail}`);
    this.name = "KubeError";
  }

  get notFound() {
    return this.status === 404;
  }
  get alreadyExists() {
    return this.status === 409 && this.reason === "AlreadyExists";
  }
  /** A server-side apply conflict with another field manager. */
  get fieldConflict() {
    return this.status === 409 && this.causes.some((c) => c.reason === "FieldManagerConflict");
  }
  /** A resourceVersion precondition failed: someone wrote the object since we read it. */
  get stale() {
    return this.status === 409 && !this.alreadyExists && !this.fieldConflict;
  }
}

interface Thrown {
  name?: string;
  code?: number | string;
  body?: unknown;
  headers?: Record<string, string>;
  message?: string;
}

export function toKubeError(e: unknown, op: string): KubeError {
  if (e instanceof KubeError) return e;
  const t = (e ?? {}) as Thrown;
  if (typeof t.code === "number") {
    const status = parseStatus(t.body);
    const retryAfter = Number(t.headers?.["retry-after"] ?? status?.details?.retryAfterSeconds);
    return new KubeError(
      op,
      t.code,
      status?.message ?? (t.code === 401 ? "unauthorized: the kubeconfig's credentials were refused" : t.code === 403 ? "forbidden" : `HTTP ${t.code}`),
      status?.reason,
      status?.details?.causes ?? [],
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
  const code = typeof t.code === "string" ? t.code : undefined;
  return new KubeError(op, 0, `${t.message ?? String(e)}`, undefined, [], undefined, code ?? t.name);
}

function parseStatus(body: unknown): { message?: string; reason?: string; details?: { causes?: KubeCause[]; retryAfterSeconds?: number } } | undefined {
  if (body && typeof body === "object") return body as never;
  if (typeof body !== "string" || !body) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as never) : undefined;
  } catch {
    return { message: body.slice(0, 500) };
  }
}

/**
 * Worth retrying: throttling, server errors and lost connections. Two 500s are permanent on a real
 * cluster (an undeclared field in an apply, an object over etcd's limit), and retrying them only
 * delays the message.
 */
export function isTransientKube(e: unknown): boolean {
  if (!(e instanceof KubeError)) return false;
  if (e.status === 0) return true;
  if (e.status === 429) return true;
  if (e.status >= 500) return !/^failed to create typed patch object|etcdserver: request is too large/.test(e.detail);
  return false;
}
