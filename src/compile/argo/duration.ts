/**
 * Seconds as a Go duration string, which Argo's backoff fields parse: 90 → "1m30s", 3600 → "1h".
 * Clamped to about 31 years so that an exponential backoff cannot print "Infinity".
 */
export function goDuration(seconds: number): string {
  let s = Math.max(0, Math.round(Math.min(seconds, 1e9)));
  if (s === 0) return "0s";
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
}
