import { createHash } from "node:crypto";

/**
 * The one serializer for everything flowc writes. Determinism comes from the IR (maps sorted by name,
 * steps in flow order) and from the compilers building objects in a fixed order; this layer keeps
 * that order, drops `undefined`, puts a document's leading keys first, and fixes the formatting.
 */

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** Leading keys of Kubernetes objects, as kubectl and cdk8s print them. */
export const K8S_LEADING_KEYS = ["apiVersion", "kind", "metadata"] as const;

export function canonicalize(value: unknown, leading: readonly string[] = []): Plain {
  if (value === undefined) return null;
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`cannot serialize ${value}`);
    return value as Plain;
  }
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map((v) => canonicalize(v));
  const src = value as Record<string, unknown>;
  const keys = Object.keys(src).filter((k) => src[k] !== undefined);
  const first = leading.filter((k) => keys.includes(k));
  const out: Record<string, Plain> = {};
  for (const k of [...first, ...keys.filter((k) => !first.includes(k))]) out[k] = canonicalize(src[k]);
  return out;
}

/**
 * JSON.stringify already keeps insertion order and drops undefined object members; the replacer adds
 * the rest of `canonicalize`'s rules (no undefined in arrays, no NaN/Infinity) without copying the
 * document, which matters for a 1,000-step definition (a third of the compile's time was the copy).
 */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`cannot serialize ${value}`);
  if (Array.isArray(value) && value.includes(undefined)) return value.filter((v) => v !== undefined);
  return value;
}

/** Pretty JSON with a trailing newline: what reviewers read in pull requests. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value ?? null, jsonReplacer, 2)}\n`;
}

/** Compact JSON with no whitespace: for hashing and for payloads that count bytes. */
export function toCompactJson(value: unknown): string {
  return JSON.stringify(value ?? null, jsonReplacer);
}

/**
 * Multi-document YAML; Kubernetes objects get apiVersion, kind and metadata first. No line folding;
 * block style, sequences indented under their key.
 *
 * Written by hand (a 1,000-step WorkflowTemplate took the `yaml` package ~150 ms to print) and for
 * YAML 1.1 readers as well as 1.2: kubectl and the API server parse YAML 1.1-style, where a plain
 * `on`, `yes`, `y`, `12:30` or `1_000` is not a string, and Go reads `0o17` as a number. So a string is
 * written plain only when it cannot be read as anything else in either version; otherwise it is
 * double-quoted with JSON escapes, which are valid YAML escapes.
 */
export function toYaml(docs: readonly unknown[]): string {
  return docs
    .map((d) => {
      const out: string[] = [];
      emitBlock(canonicalize(d, K8S_LEADING_KEYS), "", out);
      return out.join("");
    })
    .join("---\n");
}

/** Words YAML 1.1 or 1.2 reads as booleans or null, in any case. */
const YAML_WORDS = new Set(["y", "yes", "n", "no", "true", "false", "on", "off", "null", "~"]);
/** Starts with a letter, `_` or `/` (or `-`/`--` and a letter); no character that means anything to YAML. */
const PLAIN_WORDS = /^(?:--?)?[A-Za-z_/][A-Za-z0-9_./@+=(),:-]*(?: [A-Za-z0-9_./@+=(),'-]+)*$/;
/** Quantities and durations such as 16384Mi, 1s, 4h7s: digits and letters, never a number in any YAML or in Go. */
const PLAIN_UNITS = /^[0-9][0-9A-Za-z]*$/;

function plain(s: string): boolean {
  // e0, E5: a bare exponent, which some YAML 1.1 readers take for a float.
  if (YAML_WORDS.has(s.toLowerCase()) || /^[eE][0-9]+$/.test(s)) return false;
  if (PLAIN_WORDS.test(s)) return !s.endsWith(":") && !s.includes(": ");
  return PLAIN_UNITS.test(s) && /[A-Za-z]/.test(s) && !/^0[xob]/i.test(s) && !/^[0-9]+e[0-9]+$/i.test(s);
}

function scalar(v: Plain): string {
  if (typeof v === "string") return plain(v) ? v : JSON.stringify(v);
  return v === null ? "null" : String(v);
}

const isMap = (v: Plain): v is { [key: string]: Plain } => v !== null && typeof v === "object" && !Array.isArray(v);
const empty = (v: Plain) => (Array.isArray(v) ? v.length === 0 : isMap(v) && Object.keys(v).length === 0);
const inline = (v: Plain) => (Array.isArray(v) ? "[]" : isMap(v) ? "{}" : scalar(v));

/** A map or a sequence whose lines start at `indent`; a scalar on its own line. */
function emitBlock(v: Plain, indent: string, out: string[]): void {
  if (Array.isArray(v) && v.length) for (const item of v) emitItem(item, indent, out);
  else if (isMap(v) && Object.keys(v).length) for (const [k, x] of Object.entries(v)) emitEntry(k, x, indent, out);
  else out.push(indent, inline(v), "\n");
}

function emitEntry(k: string, x: Plain, indent: string, out: string[]): void {
  const key = scalar(k);
  if (empty(x) || !(Array.isArray(x) || isMap(x))) out.push(indent, key, ": ", inline(x), "\n");
  else {
    out.push(indent, key, ":\n");
    emitBlock(x, `${indent}  `, out);
  }
}

/** `- item`: a map's first entry (or a nested sequence's first item) shares the dash's line. */
function emitItem(item: Plain, indent: string, out: string[]): void {
  if (empty(item) || !(Array.isArray(item) || isMap(item))) {
    out.push(indent, "- ", inline(item), "\n");
    return;
  }
  const first = out.length;
  emitBlock(item, `${indent}  `, out);
  // out[first] is the nested block's indent (or an inner dash line's): swap its two spaces for "- ".
  out[first] = `${indent}- ${out[first]!.slice(indent.length + 2)}`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
