// Field management for the Kubernetes API double: a small model of
// sigs.k8s.io/structured-merge-diff as the API server uses it for server-side apply
// (operation "Apply") and for ordinary writes (operation "Update": POST, PUT,
// merge-patch, json-patch).
//
// Model (see README.md for how it differs from the real thing):
// - Every JSON object is treated as a struct/map whose members are separate fields;
//   every list is atomic (owned and replaced as a whole). Argo's CRDs declare no
//   `x-kubernetes-list-type`, so their lists are atomic on a real server as well.
// - A field set is a set of paths (string arrays). An Apply set holds the leaves of
//   the applied configuration (scalars, lists, nulls, empty objects). An Update set
//   grows with what the write added or changed, including the parents of added
//   subtrees (that is where `".": {}` comes from in real managedFields).
// - Managers are identified by (manager name, operation): "flowc"/Apply and
//   "flowc"/Update are different managers, as on a real server.

import { clone, deepEqual, isObject, type Json, type JsonObject } from "./json.ts";

export type Path = string[];
export type FieldSet = Set<string>;
export type Operation = "Apply" | "Update";

export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  fields: FieldSet;
}

/** Metadata fields the API server owns; never part of a manager's field set. */
export const SYSTEM_METADATA = [
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "selfLink",
  "managedFields",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
] as const;

export const key = (p: Path): string => JSON.stringify(p);
export const unkey = (k: string): Path => JSON.parse(k) as Path;

/** `.spec.templates` — the path notation used in conflict messages and causes. */
export function formatPath(p: Path): string {
  return p.map((s) => (s.startsWith("\u0001") ? s.slice(1) : `.${s}`)).join("");
}

/**
 * The part of an object that field management looks at: no apiVersion/kind, no
 * system metadata, and no status when the status subresource is enabled (the main
 * resource endpoint resets status).
 */
export function userContent(obj: JsonObject, opts: { statusSubresource?: boolean } = {}): JsonObject {
  const out = clone(obj);
  delete out.apiVersion;
  delete out.kind;
  if (opts.statusSubresource) delete out.status;
  if (isObject(out.metadata)) {
    const meta = out.metadata;
    for (const f of SYSTEM_METADATA) delete meta[f];
    if (Object.keys(meta).length === 0) delete out.metadata;
  }
  return out;
}

const STRIPPED = new Set([key(["metadata"])]);

/** structured-merge-diff's ToFieldSet for an applied configuration. */
export function applySet(content: JsonObject): FieldSet {
  const set: FieldSet = new Set();
  const walk = (v: JsonObject, path: Path) => {
    for (const [k, x] of Object.entries(v)) {
      const p = [...path, k];
      if (isObject(x) && Object.keys(x).length > 0) walk(x, p);
      else set.add(key(p));
    }
  };
  walk(content, []);
  for (const s of STRIPPED) set.delete(s);
  return set;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

function addSubtree(set: FieldSet, p: Path, v: Json | undefined): void {
  set.add(key(p));
  if (isObject(v)) for (const [k, x] of Object.entries(v)) addSubtree(set, [...p, k], x);
}

/** Paths added, changed (leaves and atomic lists) and removed between two contents. */
export function compare(oldV: JsonObject, newV: JsonObject): Comparison {
  const c: Comparison = { added: new Set(), modified: new Set(), removed: new Set() };
  const walk = (o: JsonObject, n: JsonObject, path: Path) => {
    for (const k of new Set([...Object.keys(o), ...Object.keys(n)])) {
      const p = [...path, k];
      const ov = o[k];
      const nv = n[k];
      if (ov === undefined && nv !== undefined) addSubtree(c.added, p, nv);
      else if (ov !== undefined && nv === undefined) addSubtree(c.removed, p, ov);
      else if (isObject(ov) && isObject(nv)) walk(ov, nv, p);
      else if (!deepEqual(ov, nv)) {
        c.modified.add(key(p));
        if (isObject(ov)) for (const [ck, cv] of Object.entries(ov)) addSubtree(c.removed, [...p, ck], cv);
        if (isObject(nv)) for (const [ck, cv] of Object.entries(nv)) addSubtree(c.added, [...p, ck], cv);
      }
    }
  };
  walk(oldV, newV, []);
  for (const set of [c.added, c.modified, c.removed]) for (const s of STRIPPED) set.delete(s);
  return c;
}

/** Applied configuration merged into the live content: objects merge member-wise, everything else replaces. */
export function mergeApplied(live: Json | undefined, config: Json): Json {
  if (isObject(live) && isObject(config)) {
    const out: JsonObject = { ...live };
    for (const [k, v] of Object.entries(config)) out[k] = mergeApplied(live[k], v);
    return out;
  }
  return clone(config);
}

function prefixesOf(set: FieldSet): Set<string> {
  const out = new Set<string>();
  for (const k of set) {
    const p = unkey(k);
    for (let i = 1; i < p.length; i++) out.add(key(p.slice(0, i)));
  }
  return out;
}

/**
 * Removes `paths` from `content`, keeping anything at or below a path in `owned`,
 * then drops objects that became empty because of the removal (unless owned).
 */
export function removeFields(content: JsonObject, paths: Path[], owned: FieldSet): JsonObject {
  const out = clone(content);
  const ownedPrefixes = prefixesOf(owned);
  const prune = (parent: JsonObject, k: string, p: Path) => {
    const v = parent[k];
    if (owned.has(key(p))) return;
    if (isObject(v) && ownedPrefixes.has(key(p))) {
      for (const ck of Object.keys(v)) prune(v, ck, [...p, ck]);
    } else {
      delete parent[k];
    }
  };
  for (const p of paths) {
    const chain: JsonObject[] = [out];
    let cur: Json | undefined = out;
    for (const seg of p.slice(0, -1)) {
      cur = isObject(cur) ? cur[seg] : undefined;
      if (!isObject(cur)) break;
      chain.push(cur);
    }
    if (chain.length !== p.length) continue;
    const parent = chain[chain.length - 1]!;
    if (!(p[p.length - 1]! in parent)) continue;
    prune(parent, p[p.length - 1]!, p);
    // Parents emptied by the removal disappear (a real server would store null and then prune it).
    for (let i = p.length - 1; i >= 1; i--) {
      const node = chain[i]!;
      const nodePath = p.slice(0, i);
      if (Object.keys(node).length > 0 || owned.has(key(nodePath))) break;
      delete chain[i - 1]![p[i - 1]!];
    }
  }
  return out;
}

export function managerId(e: { manager: string; operation: Operation }): string {
  return `${e.operation}\u0000${e.manager}`;
}

/** Text used in conflict messages: `"m"` for appliers, `"m" using v` for updaters. */
export function printManager(e: ManagerEntry): string {
  return e.operation === "Update" ? `"${e.manager}" using ${e.apiVersion}` : `"${e.manager}"`;
}

export interface Conflict {
  manager: ManagerEntry;
  path: Path;
}

export class ApplyConflictError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(conflictMessage(conflicts));
  }
}

