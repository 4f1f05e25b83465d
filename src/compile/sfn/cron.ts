import { parseCron } from "../../flow/cron.ts";

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;

export type AwsCron = { ok: true; expression: string } | { ok: false; error: string };

/**
 * A flow's cron (5-field Unix, or the 6-field AWS form) as EventBridge Scheduler's `cron(...)`:
 * - six fields: minute hour day-of-month month day-of-week year;
 * - exactly one of day-of-month and day-of-week is `?` (Unix `*` there means "any");
 * - days of the week are written as names (SUN-SAT), which both dialects read the same way; AWS
 *   numbers them 1=SUN..7=SAT where Unix has 0=SUN..6=SAT (and 7=SUN), so `L` and `#` forms, which
 *   must stay numeric, are shifted by one.
 * Unix cron fires when *either* day field matches if both are restricted; AWS cannot say that.
 */
export function toAwsCron(expr: string): AwsCron {
  const parsed = parseCron(expr);
  if (!parsed.ok) return parsed;
  const f = parsed.fields;
  const domAny = f.dayOfMonth === "*";
  const dowAny = f.dayOfWeek === "*";
  if (!domAny && !dowAny)
    return { ok: false, error: `both day-of-month (${f.dayOfMonth}) and day-of-week (${f.dayOfWeek}) are restricted; Unix cron runs when either matches, which AWS cron cannot express` };
  const dow = dowAny ? "?" : awsDayOfWeek(f.dayOfWeek);
  if (dow === undefined) return { ok: false, error: `the day-of-week field \`${f.dayOfWeek}\` cannot be translated` };
  const dom = dowAny ? f.dayOfMonth : "?";
  const fields = [from(f.minute, "0"), from(f.hour, "0"), from(dom, "1"), from(f.month, "1"), dow, f.year];
  return { ok: true, expression: `cron(${fields.join(" ")})` };
}

// Increments written with an explicit start (`0/15` rather than star-slash-15): the form AWS documents.
const from = (field: string, first: string) => field.replace(/(^|,)\*\//g, `$1${first}/`);

/** Unix day-of-week field → AWS, item by item. */
export function awsDayOfWeek(field: string): string | undefined {
  const out: string[] = [];
  for (const item of field.split(",")) {
    const m = /^(\*|[0-7]|[A-Za-z]{3})(?:-([0-7]|[A-Za-z]{3}))?(?:\/(\d+))?(#[1-5]|L)?$/.exec(item);
    if (!m) return undefined;
    const [, a, b, stepText, suffix] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined];
    // 7 stays 7 inside ranges (`7-7`, `7/2` are Sunday alone); day names are taken modulo 7.
    const num = (x: string) => (/^\d$/.test(x) ? Number(x) : DAY_NAMES.indexOf(x.toUpperCase() as (typeof DAY_NAMES)[number]));
    if (suffix) {
      // `5L` (last Friday), `1#2` (second Monday): AWS keeps these numeric, 1=SUN.
      if (b !== undefined || stepText !== undefined || a === "*") return undefined;
      const n = num(a);
      if (n < 0) return undefined;
      out.push(`${(n % 7) + 1}${suffix}`);
      continue;
    }
    if (a === "*") {
      // `*/2`: every other day from Sunday.
      const step = Number(stepText ?? 1);
      for (let n = 0; n <= 6; n += step) out.push(DAY_NAMES[n]!);
      continue;
    }
    const lo = num(a);
    const hiRaw = b === undefined ? undefined : /^\d$/.test(b) ? Number(b) : num(b);
    if (lo < 0 || (hiRaw !== undefined && hiRaw < 0)) return undefined;
    if (hiRaw === undefined && stepText === undefined) {
      out.push(DAY_NAMES[lo % 7]!);
      continue;
    }
    // Ranges (and `a/step`, which runs to the end of the week) are expanded: `5-7` (Fri-Sun) wraps
    // past Saturday, which an AWS range cannot do.
    const hi = hiRaw ?? Math.max(6, lo);
    const step = Number(stepText ?? 1);
    if (stepText === undefined && hi !== 7 && hi >= lo) {
      out.push(lo === hi ? DAY_NAMES[lo]! : `${DAY_NAMES[lo]}-${DAY_NAMES[hi]}`);
      continue;
    }
    for (let n = lo; n <= (hi < lo ? hi + 7 : hi); n += step) out.push(DAY_NAMES[n % 7]!);
  }
  return [...new Set(out)].join(",");
}
