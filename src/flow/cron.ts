import { lazy } from "../util/lazy.ts";

const cronParser = lazy<typeof import("cron-parser")>("cron-parser");

/**
 * Cron in the flow format: the 5-field Unix form, or the 6-field AWS form that users paste from the
 * console (`0 6 ? * MON-FRI *`). Everything is normalized to Unix form first and checked with
 * cron-parser; targets translate from there (AWS needs 6 fields, `?` and 1=Sunday day numbers).
 */
export type CronResult =
  | { ok: true; unix: string; fields: CronFields }
  | { ok: false; error: string };

export interface CronFields {
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  /** AWS year field; "*" for Unix input. */
  year: string;
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

export function parseCron(expr: string): CronResult {
  const text = MACROS[expr.trim()] ?? expr.trim();
  const parts = text.split(/\s+/).filter(Boolean);
  let fields: CronFields;
  if (parts.length === 5) {
    const [minute, hour, dayOfMonth, month, dayOfWeek] = parts as [string, string, string, string, string];
    fields = { minute, hour, dayOfMonth, month, dayOfWeek, year: "*" };
  } else if (parts.length === 6) {
    const [minute, hour, dayOfMonth, month, awsDow, year] = parts as [string, string, string, string, string, string];
    if (!/^(\*|\d{4}(-\d{4})?(,\d{4}(-\d{4})?)*)$/.test(year)) return { ok: false, error: `the year field \`${year}\` is not valid` };
    if (dayOfMonth !== "?" && awsDow !== "?")
      return { ok: false, error: "in the 6-field AWS form one of day-of-month and day-of-week must be `?`" };
    const dayOfWeek = awsDow === "?" ? "*" : mapDayNumbers(awsDow, (n) => (n + 6) % 7);
    if (dayOfWeek === undefined) return { ok: false, error: `the day-of-week field \`${awsDow}\` is not valid` };
    fields = { minute, hour, dayOfMonth: dayOfMonth === "?" ? "*" : dayOfMonth, month, dayOfWeek, year };
  } else {
    return { ok: false, error: `cron has ${parts.length} fields; write 5 (minute hour day-of-month month day-of-week)` };
  }
  if ([fields.dayOfMonth, fields.dayOfWeek].includes("?"))
    return { ok: false, error: "`?` belongs to the 6-field AWS form; in 5-field cron write `*`" };
  const unix = [fields.minute, fields.hour, fields.dayOfMonth, fields.month, fields.dayOfWeek].join(" ");
  try {
    cronParser().CronExpressionParser.parse(unix, { strict: false });
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  return { ok: true, unix, fields };
}

/**
 * Applies `f` to every day number in a day-of-week field (lists, ranges, steps, `n#k`, `nL`), leaving
 * names (MON-FRI) alone. Undefined when the field is malformed.
 */
export function mapDayNumbers(field: string, f: (n: number) => number): string | undefined {
  if (field === "*" || field === "?") return field;
  const out: string[] = [];
  for (const item of field.split(",")) {
    const m = /^(\*|[0-7]|[A-Za-z]{3})(?:-([0-7]|[A-Za-z]{3}))?(?:\/(\d+))?(#[1-5]|L)?$/.exec(item);
    if (!m) return undefined;
    const [, a, b, step, suffix] = m;
    const conv = (x: string) => (/^\d$/.test(x) ? String(f(Number(x))) : x);
    if (/^\d$/.test(a!) && (step !== undefined || (b !== undefined && /^\d$/.test(b)))) {
      // A numeric range cannot be shifted as text across the week's wrap (Fri-Sun); expand it.
      const lo = Number(a);
      const hi = b !== undefined ? Number(b) : 6;
      for (let n = lo; n <= hi; n += Number(step ?? 1)) out.push(conv(String(n)));
      continue;
    }
    if (a === "*" && step !== undefined) {
      for (let n = 0; n <= 6; n += Number(step)) out.push(conv(String(n)));
      continue;
    }
    out.push(`${conv(a!)}${b !== undefined ? `-${conv(b)}` : ""}${suffix ?? ""}`);
  }
  return out.join(",");
}

/**
 * A day-of-week field with Sunday written only as 0. Unix cron reads 7 as Sunday as well (`5 4 * * 7`,
 * `0 9 * * 5-7` for Friday to Sunday), and so does flowc; some schedulers do not (Argo's parser takes
 * 0-6). Items without a 7 are kept as written; one with a 7 becomes its days, Sunday as 0, read as
 * the other targets read it (`5-7` → `5,6,0`, `1-7/2` → `1,3,5,0`). Undefined when malformed.
 */
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export function sundayAsZero(field: string): string | undefined {
  const out: string[] = [];
  for (const raw of field.split(",")) {
    const seven = /(^|-)7(?![0-9])/.test(raw.split("/")[0]!);
    // Names become numbers so that `MON-7` reads as a range; `7/2` is Sunday alone (7 ends the week).
    const item = seven ? raw.replace(/[A-Za-z]{3}/g, (n) => (DAY_NAMES.includes(n.toUpperCase()) ? String(DAY_NAMES.indexOf(n.toUpperCase())) : n)).replace(/^7\/\d+$/, "7") : raw;
    const days = seven ? mapDayNumbers(item, (n) => n % 7) : item;
    if (days === undefined) return undefined;
    for (const d of days.split(",")) if (!out.includes(d)) out.push(d);
  }
  return out.join(",");
}

/** The next `count` fire times after `from`, in UTC ISO strings (for reviews and tests). */
export function nextFireTimes(expr: string, timezone: string | undefined, from: Date, count: number): string[] {
  const parsed = parseCron(expr);
  if (!parsed.ok) throw new Error(parsed.error);
  const it = cronParser().CronExpressionParser.parse(parsed.unix, { tz: timezone ?? "UTC", currentDate: from });
  return Array.from({ length: count }, () => it.next().toDate().toISOString());
}

/** True when `tz` is an IANA time zone name this runtime knows (or UTC). */
export function isValidTimezone(tz: string): boolean {
  if (tz === "UTC" || tz === "Etc/UTC") return true;
  if (!tz.includes("/")) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Every fire time in [from, to), oldest first, as Dates; stops after `limit` (the caller says what
 * more means). The AWS form's year field, which cron-parser does not know, filters the result.
 */
export function fireTimesBetween(expr: string, timezone: string | undefined, from: Date, to: Date, limit: number): { times: Date[]; more: boolean } {
  const parsed = parseCron(expr);
  if (!parsed.ok) throw new Error(parsed.error);
  const years = yearFilter(parsed.fields.year);
  // cron-parser starts after currentDate: a tick exactly at `from` counts.
  const it = cronParser().CronExpressionParser.parse(parsed.unix, { tz: timezone ?? "UTC", currentDate: new Date(from.getTime() - 1), endDate: to });
  const times: Date[] = [];
  while (it.hasNext()) {
    const t = it.next().toDate();
    if (t.getTime() >= to.getTime()) break;
    if (years && !years(t.getUTCFullYear())) continue;
    if (times.length === limit) return { times, more: true };
    times.push(t);
  }
  return { times, more: false };
}

function yearFilter(field: string): ((y: number) => boolean) | undefined {
  if (field === "*") return undefined;
  const ranges = field.split(",").map((r) => r.split("-").map(Number) as [number, number?]);
  return (y) => ranges.some(([a, b]) => (b === undefined ? y === a : y >= a && y <= b));
}
