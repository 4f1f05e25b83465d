/**
 * A structural diff of two JSON documents: what a reviewer reads in `flowc diff`, instead of one
 * changed JSON string. Arrays whose elements have a natural key (a state's name, an Argo template's
 * name, a tag's Key) are compared by that key, so inserting one element does not show as everything
 * after it changing.
 */
export type DiffPath = (string | number)[];

export type Change =
  | { op: "added"; path: DiffPath; after: unknown }
  | { op: "removed"; path: DiffPath; before: unknown }
  | { op: "changed"; path: DiffPath; before: unknown; after: unknown };

export interface DiffOptions {
  /** For an array at `path`, the field that identifies its elements (e.g. "name"), if any. */
  keyOf?: (path: DiffPath) => string | undefined;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export function diffValues(before: unknown, after: unknown, opts: DiffOptions = {}, path: DiffPath = []): Change[] {
  if (isObj(before) && isObj(after)) {
    const out: Change[] = [];
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !(k in before))];
    for (const k of keys) {
      if (!(k in after)) out.push({ op: "removed", path: [...path, k], before: before[k] });
      else if (!(k in before)) out.push({ op: "added", path: [...path, k], after: after[k] });
      else out.push(...diffValues(before[k], after[k], opts, [...path, k]));
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = opts.keyOf?.(path);
    const keyed = key && [...before, ...after].every((e) => isObj(e) && typeof e[key] === "string");
    if (keyed) {
      const b = new Map(before.map((e) => [(e as Record<string, string>)[key]!, e]));
      const a = new Map(after.map((e) => [(e as Record<string, string>)[key]!, e]));
      const out: Change[] = [];
      for (const [k, v] of b) if (!a.has(k)) out.push({ op: "removed", path: [...path, k], before: v });
      for (const [k, v] of a) {
        if (!b.has(k)) out.push({ op: "added", path: [...path, k], after: v });
        else out.push(...diffValues(b.get(k), v, opts, [...path, k]));
      }
      return out;
    }
    if (before.length === after.length) return before.flatMap((v, i) => diffValues(v, after[i], opts, [...path, i]));
    // Lists of scalars (ErrorEquals, depends, commands) read best as one change.
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ op: "changed", path, before, after }];
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (before === undefined) return [{ op: "added", path, after }];
  if (after === undefined) return [{ op: "removed", path, before }];
  return [{ op: "changed", path, before, after }];
}

/** One line per change, e.g. `~ States.fit.Retry[0].IntervalSeconds: 10 → 20`. */
export function formatChange(c: Change, label: (path: DiffPath) => string = formatPath): string {
  const v = (x: unknown) => {
    const s = JSON.stringify(x);
    return s === undefined ? "undefined" : s.length > 120 ? `${s.slice(0, 117)}...` : s;
  };
  switch (c.op) {
    case "added":
      return `+ ${label(c.path)}: ${v(c.after)}`;
    case "removed":
      return `- ${label(c.path)}: ${v(c.before)}`;
    case "changed":
      return `~ ${label(c.path)}: ${v(c.before)} → ${v(c.after)}`;
  }
}

export function formatPath(path: DiffPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? `${i ? "." : ""}${p}` : `[${JSON.stringify(p)}]`)).join("");
}
