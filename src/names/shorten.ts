import { createHash } from "node:crypto";

/**
 * Fits a name into a service's limit, keeping it readable: when too long, the parts are trimmed from
 * the left-most longest part and an 8-character hash of the full name is appended, so two long names
 * never collide and the same input always gives the same name.
 */
export function fitName(parts: readonly string[], max: number, opts: { sep?: string; sanitize?: (s: string) => string } = {}): string {
  const sep = opts.sep ?? "-";
  const clean = parts.map((p) => (opts.sanitize ? opts.sanitize(p) : p)).filter((p) => p.length > 0);
  const full = clean.join(sep);
  if (full.length <= max) return full;
  const hash = createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 8);
  const budget = max - hash.length - sep.length;
  const trimmed = [...clean];
  while (trimmed.join(sep).length > budget) {
    let longest = 0;
    for (let i = 1; i < trimmed.length; i++) if (trimmed[i]!.length > trimmed[longest]!.length) longest = i;
    const over = trimmed.join(sep).length - budget;
    const keep = Math.max(1, trimmed[longest]!.length - over);
    if (keep === trimmed[longest]!.length) {
      trimmed.splice(longest, 1);
      if (trimmed.length === 0) break;
    } else trimmed[longest] = trimmed[longest]!.slice(0, keep);
  }
  const head = trimmed.join(sep).replace(/[-_.]+$/, "");
  return head ? `${head}${sep}${hash}` : hash;
}

/** DNS-1123 label text: lowercase alphanumerics and '-', starting and ending alphanumeric. */
export const dnsLabel = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
