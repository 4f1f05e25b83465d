// Object storage and write semantics of the Kubernetes API double: create, replace,
// server-side apply, merge/json patch, delete, list. HTTP concerns live in double.ts.

import { randomUUID } from "node:crypto";
import {
  applyFields,
  ApplyConflictError,
  decodeManagedFields,
  encodeManagedFields,
  formatPath,
  printManager,
  updateFields,
  userContent,
  type ManagerEntry,
} from "./apply.ts";
import { clone, deepEqual, dropNulls, isObject, sortKeys, type Json, type JsonObject } from "./json.ts";
import { matchesFields, matchesLabels, type FieldRequirement, type LabelRequirement } from "./labels.ts";
import { jsonPatch, mergePatch, PatchError } from "./patch.ts";
import type { ResourceType } from "./resources.ts";
import {
  alreadyExists,
  applyConflict,
  badRequest,
  conflict,
  invalid,
  notFound,
  plainInternal,
  STALE_RESOURCE_VERSION,
  StatusError,
  success,
} from "./status.ts";
import { pruneFields, validateMetadata, validateObject, type Cause } from "./validate.ts";

export type UnknownFieldPolicy = "apiserver" | "reject";
export type FieldValidation = "Strict" | "Warn" | "Ignore";

export interface StoreOptions {
  unknownFields: UnknownFieldPolicy;
  /** etcd's default --max-request-bytes (1.5 MiB); bigger objects fail to store. */
  maxObjectBytes: number;
  now: () => Date;
}

export interface WriteContext {
  dryRun: boolean;
  fieldManager: string;
  /** Query parameter fieldValidation; unset means Warn, the server default since 1.27. */
  fieldValidation?: FieldValidation;
  force?: boolean;
}

export interface WriteOutcome {
  code: number;
  body: JsonObject;
  /** True when stored state changed (never for dry runs or no-ops). */
  changed: boolean;
  warnings: string[];
  object?: JsonObject;
  deleted?: boolean;
}

export interface ListOptions {
  labels?: LabelRequirement[];
  fields?: FieldRequirement[];
  limit?: number;
  continueToken?: string;
}

const GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

