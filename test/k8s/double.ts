// A Kubernetes API double for tests: an in-process HTTP server on 127.0.0.1 serving
// the Argo custom resources flowc deploys (argoproj.io/v1alpha1 WorkflowTemplate,
// CronWorkflow, Workflow, Sensor) with the REST semantics of a real API server:
// server-side apply with managedFields, optimistic concurrency, dry runs, label
// selectors, schema validation. It is a test double, not a Kubernetes API server; see
// README.md for what it implements and where it differs.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { parse as parseYaml } from "yaml";
import { isObject, type Json, type JsonObject } from "./json.ts";
import { userForToken, writeKubeconfig, type KubeconfigOptions } from "./kubeconfig.ts";
import { parseFieldSelector, parseLabelSelector, SelectorError } from "./labels.ts";
import { API_VERSION, GROUP, RESOURCES, resourceFor, VERSION, type ResourceType } from "./resources.ts";
import {
  badRequest,
  forbidden,
  internalError,
  methodNotAllowed,
  notFoundPath,
  requestEntityTooLarge,
  StatusError,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
} from "./status.ts";
import { Store, type FieldValidation, type UnknownFieldPolicy, type WriteContext, type WriteOutcome } from "./store.ts";
import { namespaceError } from "./validate.ts";

export type { Json, JsonObject } from "./json.ts";
export { DOUBLE_CONTEXTS, type KubeconfigOptions } from "./kubeconfig.ts";

export type Verb = "get" | "list" | "create" | "update" | "patch" | "apply" | "delete" | "deletecollection" | "discovery" | "other";

export const VERBS: readonly Verb[] = ["get", "list", "create", "update", "patch", "apply", "delete", "deletecollection", "discovery", "other"];

export type FaultMode = "status500" | "status429" | "reset" | "resetAfter";

export interface FaultSpec {
  /** 1 = the next request (default), 2 = the one after, ... (counting only matching requests). */
  at?: number;
  /**
   * status500: HTTP 500 InternalError Status, nothing done.
   * status429: HTTP 429 TooManyRequests with Retry-After, nothing done.
   * reset: the connection is reset without a response, nothing done.
   * resetAfter: the request is carried out (writes land), then the connection is reset.
   */
  mode: FaultMode;
  retryAfterSeconds?: number;
  /** Only count requests for which this returns true. */
  match?: (call: { method: string; path: string; verb: Verb }) => boolean;
}

export interface CallRecord {
  /** 1-based position since start or the last reset(). */
  seq: number;
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** HTTP status; 0 when the connection was reset. */
  status: number;
  verb: Verb;
  resource?: string;
  namespace?: string;
  name?: string;
  fieldManager?: string;
  dryRun: boolean;
  /** The request changed stored state (a counted write). */
  wrote: boolean;
  fault?: FaultMode;
  /** User of the bearer token, for kubeconfigs written by writeKubeconfig(). */
  user?: string;
  userAgent?: string;
  warnings?: string[];
}

export interface WriteRecord {
  seq: number;
  verb: Verb;
  kind: string;
  namespace: string;
  name: string;
  /** resourceVersion after the write ("" for deletions). */
  resourceVersion: string;
  deleted: boolean;
}

export interface Counts {
  byVerb: Record<Verb, number>;
  total: number;
  /** Successful, non-dry-run requests that changed stored state. */
  writes: number;
}

export interface K8sDoubleOptions {
  /**
   * "apiserver" (default): unknown fields behave as on a real API server with Argo's full
   * CRDs: server-side apply fails with a 500 "failed to create typed patch object";
   * other writes prune them with a Warning header, or answer 400 with fieldValidation=Strict.
   * "reject": every unknown field is a 422 Invalid.
   * Sensors are always checked strictly (422), see README.md.
   */
  unknownFields?: UnknownFieldPolicy;
  /** When set, only these namespaces exist (others: 404 `namespaces "x" not found`). */
  namespaces?: string[];
  /** Answer 401 unless the bearer token is one written by writeKubeconfig(). */
  requireAuth?: boolean;
  /** Size limit of a stored object (etcd --max-request-bytes, default 1.5 MiB). */
  maxObjectBytes?: number;
  /** Size limit of a request body (API server default 3 MiB). */
  maxRequestBytes?: number;
  /** Clock for creationTimestamp and managedFields times. */
  now?: () => Date;
  /** RBAC: requests for which this returns true are refused with 403 Forbidden. */
  forbid?: (call: { verb: Verb; resource?: string; namespace?: string }) => boolean;
}

