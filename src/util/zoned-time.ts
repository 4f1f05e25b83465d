/**
 * Times as people type them on the command line (`--from 2026-11-02`, `--scheduled-time
 * 2026-12-04T06:00`), read in a flow's time zone, DST included. Intl knows every zone's offsets; a
 * wall-clock time is found by correcting a UTC guess by the zone's offset until it is stable.
 */

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formatters.set(timezone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in milliseconds (Amsterdam in winter: +3,600,000). */
export function zoneOffset(ms: number, timezone: string): number {
  const parts = Object.fromEntries(formatter(timezone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time names in a zone. In the hour a DST change skips, the time after the
 * change; in the hour it repeats, the first of the two.
 */
export function wallTimeToInstant(fields: { year: number; month: number; day: number; hour: number; minute: number; second: number }, timezone: string): Date {
  const wall = Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
  // Offsets before and after the time: the earlier one first, so a repeated hour gives its first instance.
  const before = zoneOffset(wall - 86_400_000, timezone);
  const after = zoneOffset(wall + 86_400_000, timezone);
  for (const offset of [before, after]) {
    const t = wall - offset;
    if (zoneOffset(t, timezone) === offset) return new Date(t);
  }
  // Skipped by a DST change: the wall time does not exist; take the instant the clock jumps past it.
  return new Date(wall - before);
}

/**
 * A time typed by a person: an ISO-8601 time with a zone (`Z`, `+01:00`) as it is; a date or a
 * wall-clock time without a zone in `timezone` (UTC when none). Undefined when it is neither.
 */
export function parseTimeArg(text: string, timezone: string | undefined): Date | undefined {
  const t = text.trim();
  if (ZONED.test(t)) {
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const m = WALL.exec(t);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number) as [number, number, number, number, number, number];
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return wallTimeToInstant({ year, month, day, hour, minute, second }, timezone ?? "UTC");
}

/** Whether the text is a date alone (no time of day). */
export const isDateOnly = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text.trim());
