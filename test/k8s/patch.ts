// JSON merge patch (RFC 7386) and JSON patch (RFC 6902), the two non-apply patch
// types the API server accepts for custom resources.

import { clone, deepEqual, isObject, type Json } from "./json.ts";

export class PatchError extends Error {}

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`invalid JSON pointer: ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolveParent(doc: Json, segs: string[], op: string, path: string): { parent: Json; last: string } {
  let cur: Json = doc;
  for (const s of segs.slice(0, -1)) {
    let next: Json | undefined;
    if (Array.isArray(cur) && /^\d+$/.test(s)) next = cur[Number(s)];
    else if (isObject(cur)) next = cur[s];
    if (next === undefined) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    cur = next;
  }
  return { parent: cur, last: segs[segs.length - 1]! };
}

function get(doc: Json, path: string, op: string): Json {
  const segs = parsePointer(path);
  if (segs.length === 0) return doc;
  const { parent, last } = resolveParent(doc, segs, op, path);
  const v = Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined;
  if (v === undefined) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return v;
}

function remove(doc: Json, path: string, op: string): Json {
  const segs = parsePointer(path);
  const { parent, last } = resolveParent(doc, segs, op, path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!/^\d+$/.test(last) || i >= parent.length) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
    return parent.splice(i, 1)[0]!;
  }
  if (isObject(parent) && last in parent) {
    const v = parent[last]!;
    delete parent[last];
    return v;
  }
  throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
}

function add(doc: Json, path: string, value: Json, op: string): Json {
  const segs = parsePointer(path);
  if (segs.length === 0) return clone(value);
  const { parent, last } = resolveParent(doc, segs, op, path);
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : Number(last);
    if ((last !== "-" && !/^\d+$/.test(last)) || i > parent.length) {
      throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
    }
    parent.splice(i, 0, clone(value));
  } else if (isObject(parent)) {
    parent[last] = clone(value);
  } else {
    throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return doc;
}

/** Applies an RFC 6902 patch; throws PatchError (the API server answers 422). */
export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let doc = clone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw new PatchError("invalid JSON patch operation");
    }
    const { op, path } = raw;
    switch (op) {
      case "add":
        doc = add(doc, path, raw.value as Json, op);
        break;
      case "remove":
        remove(doc, path, op);
        break;
      case "replace":
        get(doc, path, op);
        if (parsePointer(path).length === 0) doc = clone(raw.value as Json);
        else {
          remove(doc, path, op);
          doc = add(doc, path, raw.value as Json, op);
        }
        break;
      case "move": {
        const v = remove(doc, String(raw.from), op);
        doc = add(doc, path, v, op);
        break;
      }
      case "copy":
        doc = add(doc, path, get(doc, String(raw.from), op), op);
        break;
      case "test":
        if (!deepEqual(get(doc, path, op), raw.value)) throw new PatchError(`testing value ${path} failed: test failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}