/** Same wording as k8s.io/apimachinery/pkg/util/managedfields/internal/conflict.go. */
export function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${printManager(c.manager)}: ${formatPath(c.path)}`;
  }
  const byManager = new Map<string, Conflict[]>();
  for (const c of conflicts) {
    const id = printManager(c.manager);
    byManager.set(id, [...(byManager.get(id) ?? []), c]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${id}:`);
    for (const c of byManager.get(id)!) lines.push(`- ${formatPath(c.path)}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
}

const union = (...sets: FieldSet[]): FieldSet => new Set(sets.flatMap((s) => [...s]));
const minus = (a: FieldSet, b: FieldSet): FieldSet => new Set([...a].filter((x) => !b.has(x)));
const setsEqual = (a: FieldSet, b: FieldSet): boolean => a.size === b.size && [...a].every((x) => b.has(x));

export interface FieldManagementResult {
  content: JsonObject;
  managers: ManagerEntry[];
}

/**
 * Server-side apply of `config` (user content of the applied configuration) on top of
 * `live` (user content of the live object, or {} when creating). Throws
 * ApplyConflictError unless `force`.
 */
export function applyFields(args: {
  live: JsonObject;
  managers: ManagerEntry[];
  config: JsonObject;
  manager: string;
  apiVersion: string;
  force: boolean;
  now: string;
}): FieldManagementResult {
  const id = managerId({ manager: args.manager, operation: "Apply" });
  const previous = args.managers.find((m) => managerId(m) === id);
  const others = args.managers.filter((m) => managerId(m) !== id);
  const lastSet = previous?.fields ?? new Set<string>();
  const newSet = applySet(args.config);

  // Merge, then prune what this manager applied before and no longer applies,
  // unless somebody (including this apply) still owns it.
  const owned = union(newSet, ...others.map((m) => m.fields));
  const merged = mergeApplied(args.live, args.config) as JsonObject;
  const stale = [...minus(lastSet, owned)].map(unkey);
  const content = removeFields(merged, stale, owned);

  const cmp = compare(args.live, content);
  const changed = union(cmp.added, cmp.modified);
  const conflicts: Conflict[] = [];
  for (const m of others) {
    for (const f of m.fields) if (changed.has(f)) conflicts.push({ manager: m, path: unkey(f) });
  }
  if (conflicts.length > 0 && !args.force) throw new ApplyConflictError(sortConflicts(conflicts));

  const next: ManagerEntry[] = [];
  for (const m of others) {
    const fields = minus(m.fields, union(changed, cmp.removed));
    if (fields.size > 0) next.push({ ...m, fields });
  }
  if (newSet.size > 0) {
    const unchanged = previous !== undefined && setsEqual(lastSet, newSet) && deepEqual(args.live, content);
    next.push({
      manager: args.manager,
      operation: "Apply",
      apiVersion: args.apiVersion,
      time: unchanged ? previous.time : args.now,
      fields: newSet,
    });
  }
  return { content, managers: next };
}

/** Field bookkeeping for a non-apply write (create, update, merge/json patch): always "forces". */
export function updateFields(args: {
  live: JsonObject;
  managers: ManagerEntry[];
  content: JsonObject;
  manager: string;
  apiVersion: string;
  now: string;
}): FieldManagementResult {
  const id = managerId({ manager: args.manager, operation: "Update" });
  const previous = args.managers.find((m) => managerId(m) === id);
  const cmp = compare(args.live, args.content);
  const touched = union(cmp.added, cmp.modified, cmp.removed);
  const next: ManagerEntry[] = [];
  for (const m of args.managers) {
    if (managerId(m) === id) continue;
    const fields = minus(m.fields, touched);
    if (fields.size > 0) next.push({ ...m, fields });
  }
  const mine = union(minus(previous?.fields ?? new Set(), cmp.removed), cmp.added, cmp.modified);
  if (mine.size > 0) {
    const unchanged = previous !== undefined && setsEqual(previous.fields, mine) && touched.size === 0;
    next.push({
      manager: args.manager,
      operation: "Update",
      apiVersion: args.apiVersion,
      time: unchanged ? previous.time : args.now,
      fields: mine,
    });
  }
  return { content: args.content, managers: next };
}

function sortConflicts(c: Conflict[]): Conflict[] {
  return [...c].sort((a, b) => {
    const ma = printManager(a.manager);
    const mb = printManager(b.manager);
    if (ma !== mb) return ma < mb ? -1 : 1;
    const pa = formatPath(a.path);
    const pb = formatPath(b.path);
    return pa < pb ? -1 : pa > pb ? 1 : 0;
  });
}

// ---------------------------------------------------------------------------
// metadata.managedFields encoding (FieldsV1)

/** `{"f:spec": {"f:x": {}}}`; a member that also has members gets `".": {}`. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  const paths = [...set].map(unkey).sort((a, b) => a.length - b.length);
  for (const p of paths) {
    let node = root;
    for (const seg of p) {
      const k = seg.startsWith("\u0001") ? seg.slice(1) : `f:${seg}`;
      if (!isObject(node[k])) node[k] = {};
      node = node[k] as JsonObject;
    }
    if (Object.keys(node).length > 0) node["."] = {};
  }
  // A member whose children were inserted after it needs its "." marker too.
  const mark = (node: JsonObject, p: Path) => {
    for (const [k, v] of Object.entries(node)) {
      if (k === "." || !isObject(v)) continue;
      const seg = k.startsWith("f:") ? k.slice(2) : `\u0001${k}`;
      const cp = [...p, seg];
      if (set.has(key(cp)) && Object.keys(v).some((x) => x !== ".")) v["."] = {};
      mark(v, cp);
    }
  };
  mark(root, []);
  return root;
}

export function fromFieldsV1(v1: unknown): FieldSet {
  const set: FieldSet = new Set();
  const walk = (node: unknown, p: Path) => {
    if (!isObject(node)) return;
    const children = Object.keys(node).filter((k) => k !== ".");
    if (p.length > 0 && (children.length === 0 || "." in node)) set.add(key(p));
    for (const k of children) {
      // Only "f:" keys are produced here; k:/v:/i: keys (associative lists) are kept opaque.
      const seg = k.startsWith("f:") ? k.slice(2) : `\u0001${k}`;
      walk(node[k], [...p, seg]);
    }
  };
  walk(v1, []);
  return set;
}

export function decodeManagedFields(mf: unknown): ManagerEntry[] {
  if (!Array.isArray(mf)) return [];
  const out: ManagerEntry[] = [];
  for (const e of mf) {
    if (!isObject(e)) continue;
    const operation = e.operation === "Apply" ? "Apply" : "Update";
    out.push({
      manager: typeof e.manager === "string" ? e.manager : "",
      operation,
      apiVersion: typeof e.apiVersion === "string" ? e.apiVersion : "",
      ...(typeof e.time === "string" ? { time: e.time } : {}),
      fields: fromFieldsV1(e.fieldsV1),
    });
  }
  return out;
}

/** Sorted like the API server does: by operation, then time, then manager. */
export function encodeManagedFields(entries: ManagerEntry[]): JsonObject[] {
  const sorted = [...entries].sort((a, b) => {
    if (a.operation !== b.operation) return a.operation < b.operation ? -1 : 1;
    const ta = a.time ? Date.parse(a.time) : 0;
    const tb = b.time ? Date.parse(b.time) : 0;
    if (ta !== tb) return ta - tb;
    return a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0;
  });
  return sorted.map((e) => ({
    apiVersion: e.apiVersion,
    fieldsType: "FieldsV1",
    fieldsV1: toFieldsV1(e.fields),
    manager: e.manager,
    operation: e.operation,
    ...(e.time ? { time: e.time } : {}),
  }));
}
