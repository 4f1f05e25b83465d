import type { JsonValue } from "../flow/ir.ts";
import type { Encoding } from "./records.ts";

/**
 * How TypeScript values and files meet. A value set by a TypeScript step is stored so that a command
 * downstream reads a sensible file, and a TypeScript step reads a file from a command as a value:
 *   - a string is stored as its text plus "\n" (encoding "text"): `cat` in a shell prints it as is;
 *   - anything else as JSON plus "\n" (encoding "json");
 *   - a file written by a command has no encoding: read as JSON when it parses, else as text with
 *     trailing newlines removed (what `$(cat file)` gives in a shell).
 * The trailing newline keeps `cat` over many inputs from running lines together.
 */
export function encodeValue(value: JsonValue): { bytes: Buffer; enc: Encoding } {
  if (typeof value === "string") return { bytes: Buffer.from(`${value}\n`), enc: "text" };
  return { bytes: Buffer.from(`${JSON.stringify(value)}\n`), enc: "json" };
}

export function decodeValue(bytes: Buffer, enc: Encoding | undefined): JsonValue {
  const text = bytes.toString("utf8");
  if (enc === "text") return text.endsWith("\n") ? text.slice(0, -1) : text;
  if (enc === "json") return JSON.parse(text) as JsonValue;
  const trimmed = text.trim();
  if (trimmed !== "" && /^[[{"\-0-9tfn]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed) as JsonValue;
    } catch {
      // not JSON: a plain text file
    }
  }
  return text.replace(/(\r?\n)+$/, "");
}

/** A value `ctx.set` accepts: plain JSON, no undefined, functions, NaN or class instances. */
export function checkJson(value: unknown, path = "value"): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot hold`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const err = checkJson(value[i], `${path}[${i}]`);
      if (err) return err;
    }
    return undefined;
  }
  if (typeof value === "object") {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return `${path} is a ${proto?.constructor?.name ?? "class instance"}, not plain JSON`;
    for (const [k, v] of Object.entries(value)) {
      const err = checkJson(v, `${path}.${k}`);
      if (err) return err;
    }
    return undefined;
  }
  return `${path} is ${typeof value === "undefined" ? "undefined" : `a ${typeof value}`}, not JSON`;
}
