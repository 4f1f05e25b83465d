import { createHash } from "node:crypto";
import { stringify as yamlStringify } from "yaml";

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

/** Pretty JSON with a trailing newline: what reviewers read in pull requests. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(canonicalize(value), null, 2)}\n`;
}

/** Compact JSON with no whitespace: for hashing and for payloads that count bytes. */
export function toCompactJson(value: unknown): string {
  return JSON.stringify(canonicalize(value));
}

/** Multi-document YAML; Kubernetes objects get apiVersion, kind and metadata first. No line folding. */
export function toYaml(docs: readonly unknown[]): string {
  return docs
    .map((d) => yamlStringify(canonicalize(d, K8S_LEADING_KEYS), { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false }))
    .join("---\n");
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
