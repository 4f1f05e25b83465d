/** Go's time.ParseDuration for the forms flowc writes (`1h2m3s`, `90s`, `1.5s`), in seconds. */
export function parseGoDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(h|m|s|ms)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    total += Number(m[1]) * { h: 3600, m: 60, s: 1, ms: 0.001 }[m[2] as "h" | "m" | "s" | "ms"];
    consumed += m[0].length;
  }
  if (consumed !== s.length || s.length === 0) throw new Error(`not a Go duration: ${s}`);
  return total;
}