export interface SeedOptions {
  /** Manager recorded as owning every field (default "seed"); null stores no managedFields. */
  manager?: string | null;
  /** Operation of the managedFields entry (default "Update"). */
  operation?: "Apply" | "Update";
}

export interface K8sDouble {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Log of requests since start or the last reset(). */
  calls(): CallRecord[];
  counts(): Counts;
  /** Successful writes since start or the last reset(). */
  writeLog(): WriteRecord[];
  /** Clears the call log, counters and pending faults (stored objects stay). */
  reset(): void;
  /** Deletes every stored object. */
  clearStore(): void;
  /** Stores an object directly (not a call, not a write); returns the stored form. */
  seed(obj: JsonObject, opts?: SeedOptions): JsonObject;
  /** Stored object by kind (Kind, plural, singular or short name), namespace and name. */
  get(kind: string, namespace: string, name: string): JsonObject | undefined;
  /** Stored objects, optionally of one kind and namespace, sorted by namespace/name. */
  list(kind?: string, namespace?: string): JsonObject[];
  /** Current (global) resourceVersion. */
  resourceVersion(): string;
  /** Makes a later request fail; several faults may be pending. */
  failNext(fault: FaultSpec): void;
  pendingFaults(): number;
  /** Writes a kubeconfig (contexts "flowc-double" and "flowc-double-alt") and returns its path. */
  writeKubeconfig(dir: string, opts?: KubeconfigOptions): string;
}

interface PendingFault {
  spec: FaultSpec;
  remaining: number;
}

interface Route {
  verb: Verb;
  type?: ResourceType;
  namespace?: string;
  name?: string;
  discovery?: () => JsonObject;
}

const DEFAULT_MAX_OBJECT = 1.5 * 1024 * 1024;
const DEFAULT_MAX_REQUEST = 3 * 1024 * 1024;

function json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function resetConnection(socket: Socket | null): void {
  if (!socket) return;
  const s = socket as Socket & { resetAndDestroy?: () => Socket };
  if (typeof s.resetAndDestroy === "function") s.resetAndDestroy();
  else s.destroy();
}

/** Field manager when the request names none: the User-Agent up to its first "/" (as the API server does). */
function defaultManager(userAgent: string | undefined): string {
  const prefix = (userAgent ?? "").split("/")[0]!.replace(/[^\x20-\x7e]/g, "").slice(0, 128);
  return prefix === "" ? "unknown" : prefix;
}

function optionsInvalid(kind: string, field: string, reason: string, message: string): StatusError {
  return new StatusError(422, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `${kind}.meta.k8s.io "" is invalid: ${field}: ${message}`,
    reason: "Invalid",
    details: { group: "meta.k8s.io", kind, causes: [{ reason, message, field }] },
    code: 422,
  });
}

