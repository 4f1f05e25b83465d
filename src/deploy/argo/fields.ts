import type { KubeObject, ManagedFieldsEntry } from "../../kube/client.ts";
import { FIELD_MANAGER } from "../../kube/client.ts";

/**
 * Field sets as server-side apply sees them, so that deploy can tell, from one read, whether an apply
 * would change anything, without sending it. An apply is a no-op exactly when (1) every field flowc
 * sets already has that value live and (2) the fields flowc manages (its `Apply` entry in
 * managedFields) are exactly the fields it sets now: a field it set before but no longer does would
 * be removed, and a field it sets but does not yet own would change ownership (a write).
 *
 * Paths are lists of keys; lists are leaves (Argo's CRDs declare none as associative, so the API
 * server owns and replaces them whole). Fields the server sets (status, uid, resourceVersion, ...)
 * never appear: nobody owns them.
 */
export type Path = string[];
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const pkey = (p: Path) => JSON.stringify(p);

/** Metadata the API server owns; never in an applied configuration's field set. */
const SYSTEM_METADATA = new Set(["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds"]);

/** The fields an applied configuration sets: its leaves (scalars, lists, empty objects). */
export function leafPaths(obj: KubeObject): Path[] {
  const out: Path[] = [];
  const walk = (v: Obj, path: Path) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || x === null) continue;
      if (path.length === 1 && path[0] === "metadata" && SYSTEM_METADATA.has(k)) continue;
      const p = [...path, k];
      if (isObj(x) && Object.keys(x).length > 0) walk(x, p);
      else out.push(p);
    }
  };
  const { apiVersion: _a, kind: _k, status: _s, ...content } = obj;
  walk(content, []);
  return out;
}

/**
 * Decodes a managedFields `fieldsV1` into leaf paths. `f:x` is a field; `.` marks a node that is
 * itself owned (ignored: only leaves matter here); `k:`, `v:` and `i:` name list items, which only
 * a list declared associative has; such a list counts as one leaf, as flowc sees it.
 */
export function decodeFieldsV1(fields: Obj | undefined): Path[] {
  const out: Path[] = [];
  const walk = (node: Obj, path: Path) => {
    let leaf = true;
    for (const [k, v] of Object.entries(node)) {
      if (k === ".") continue;
      leaf = false;
      if (k.startsWith("f:")) {
        const p = [...path, k.slice(2)];
        if (isObj(v) && Object.keys(v).some((c) => c !== ".")) walk(v, p);
        else out.push(p);
      } else {
        // A list item of an associative list: the list itself is what flowc compares.
        out.push(path);
        return;
      }
    }
    if (leaf && path.length) out.push(path);
  };
  if (fields) walk(fields, []);
  return dedupe(out);
}

function dedupe(paths: Path[]): Path[] {
  const seen = new Set<string>();
  return paths.filter((p) => (seen.has(pkey(p)) ? false : (seen.add(pkey(p)), true)));
}

export interface Manager {
  manager: string;
  operation: string;
  paths: Path[];
}

export function managers(live: KubeObject): Manager[] {
  return ((live.metadata.managedFields ?? []) as ManagedFieldsEntry[]).map((m) => ({
    manager: m.manager ?? "unknown",
    operation: m.operation ?? "Update",
    paths: decodeFieldsV1(m.fieldsV1),
  }));
}

const isFlowcApply = (m: Manager) => m.manager === FIELD_MANAGER && m.operation === "Apply";

/** The fields flowc's applies own on the live object (empty when flowc never applied it). */
export function flowcPaths(live: KubeObject): Path[] {
  return managers(live).filter(isFlowcApply).flatMap((m) => m.paths);
}

export function valueAt(obj: unknown, path: Path): unknown {
  let v = obj;
  for (const k of path) {
    if (!isObj(v)) return undefined;
    v = v[k];
  }
  return v;
}

/** Deep equality that ignores key order (the API server returns keys sorted). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined && a[k] !== null);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined && b[k] !== null);
    return ka.length === kb.length && ka.every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

/** A desired leaf holds live: equal, or an empty object where live has an object (others may fill it). */
function holds(live: KubeObject, desired: KubeObject, p: Path): boolean {
  const want = valueAt(desired, p);
  const have = valueAt(live, p);
  if (isObj(want) && Object.keys(want).length === 0) return isObj(have);
  return sameValue(have, want);
}

export function inSync(desired: KubeObject, live: KubeObject): boolean {
  const want = leafPaths(desired);
  if (!want.every((p) => holds(live, desired, p))) return false;
  const owned = new Set(flowcPaths(live).map(pkey));
  return owned.size === want.length && want.every((p) => owned.has(pkey(p)));
}

/**
 * The part of the live object that the plan compares with the desired one: the fields flowc sets
 * now or owned before. Fields other managers added (a controller's, an admin's annotation) are left
 * out, because an apply leaves them alone.
 */
export function projectLive(live: KubeObject, desired: KubeObject): Obj {
  const paths = [...leafPaths(desired), ...flowcPaths(live)];
  const out: Obj = {};
  for (const p of paths) {
    const v = valueAt(live, p);
    if (v === undefined) continue;
    let node = out;
    for (const k of p.slice(0, -1)) node = (node[k] = isObj(node[k]) ? node[k] : {}) as Obj;
    node[p[p.length - 1]!] = v;
  }
  return out;
}

/** The desired object as the plan compares it: what would be applied, without apiVersion/kind/name. */
export function comparable(desired: KubeObject): Obj {
  const { apiVersion: _a, kind: _k, ...rest } = desired;
  const { name: _n, namespace: _ns, ...meta } = rest.metadata;
  return { ...rest, metadata: meta };
}

/** A field another manager owns that this apply would set to a different value: a conflict. */
export interface FieldConflict {
  field: string;
  manager: string;
  operation: string;
}

/** The conflicts the API server will answer an apply of `desired` with (unless forced). */
export function predictConflicts(desired: KubeObject, live: KubeObject): FieldConflict[] {
  const others = managers(live).filter((m) => !isFlowcApply(m));
  const out: FieldConflict[] = [];
  for (const p of leafPaths(desired)) {
    if (holds(live, desired, p)) continue;
    for (const m of others) {
      // Owning the same field, a field inside it, or a leaf above it (an atomic list) all collide.
      const hit = m.paths.some((q) => startsWith(q, p) || startsWith(p, q));
      if (hit) out.push({ field: `.${p.join(".")}`, manager: m.manager, operation: m.operation });
    }
  }
  return out;
}

const startsWith = (p: Path, prefix: Path) => prefix.length <= p.length && prefix.every((k, i) => p[i] === k);