function meta(obj: JsonObject): JsonObject {
  if (!isObject(obj.metadata)) obj.metadata = {};
  return obj.metadata as JsonObject;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export class Store {
  private readonly objects = new Map<string, JsonObject>();
  private rv = 0;

  constructor(private readonly opts: StoreOptions) {}

  resourceVersion(): string {
    return String(this.rv);
  }

  clear(): void {
    this.objects.clear();
  }

  private key(t: ResourceType, ns: string, name: string): string {
    return `${t.plural}/${ns}/${name}`;
  }

  get(t: ResourceType, ns: string, name: string): JsonObject | undefined {
    const o = this.objects.get(this.key(t, ns, name));
    return o ? clone(o) : undefined;
  }

  all(t?: ResourceType, ns?: string): JsonObject[] {
    return [...this.objects.entries()]
      .filter(([k]) => (t ? k.startsWith(`${t.plural}/`) : true))
      .filter(([, o]) => (ns === undefined ? true : meta(o).namespace === ns))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => clone(o));
  }

  mustGet(t: ResourceType, ns: string, name: string): JsonObject {
    const o = this.get(t, ns, name);
    if (!o) throw notFound(t, name);
    return o;
  }

  list(t: ResourceType, ns: string | undefined, opts: ListOptions = {}): JsonObject {
    let items = this.all(t, ns).filter(
      (o) =>
        matchesLabels(opts.labels ?? [], meta(o).labels as Record<string, string> | undefined) &&
        matchesFields(opts.fields ?? [], { name: str(meta(o).name), namespace: str(meta(o).namespace) }),
    );
    const listMeta: JsonObject = { resourceVersion: this.resourceVersion() };
    if (opts.continueToken) {
      let start: string;
      try {
        start = (JSON.parse(Buffer.from(opts.continueToken, "base64url").toString("utf8")) as { start: string }).start;
      } catch {
        throw badRequest("continue key is not valid: illegal base64 data");
      }
      items = items.filter((o) => `${str(meta(o).namespace)}/${str(meta(o).name)}` >= start);
    }
    if (opts.limit && opts.limit > 0 && items.length > opts.limit) {
      const next = items[opts.limit]!;
      listMeta.continue = Buffer.from(
        JSON.stringify({ start: `${str(meta(next).namespace)}/${str(meta(next).name)}`, rv: this.rv }),
      ).toString("base64url");
      if (!opts.labels?.length && !opts.fields?.length) listMeta.remainingItemCount = items.length - opts.limit;
      items = items.slice(0, opts.limit);
    }
    return { apiVersion: `${t.group}/${t.version}`, kind: t.listKind, metadata: listMeta, items };
  }

  // -------------------------------------------------------------------------
  // Writes

  create(t: ResourceType, ns: string, body: JsonObject, ctx: WriteContext): WriteOutcome {
    this.checkTypeMeta(t, body);
    const m = meta(body);
    this.checkNamespace(ns, m);
    if (str(m.resourceVersion)) throw badRequest("resourceVersion should not be set on objects to be created");
    const warnings: string[] = [];
    let obj = this.handleUnknown(t, body, ctx, warnings, str(m.name) ?? "");
    let name = str(meta(obj).name) ?? "";
    const generateName = str(meta(obj).generateName);
    if (name === "" && generateName) {
      do {
        name = generateName + Array.from({ length: 5 }, () => GENERATE_ALPHABET[Math.floor(Math.random() * 27)]).join("");
      } while (this.objects.has(this.key(t, ns, name)));
    }
    obj = clone(obj);
    meta(obj).name = name;
    const content = this.dropStatus(t, userContent(obj));
    const { managers } = updateFields({
      live: {},
      managers: [],
      content,
      manager: ctx.fieldManager,
      apiVersion: `${t.group}/${t.version}`,
      now: this.now(),
    });
    const full = this.assemble(t, ns, name, undefined, content, managers);
    this.validate(t, full, name);
    if (this.objects.has(this.key(t, ns, name))) throw alreadyExists(t, name);
    return this.commit(t, ns, name, undefined, full, ctx, 201, warnings);
  }

  replace(t: ResourceType, ns: string, name: string, body: JsonObject, ctx: WriteContext): WriteOutcome {
    this.checkTypeMeta(t, body);
    const m = meta(body);
    this.checkNamespace(ns, m);
    if (str(m.name) !== name) {
      throw badRequest(`the name of the object (${str(m.name) ?? ""}) does not match the name on the URL (${name})`);
    }
    const warnings: string[] = [];
    const obj = this.handleUnknown(t, body, ctx, warnings, name);
    // Custom resources do not allow create-on-update or unconditional update.
    const live = this.mustGet(t, ns, name);
    const rv = str(meta(obj).resourceVersion);
    if (!rv) {
      throw invalid(t, name, [
        { reason: "FieldValueInvalid", field: "metadata.resourceVersion", message: "Invalid value: 0x0: must be specified for an update" },
      ]);
    }
    if (rv !== str(meta(live).resourceVersion)) throw conflict(t, name, STALE_RESOURCE_VERSION);
    const content = this.keepStatus(t, live, userContent(obj, { statusSubresource: t.statusSubresource }));
    // A client may replace managedFields wholesale; omitting them keeps the live ones.
    const base = Array.isArray(meta(obj).managedFields) ? decodeManagedFields(meta(obj).managedFields) : this.managers(live);
    const { managers } = updateFields({
      live: userContent(live, { statusSubresource: t.statusSubresource }),
      managers: base,
      content: userContent(content, { statusSubresource: t.statusSubresource }),
      manager: ctx.fieldManager,
      apiVersion: `${t.group}/${t.version}`,
      now: this.now(),
    });
    const full = this.assemble(t, ns, name, live, content, managers);
    this.validate(t, full, name, live);
    return this.commit(t, ns, name, live, full, ctx, 200, warnings);
  }

  apply(t: ResourceType, ns: string, name: string, config: JsonObject, ctx: WriteContext): WriteOutcome {
    if (!isObject(config)) throw badRequest("error decoding YAML: the applied configuration is not an object");
    const apiVersion = `${t.group}/${t.version}`;
    if (config.apiVersion !== apiVersion) {
      throw badRequest(
        `Incorrect version specified in apply patch. Specified patch version: ${str(config.apiVersion) ?? ""}, expected: ${apiVersion}`,
      );
    }
    if (config.kind !== t.kind) {
      throw badRequest(`Incorrect kind specified in apply patch. Specified patch kind: ${str(config.kind) ?? ""}, expected: ${t.kind}`);
    }
    const m = meta(config);
    if (m.managedFields !== undefined) throw badRequest("metadata.managedFields must be nil");
    if (m.name !== undefined && m.name !== name) {
      throw badRequest(`the name of the object (${str(m.name) ?? ""}) does not match the name on the URL (${name})`);
    }
    this.checkNamespace(ns, m);
    const live = this.get(t, ns, name);
    const precondition = str(m.resourceVersion);
    if (precondition !== undefined && (!live || precondition !== str(meta(live).resourceVersion))) {
      if (!live) throw notFound(t, name);
      throw conflict(t, name, STALE_RESOURCE_VERSION);
    }

    // The applied configuration is converted to a typed object first; on a real server
    // undeclared fields and scalar type mismatches fail here, as a plain (500) error.
    const warnings: string[] = [];
    const checked = clone(config);
    meta(checked).name = name;
    if (this.opts.unknownFields === "apiserver" && t.kind !== "Sensor") {
      const typed = validateObject(t.kind, checked);
      const problems = [
        ...typed.unknown.map((f) => `.${f}: field not declared in schema`),
        ...typed.typeMismatches.map(
          (x) => `.${x.field}: expected ${x.expected}, got &value.valueUnstructured{Value:${JSON.stringify(x.actual)}}`,
        ),
      ];
      if (problems.length > 0) {
        const detail = problems.length === 1 ? problems[0]! : `errors:\n  ${problems.join("\n  ")}`;
        throw plainInternal(`failed to create typed patch object (${ns}/${name}; ${apiVersion}, Kind=${t.kind}): ${detail}`);
      }
    }
    const configContent = this.dropStatus(t, userContent(checked));
    const liveContent = live ? userContent(live, { statusSubresource: t.statusSubresource }) : {};
    let liveManagers = live ? this.managers(live) : [];
    if (live && liveManagers.length === 0) {
      // An object without managedFields (created before server-side apply, or with its
      // managedFields cleared): the API server attributes every field to an Update
      // manager named "before-first-apply" first, so the apply can conflict with it.
      liveManagers = updateFields({ live: {}, managers: [], content: liveContent, manager: "before-first-apply", apiVersion, now: this.now() }).managers;
    }
    let result;
    try {
      result = applyFields({
        live: liveContent,
        managers: liveManagers,
        config: configContent,
        manager: ctx.fieldManager,
        apiVersion,
        force: ctx.force ?? false,
        now: this.now(),
      });
    } catch (e) {
      if (e instanceof ApplyConflictError) {
        throw applyConflict(
          e.message,
          e.conflicts.map((c) => ({
            reason: "FieldManagerConflict",
            message: `conflict with ${printManager(c.manager)}`,
            field: formatPath(c.path),
          })),
        );
      }
      throw e;
    }
    const content = live ? this.keepStatus(t, live, result.content) : result.content;
    let full = this.assemble(t, ns, name, live, content, result.managers);
    if (this.opts.unknownFields === "apiserver" && t.kind !== "Sensor") {
      // Unknown fields left in the live object cannot exist (they are pruned on write).
      full = pruneFields(full, validateObject(t.kind, full).unknown);
    }
    this.validate(t, full, name, live);
    return this.commit(t, ns, name, live, full, ctx, live ? 200 : 201, warnings);
  }

  patch(
    t: ResourceType,
    ns: string,
    name: string,
    patchType: "merge" | "json",
    patch: Json,
    ctx: WriteContext,
  ): WriteOutcome {
    const live = this.mustGet(t, ns, name);
    let patched: Json;
    try {
      patched = patchType === "merge" ? mergePatch(live, patch) : jsonPatch(live, patch);
    } catch (e) {
      if (e instanceof PatchError) {
        throw new StatusError(422, {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Failure",
          message: e.message,
          reason: "Invalid",
          code: 422,
        });
      }
      throw e;
    }
    if (!isObject(patched)) throw badRequest("the patched object is not an object");
    const m = meta(patched);
    if (str(m.name) !== name) throw badRequest(`the name of the object (${str(m.name) ?? ""}) does not match the name on the URL (${name})`);
    if (m.namespace !== undefined && m.namespace !== ns) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    this.checkTypeMeta(t, patched);
    // A resourceVersion set by the patch acts as a precondition.
    const rv = str(m.resourceVersion);
    if (rv && rv !== str(meta(live).resourceVersion)) throw conflict(t, name, STALE_RESOURCE_VERSION);
    const warnings: string[] = [];
    const obj = this.handleUnknown(t, patched, ctx, warnings, name);
    const content = this.keepStatus(t, live, userContent(obj, { statusSubresource: t.statusSubresource }));
    const base = deepEqual(m.managedFields, meta(live).managedFields)
      ? this.managers(live)
      : decodeManagedFields(m.managedFields);
    const { managers } = updateFields({
      live: userContent(live, { statusSubresource: t.statusSubresource }),
      managers: base,
      content: userContent(content, { statusSubresource: t.statusSubresource }),
      manager: ctx.fieldManager,
      apiVersion: `${t.group}/${t.version}`,
      now: this.now(),
    });
    const full = this.assemble(t, ns, name, live, content, managers);
    this.validate(t, full, name, live);
    return this.commit(t, ns, name, live, full, ctx, 200, warnings);
  }

  delete(
    t: ResourceType,
    ns: string,
    name: string,
    preconditions: { resourceVersion?: string; uid?: string },
    ctx: { dryRun: boolean },
  ): WriteOutcome {
    const live = this.mustGet(t, ns, name);
    const lm = meta(live);
    if (preconditions.uid !== undefined && preconditions.uid !== str(lm.uid)) {
      throw conflict(t, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${str(lm.uid) ?? ""}`);
    }
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== str(lm.resourceVersion)) {
      throw conflict(
        t,
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${str(lm.resourceVersion) ?? ""}`,
      );
    }
    const finalizers = Array.isArray(lm.finalizers) ? lm.finalizers : [];
    if (finalizers.length > 0) {
      // Deletion waits for the finalizers: the object stays, marked for deletion.
      if (lm.deletionTimestamp !== undefined) return { code: 200, body: live, changed: false, warnings: [], object: live };
      const marked = clone(live);
      meta(marked).deletionTimestamp = this.now();
      meta(marked).deletionGracePeriodSeconds = 0;
      if (ctx.dryRun) return { code: 200, body: sortKeys(marked), changed: false, warnings: [], object: marked };
      this.rv++;
      meta(marked).resourceVersion = String(this.rv);
      const stored = sortKeys(marked);
      this.objects.set(this.key(t, ns, name), stored);
      return { code: 200, body: clone(stored), changed: true, warnings: [], object: clone(stored) };
    }
    if (!ctx.dryRun) {
      this.objects.delete(this.key(t, ns, name));
      this.rv++;
    }
    return { code: 200, body: success(t, name, str(lm.uid) ?? ""), changed: !ctx.dryRun, warnings: [], deleted: true };
  }

  /**
   * Stores `obj` directly, recording `manager` as the owner of all its fields, or no
   * managedFields at all when `manager` is null (no validation, no call, no write count).
   */
  seed(t: ResourceType, obj: JsonObject, manager: string | null, operation: "Apply" | "Update"): JsonObject {
    const m = meta(obj);
    const ns = str(m.namespace) ?? "default";
    const name = str(m.name);
    if (!name) throw new Error("seed: metadata.name is required");
    const live = this.get(t, ns, name);
    const content = this.dropStatus(t, userContent(obj));
    const apiVersion = `${t.group}/${t.version}`;
    const managers =
      manager === null
        ? []
        : operation === "Apply"
        ? applyFields({ live: {}, managers: [], config: content, manager, apiVersion, force: true, now: this.now() }).managers
        : updateFields({ live: {}, managers: [], content, manager, apiVersion, now: this.now() }).managers;
    const full = this.assemble(t, ns, name, live, content, managers);
    if (t.statusSubresource && obj.status !== undefined) full.status = clone(obj.status);
    this.rv++;
    meta(full).resourceVersion = String(this.rv);
    const stored = sortKeys(full);
    this.objects.set(this.key(t, ns, name), stored);
    return clone(stored);
  }

  // -------------------------------------------------------------------------

  private now(): string {
    return rfc3339(this.opts.now());
  }

  private managers(live: JsonObject): ManagerEntry[] {
    return decodeManagedFields(meta(live).managedFields);
  }

  private checkTypeMeta(t: ResourceType, body: JsonObject): void {
    const apiVersion = `${t.group}/${t.version}`;
    if (body.apiVersion !== undefined && body.apiVersion !== apiVersion) {
      throw badRequest(`the API version in the data (${str(body.apiVersion) ?? ""}) does not match the expected API version (${apiVersion})`);
    }
    if (body.kind !== undefined && body.kind !== t.kind) {
      throw badRequest(`the kind in the data (${str(body.kind) ?? ""}) does not match the expected kind (${t.kind})`);
    }
  }

  private checkNamespace(ns: string, m: JsonObject): void {
    if (m.namespace !== undefined && m.namespace !== "" && m.namespace !== ns) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
  }

  private dropStatus(t: ResourceType, content: JsonObject): JsonObject {
    if (t.statusSubresource) delete content.status;
    return content;
  }

  /** With a status subresource, writes to the main resource keep the live status. */
  private keepStatus(t: ResourceType, live: JsonObject, content: JsonObject): JsonObject {
    const out = clone(content);
    if (t.statusSubresource) {
      delete out.status;
      if (live.status !== undefined) out.status = clone(live.status);
    }
    return out;
  }

  /** Unknown fields in create/update/patch bodies, per fieldValidation and the double's policy. */
  private handleUnknown(t: ResourceType, body: JsonObject, ctx: WriteContext, warnings: string[], name: string): JsonObject {
    const obj = clone(body);
    if (obj.apiVersion === undefined) obj.apiVersion = `${t.group}/${t.version}`;
    if (obj.kind === undefined) obj.kind = t.kind;
    if (t.kind === "Sensor") return obj; // Sensor schema violations, unknown fields included, are 422 (see validate()).
    const unknown = validateObject(t.kind, obj).unknown.filter((f) => !/^metadata\.(managedFields|resourceVersion)\b/.test(f));
    if (unknown.length === 0) return obj;
    if (this.opts.unknownFields === "reject") {
      throw invalid(
        t,
        name,
        unknown.map((field) => ({ reason: "FieldValueInvalid", field, message: "Invalid value: field not declared in schema" })),
      );
    }
    const mode = ctx.fieldValidation ?? "Warn";
    if (mode === "Strict") {
      throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(", ")}`);
    }
    if (mode === "Warn") warnings.push(...unknown.map((f) => `unknown field "${f}"`));
    return pruneFields(obj, unknown);
  }

  /** Builds the stored form: type meta, system metadata, user content, managedFields. */
  private assemble(
    t: ResourceType,
    ns: string,
    name: string,
    live: JsonObject | undefined,
    content: JsonObject,
    managers: ManagerEntry[],
  ): JsonObject {
    const c = dropNulls(clone(content)) as JsonObject;
    const userMeta = isObject(c.metadata) ? c.metadata : {};
    delete c.metadata;
    const lm = live ? meta(live) : {};
    const m: JsonObject = {
      ...userMeta,
      name,
      namespace: ns,
      uid: str(lm.uid) ?? randomUUID(),
      creationTimestamp: str(lm.creationTimestamp) ?? this.now(),
      generation: typeof lm.generation === "number" ? lm.generation : 1,
    };
    if (lm.resourceVersion !== undefined) m.resourceVersion = lm.resourceVersion;
    if (lm.deletionTimestamp !== undefined) m.deletionTimestamp = lm.deletionTimestamp;
    if (lm.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = lm.deletionGracePeriodSeconds;
    if (managers.length > 0) m.managedFields = encodeManagedFields(managers) as unknown as Json;
    return { apiVersion: `${t.group}/${t.version}`, kind: t.kind, metadata: m, ...c };
  }

  private validate(t: ResourceType, full: JsonObject, name: string, live?: JsonObject): void {
    const causes: Cause[] = validateMetadata(meta(full));
    const result = validateObject(t.kind, full);
    causes.push(...result.causes);
    if (t.kind === "Sensor" || this.opts.unknownFields === "reject") {
      causes.push(
        ...result.unknown.map((field) => ({ reason: "FieldValueInvalid", field, message: "Invalid value: field not declared in schema" })),
      );
    }
    if (live && meta(live).deletionTimestamp !== undefined) {
      const before = new Set((meta(live).finalizers as string[] | undefined) ?? []);
      for (const f of (meta(full).finalizers as string[] | undefined) ?? []) {
        if (!before.has(f)) {
          causes.push({ reason: "FieldValueForbidden", field: "metadata.finalizers", message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"${f}"}` });
        }
      }
    }
    if (causes.length > 0) throw invalid(t, name, causes);
  }

  /** No-op detection, generation, resourceVersion, size limit, storage. */
  private commit(
    t: ResourceType,
    ns: string,
    name: string,
    live: JsonObject | undefined,
    full: JsonObject,
    ctx: WriteContext,
    code: number,
    warnings: string[],
  ): WriteOutcome {
    let obj = sortKeys(full);
    if (live && deepEqual(obj, live)) {
      // Nothing changed: the API server skips the etcd write; resourceVersion stays.
      return { code, body: clone(live), changed: false, warnings, object: clone(live) };
    }
    if (live) {
      const spec = (o: JsonObject) => {
        const c = clone(o);
        delete c.metadata;
        if (t.statusSubresource) delete c.status;
        return c;
      };
      if (!deepEqual(spec(live), spec(obj))) meta(obj).generation = (meta(live).generation as number) + 1;
    }
    const lm = meta(obj);
    if (live && lm.deletionTimestamp !== undefined && (!Array.isArray(lm.finalizers) || lm.finalizers.length === 0)) {
      // The last finalizer is gone: the object is deleted now.
      if (ctx.dryRun) return { code: 200, body: obj, changed: false, warnings, object: obj };
      this.objects.delete(this.key(t, ns, name));
      this.rv++;
      return { code: 200, body: obj, changed: true, warnings, object: obj, deleted: true };
    }
    if (ctx.dryRun) {
      if (!live) delete lm.resourceVersion;
      obj = sortKeys(obj);
      return { code, body: obj, changed: false, warnings, object: obj };
    }
    if (Buffer.byteLength(JSON.stringify(obj)) > this.opts.maxObjectBytes) {
      throw plainInternal("etcdserver: request is too large");
    }
    this.rv++;
    lm.resourceVersion = String(this.rv);
    obj = sortKeys(obj);
    this.objects.set(this.key(t, ns, name), obj);
    return { code, body: clone(obj), changed: true, warnings, object: clone(obj) };
  }
}
