/** Durations (`30s`, `10m`, `1h30m`, `2d`) and memory sizes (`512Mi`, `2Gi`) of the flow format. */

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Seconds, or undefined when the text is not a duration. Zero is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === "") return undefined;
  const [, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x)));
  const total = (d ?? 0) * 86400 + (h ?? 0) * 3600 + (min ?? 0) * 60 + (s ?? 0);
  return total > 0 ? total : undefined;
}

const MEMORY = /^(\d+(?:\.\d+)?)(Mi|Gi)$/;

/** Mebibytes, rounded up, or undefined when the text is not a memory size. */
export function parseMemory(text: string): number | undefined {
  const m = MEMORY.exec(text);
  if (!m) return undefined;
  const mib = Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
  return mib > 0 ? Math.ceil(mib) : undefined;
}

/** Canonical text of a number of seconds, e.g. 5400 → "1h30m". */
export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join("") || "0s";
}
