import { toCompactJson } from "../../render/serialize.ts";

/**
 * Key-order-free equality for JSON documents. AWS hands back a definition, a policy or an event
 * pattern as a string whose key order and whitespace are its own; comparing strings would see a
 * change on every deploy, and "no change, no writes" would never hold.
 */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}

export const canonicalText = (value: unknown): string => toCompactJson(sortedKeys(value));

export const sameJson = (a: unknown, b: unknown): boolean => canonicalText(a) === canonicalText(b);

/** Parses a JSON document AWS returned; a document that is not JSON compares as its text. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