export async function startK8sDouble(options: K8sDoubleOptions = {}): Promise<K8sDouble> {
  const store = new Store({
    unknownFields: options.unknownFields ?? "apiserver",
    maxObjectBytes: options.maxObjectBytes ?? DEFAULT_MAX_OBJECT,
    now: options.now ?? (() => new Date()),
  });
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST;
  let calls: CallRecord[] = [];
  let writes: WriteRecord[] = [];
  let faults: PendingFault[] = [];
  let url = "";

  const namespaceExists = (ns: string) => !options.namespaces || options.namespaces.includes(ns);
  const namespaceNotFound = (ns: string) =>
    new StatusError(404, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: `namespaces "${ns}" not found`,
      reason: "NotFound",
      details: { name: ns, kind: "namespaces" },
      code: 404,
    });

  function discoveryDocs(pathname: string): (() => JsonObject) | undefined {
    const resourceList = (): JsonObject => ({
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion: API_VERSION,
      resources: RESOURCES.filter((t) => t.group === GROUP).flatMap((t): JsonObject[] => [
        {
          name: t.plural,
          singularName: t.singular,
          namespaced: true,
          kind: t.kind,
          verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
          shortNames: t.shortNames,
        },
        ...(t.statusSubresource ? [{ name: `${t.plural}/status`, singularName: "", namespaced: true, kind: t.kind, verbs: ["get", "patch", "update"] }] : []),
      ]),
    });
    const group = { name: GROUP, versions: [{ groupVersion: API_VERSION, version: VERSION }], preferredVersion: { groupVersion: API_VERSION, version: VERSION } };
    switch (pathname) {
      case "/version":
        return () => ({
          major: "1",
          minor: "31",
          gitVersion: "v1.31.0+flowc-k8s-double",
          gitCommit: "0000000000000000000000000000000000000000",
          gitTreeState: "clean",
          buildDate: "2024-08-13T00:00:00Z",
          goVersion: "go1.22.5",
          compiler: "gc",
          platform: "linux/amd64",
        });
      case "/api":
        return () => ({
          kind: "APIVersions",
          versions: ["v1"],
          serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: url.replace(/^https?:\/\//, "") }],
        });
      case "/api/v1":
        return () => ({
          kind: "APIResourceList",
          groupVersion: "v1",
          resources: [{ name: "namespaces", singularName: "namespace", namespaced: false, kind: "Namespace", verbs: ["get", "list"], shortNames: ["ns"] }],
        });
      case "/apis":
        return () => ({ kind: "APIGroupList", apiVersion: "v1", groups: [group] });
      case `/apis/${GROUP}`:
        return () => ({ kind: "APIGroup", apiVersion: "v1", ...group });
      case `/apis/${API_VERSION}`:
        return resourceList;
      default:
        return undefined;
    }
  }

  function namespaceObject(name: string): JsonObject {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } };
  }

  function route(method: string, pathname: string, contentType: string | undefined, query: URLSearchParams): Route {
    const discovery = discoveryDocs(pathname);
    if (discovery) return { verb: method === "GET" ? "discovery" : "other", discovery };
    if (pathname === "/api/v1/namespaces" && method === "GET") {
      const names = options.namespaces ?? [...new Set(["default", ...store.all().map((o) => String((o.metadata as JsonObject).namespace))])];
      return { verb: "discovery", discovery: () => ({ apiVersion: "v1", kind: "NamespaceList", metadata: {}, items: names.sort().map(namespaceObject) }) };
    }
    const nsMatch = pathname.match(/^\/api\/v1\/namespaces\/([^/]+)$/);
    if (nsMatch && method === "GET") {
      const ns = decodeURIComponent(nsMatch[1]!);
      return {
        verb: "get",
        discovery: () => {
          if (!namespaceExists(ns)) throw namespaceNotFound(ns);
          return namespaceObject(ns);
        },
      };
    }
    const group = /^\/apis\/([^/]+)\/([^/]+)\//.exec(pathname);
    if (!group) return { verb: "other" };
    const parts = pathname.slice(group[0].length).split("/").map(decodeURIComponent);
    let namespace: string | undefined;
    let rest = parts;
    if (parts[0] === "namespaces" && parts.length >= 3) {
      namespace = parts[1];
      rest = parts.slice(2);
    }
    const type = RESOURCES.find((t) => t.group === group[1] && t.version === group[2] && t.plural === rest[0]);
    if (!type || rest.length > 2) return { verb: "other" };
    const name = rest[1];
    const watching = query.get("watch") === "true" || query.get("watch") === "1";
    let verb: Verb = "other";
    if (name === undefined) {
      if (method === "GET") verb = watching ? "other" : "list";
      else if (method === "POST" && namespace !== undefined) verb = "create";
      else if (method === "DELETE" && namespace !== undefined) verb = "deletecollection";
    } else if (namespace !== undefined) {
      if (method === "GET") verb = "get";
      else if (method === "PUT") verb = "update";
      else if (method === "PATCH") verb = (contentType ?? "").startsWith("application/apply-patch") ? "apply" : "patch";
      else if (method === "DELETE") verb = "delete";
    }
    return { verb, type, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}) };
  }

  function parseBody(raw: Buffer, contentType: string | undefined, yamlAllowed: boolean): Json {
    const text = raw.toString("utf8");
    const isYaml = yamlAllowed && /yaml/.test(contentType ?? "");
    try {
      return (isYaml ? parseYaml(text) : JSON.parse(text)) as Json;
    } catch (e) {
      if (isYaml) throw badRequest(`error decoding YAML: ${(e as Error).message}`);
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }

  function writeContext(verb: Verb, query: URLSearchParams, userAgent: string | undefined, dryRun: boolean): WriteContext {
    const optionsKind = verb === "create" ? "CreateOptions" : verb === "update" ? "UpdateOptions" : "PatchOptions";
    const fm = query.get("fieldManager");
    if (verb === "apply" && (fm === null || fm === "")) {
      throw optionsInvalid("PatchOptions", "fieldManager", "FieldValueRequired", "Required value: is required for apply patch");
    }
    if (fm !== null && fm.length > 128) {
      throw optionsInvalid(optionsKind, "fieldManager", "FieldValueTooLong", "Too long: may not be more than 128 bytes");
    }
    const force = query.get("force");
    if (force !== null && verb !== "apply") {
      throw optionsInvalid("PatchOptions", "force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch");
    }
    const fv = query.get("fieldValidation");
    if (fv !== null && fv !== "" && !["Strict", "Warn", "Ignore"].includes(fv)) {
      throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
    }
    return {
      dryRun,
      fieldManager: fm && fm !== "" ? fm : defaultManager(userAgent),
      ...(fv ? { fieldValidation: fv as FieldValidation } : {}),
      ...(force === "true" ? { force: true } : {}),
    };
  }

  function dryRunOf(verb: Verb, query: URLSearchParams, body: Json | undefined): boolean {
    const values = [...query.getAll("dryRun")];
    if (isObject(body) && Array.isArray(body.dryRun)) values.push(...body.dryRun.map(String));
    const optionsKind =
      verb === "create" ? "CreateOptions" : verb === "update" ? "UpdateOptions" : verb.startsWith("delete") ? "DeleteOptions" : "PatchOptions";
    for (const v of values) {
      if (v !== "All") {
        throw optionsInvalid(optionsKind, "dryRun", "FieldValueNotSupported", `Unsupported value: []string{"${v}"}: supported values: "All"`);
      }
    }
    return values.length > 0;
  }

  function execute(
    r: Route,
    query: URLSearchParams,
    raw: Buffer,
    contentType: string | undefined,
    userAgent: string | undefined,
    call: CallRecord,
  ): WriteOutcome {
    if (r.discovery) return { code: 200, body: r.discovery(), changed: false, warnings: [] };
    if (!r.type) throw notFoundPath();
    const t = r.type;
    if (r.verb === "other") {
      if (query.get("watch") === "true" || query.get("watch") === "1") throw badRequest("watch is not supported by the Kubernetes API double");
      throw methodNotAllowed();
    }
    if (t.readOnly && r.verb !== "get" && r.verb !== "list") throw methodNotAllowed();
    const ns = r.namespace;
    if (ns !== undefined) {
      const err = namespaceError(ns);
      if (err) throw badRequest(`invalid namespace "${ns}": ${err}`);
    }
    if (raw.length > maxRequestBytes) throw requestEntityTooLarge(maxRequestBytes);

    if (r.verb === "get") return { code: 200, body: store.mustGet(t, ns!, r.name!), changed: false, warnings: [] };
    if (r.verb === "list") {
      let labels;
      let fields;
      try {
        labels = parseLabelSelector(query.get("labelSelector") ?? "");
        fields = parseFieldSelector(query.get("fieldSelector") ?? "", t.plural);
      } catch (e) {
        if (e instanceof SelectorError) throw badRequest(e.message);
        throw e;
      }
      const limit = Number(query.get("limit") ?? "0");
      const cont = query.get("continue");
      return {
        code: 200,
        body: store.list(t, ns, { labels, fields, ...(limit > 0 ? { limit } : {}), ...(cont ? { continueToken: cont } : {}) }),
        changed: false,
        warnings: [],
      };
    }

    const hasBody = raw.length > 0;
    if (r.verb === "delete" || r.verb === "deletecollection") {
      const opts = hasBody ? parseBody(raw, contentType, false) : undefined;
      const dryRun = dryRunOf(r.verb, query, opts);
      call.dryRun = dryRun;
      if (r.verb === "delete") {
        const pre = isObject(opts) && isObject(opts.preconditions) ? opts.preconditions : {};
        return store.delete(
          t,
          ns!,
          r.name!,
          {
            ...(typeof pre.resourceVersion === "string" ? { resourceVersion: pre.resourceVersion } : {}),
            ...(typeof pre.uid === "string" ? { uid: pre.uid } : {}),
          },
          { dryRun },
        );
      }
      let labels;
      try {
        labels = parseLabelSelector(query.get("labelSelector") ?? "");
      } catch (e) {
        if (e instanceof SelectorError) throw badRequest(e.message);
        throw e;
      }
      const victims = store.list(t, ns, { labels }).items as JsonObject[];
      const deleted: JsonObject[] = [];
      for (const v of victims) {
        const name = String((v.metadata as JsonObject).name);
        const out = store.delete(t, ns!, name, {}, { dryRun });
        if (out.changed) writes.push({ seq: call.seq, verb: "delete", kind: t.kind, namespace: ns!, name, resourceVersion: "", deleted: true });
        deleted.push(v);
      }
      return {
        code: 200,
        body: { apiVersion: API_VERSION, kind: t.listKind, metadata: { resourceVersion: store.resourceVersion() }, items: deleted },
        changed: false,
        warnings: [],
      };
    }

    const dryRun = dryRunOf(r.verb, query, undefined);
    call.dryRun = dryRun;
    const ctx = writeContext(r.verb, query, userAgent, dryRun);
    call.fieldManager = ctx.fieldManager;
    if (ns !== undefined && !namespaceExists(ns) && (r.verb === "create" || r.verb === "apply")) throw namespaceNotFound(ns);

    if (r.verb === "create" || r.verb === "update") {
      if (!/json|yaml/.test(contentType ?? "application/json")) {
        throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
      }
      const body = parseBody(raw, contentType, true);
      if (!isObject(body)) throw badRequest("Object 'Kind' is missing in the request body");
      return r.verb === "create" ? store.create(t, ns!, body, ctx) : store.replace(t, ns!, r.name!, body, ctx);
    }
    // PATCH
    const ct = (contentType ?? "").split(";")[0]!.trim();
    if (ct === "application/apply-patch+yaml") {
      return store.apply(t, ns!, r.name!, parseBody(raw, ct, true) as JsonObject, ctx);
    }
    if (ct === "application/merge-patch+json" || ct === "application/json-patch+json") {
      return store.patch(t, ns!, r.name!, ct === "application/merge-patch+json" ? "merge" : "json", parseBody(raw, ct, false), ctx);
    }
    throw unsupportedMediaType(
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
    );
  }

  function takeFault(call: { method: string; path: string; verb: Verb }): FaultSpec | undefined {
    let fired: PendingFault | undefined;
    for (const f of faults) {
      if (f.spec.match && !f.spec.match(call)) continue;
      f.remaining--;
      if (!fired && f.remaining <= 0) fired = f;
    }
    if (fired) faults = faults.filter((f) => f !== fired);
    return fired?.spec;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const method = req.method ?? "GET";
    const u = new URL(req.url ?? "/", "http://double.invalid");
    const contentType = req.headers["content-type"];
    const userAgent = req.headers["user-agent"];
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    const r = route(method, u.pathname, contentType, u.searchParams);
    const user = userForToken(token);
    const call: CallRecord = {
      seq: calls.length + 1,
      method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams.entries()),
      ...(contentType ? { contentType } : {}),
      status: 0,
      verb: r.verb,
      ...(r.type ? { resource: r.type.plural } : {}),
      ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      ...(r.name !== undefined ? { name: r.name } : {}),
      dryRun: false,
      wrote: false,
      ...(user ? { user } : {}),
      ...(userAgent ? { userAgent } : {}),
    };
    calls.push(call);

    const fault = takeFault({ method, path: u.pathname, verb: r.verb });
    if (fault) call.fault = fault.mode;
    if (fault?.mode === "reset") {
      resetConnection(req.socket);
      return;
    }
    if (fault?.mode === "status500" || fault?.mode === "status429") {
      const err = fault.mode === "status500" ? internalError("injected fault (k8s double)") : tooManyRequests(fault.retryAfterSeconds ?? 1);
      call.status = err.code;
      json(res, err.code, err.status, err.headers);
      return;
    }

    let outcome: WriteOutcome;
    let errorHeaders: Record<string, string> = {};
    try {
      if (options.requireAuth && !user) throw unauthorized();
      if (options.forbid?.({ verb: r.verb, ...(r.type ? { resource: r.type.plural } : {}), ...(r.namespace !== undefined ? { namespace: r.namespace } : {}) }) && r.type)
        throw forbidden(user ?? "system:anonymous", r.verb, r.type, r.namespace);
      outcome = execute(r, u.searchParams, raw, contentType, userAgent, call);
    } catch (e) {
      if (e instanceof StatusError) {
        outcome = { code: e.code, body: e.status, changed: false, warnings: [] };
        errorHeaders = e.headers;
      } else {
        outcome = { code: 500, body: internalError((e as Error).stack ?? String(e)).status, changed: false, warnings: [] };
      }
    }
    if (outcome.changed) {
      call.wrote = true;
      const m = (outcome.object?.metadata ?? {}) as JsonObject;
      writes.push({
        seq: call.seq,
        verb: r.verb,
        kind: r.type?.kind ?? "",
        namespace: r.namespace ?? "",
        name: typeof m.name === "string" ? m.name : r.name ?? "",
        resourceVersion: outcome.deleted ? "" : String(m.resourceVersion ?? ""),
        deleted: outcome.deleted ?? false,
      });
    }
    if (r.verb === "deletecollection" && writes.some((w) => w.seq === call.seq)) call.wrote = true;
    if (outcome.warnings.length > 0) call.warnings = outcome.warnings;
    if (fault?.mode === "resetAfter") {
      resetConnection(req.socket);
      return;
    }
    call.status = outcome.code;
    const headers: Record<string, string | string[]> = { ...errorHeaders };
    if (outcome.warnings.length > 0) headers.Warning = outcome.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
    json(res, outcome.code, outcome.body, headers);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, internalError(String(e)).status);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;

  const typeOf = (kind: string): ResourceType => {
    const t = resourceFor(kind);
    if (!t) throw new Error(`k8s double: unknown kind ${kind}`);
    return t;
  };

  return {
    url,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    calls: () => calls.map((c) => ({ ...c, query: { ...c.query } })),
    counts: () => {
      const byVerb = Object.fromEntries(VERBS.map((v) => [v, 0])) as Record<Verb, number>;
      for (const c of calls) byVerb[c.verb]++;
      return { byVerb, total: calls.length, writes: writes.length };
    },
    writeLog: () => writes.map((w) => ({ ...w })),
    reset: () => {
      calls = [];
      writes = [];
      faults = [];
    },
    clearStore: () => store.clear(),
    seed: (obj, opts = {}) => {
      const kind = typeof obj.kind === "string" ? obj.kind : "";
      return store.seed(typeOf(kind), obj, opts.manager === undefined ? "seed" : opts.manager, opts.operation ?? "Update");
    },
    get: (kind, namespace, name) => store.get(typeOf(kind), namespace, name),
    list: (kind, namespace) => store.all(kind ? typeOf(kind) : undefined, namespace),
    resourceVersion: () => store.resourceVersion(),
    failNext: (fault) => {
      faults.push({ spec: fault, remaining: Math.max(1, fault.at ?? 1) });
    },
    pendingFaults: () => faults.length,
    writeKubeconfig: (dir, opts) => writeKubeconfig(url, dir, opts),
  };
}
