// An evaluator of EventBridge (Scheduler) cron expressions, written for the tests from AWS's
// documentation, independently of the compiler's 5 → 6-field translation: `cron(minutes hours
// day-of-month month day-of-week year)`, day-of-week 1-7 = SUN-SAT, exactly one day field `?`,
// `*` `,` `-` `/`, names (JAN-DEC, SUN-SAT), `L` and `W` in day-of-month, `L` and `#` in day-of-week.
// Fire times are wall-clock times in the schedule's time zone (ScheduleExpressionTimezone): every
// instant whose local time matches fires, so a time skipped by a DST change never fires.

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  min: number;
  max: number;
  names?: string[];
  /** the number the first name stands for */
  base?: number;
}
const F = {
  minutes: { min: 0, max: 59 },
  hours: { min: 0, max: 23 },
  dom: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: MONTHS, base: 1 },
  dow: { min: 1, max: 7, names: DAYS, base: 1 },
  year: { min: 1970, max: 2199 },
} satisfies Record<string, Field>;

function value(text: string, f: Field): number {
  const named = f.names?.indexOf(text.toUpperCase()) ?? -1;
  const n = named >= 0 ? named + (f.base ?? 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < f.min || n > f.max) throw new Error(`cron: ${text} is out of range ${f.min}-${f.max}`);
  return n;
}

/** A plain field (`*`, lists, ranges, steps) as the set of numbers it allows. */
function numbers(text: string, f: Field): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(",")) {
    const [range, stepText] = item.split("/") as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron: bad step in ${item}`);
    let lo: number;
    let hi: number;
    if (range === "*") [lo, hi] = [f.min, f.max];
    else if (range.includes("-")) {
      const [a, b] = range.split("-") as [string, string];
      [lo, hi] = [value(a, f), value(b, f)];
      if (lo > hi) throw new Error(`cron: wrapping range ${range} is not supported here`);
    } else {
      lo = value(range, f);
      hi = stepText === undefined ? lo : f.max; // "5/10": from 5 to the end, every 10
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export interface AwsCron {
  minutes: Set<number>;
  hours: Set<number>;
  months: Set<number>;
  years: Set<number>;
  /** Whether a local date (y, m 1-12, d, weekday 0=SUN) is a day the expression fires on. */
  day: (y: number, m: number, d: number, weekday: number) => boolean;
}

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const weekdayOf = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

export function parseAwsCron(expression: string): AwsCron {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) throw new Error(`not a cron() expression: ${expression}`);
  const parts = m[1]!.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error(`cron() takes 6 fields, got ${parts.length}: ${expression}`);
  const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
  if ((dom === "?") === (dow === "?")) throw new Error(`cron: exactly one of day-of-month and day-of-week must be ?: ${expression}`);

  let day: AwsCron["day"];
  if (dow === "?") {
    if (dom === "L") day = (y, mo, d) => d === daysIn(y, mo);
    else if (dom === "LW") {
      day = (y, mo, d) => {
        let last = daysIn(y, mo);
        while ([0, 6].includes(weekdayOf(y, mo, last))) last--;
        return d === last;
      };
    } else if (/^\d+W$/.test(dom)) {
      const target = Number(dom.slice(0, -1));
      day = (y, mo, d) => {
        const dim = daysIn(y, mo);
        let t = Math.min(target, dim);
        const wd = weekdayOf(y, mo, t);
        if (wd === 6) t = t === 1 ? 3 : t - 1; // Saturday: the Friday before, unless that leaves the month
        else if (wd === 0) t = t === dim ? t - 2 : t + 1; // Sunday: the Monday after, unless that leaves it
        return d === t;
      };
    } else {
      const days = numbers(dom, F.dom);
      day = (_y, _mo, d) => days.has(d);
    }
  } else {
    const last = /^(\w+)L$/.exec(dow);
    const nth = /^(\w+)#([1-5])$/.exec(dow);
    if (dow === "L") day = (_y, _mo, _d, wd) => wd === 6;
    else if (last) {
      const want = value(last[1]!, F.dow) - 1;
      day = (y, mo, d, wd) => wd === want && d + 7 > daysIn(y, mo);
    } else if (nth) {
      const want = value(nth[1]!, F.dow) - 1;
      const k = Number(nth[2]);
      day = (_y, _mo, d, wd) => wd === want && Math.ceil(d / 7) === k;
    } else {
      const days = numbers(dow, F.dow); // 1 = SUN
      day = (_y, _mo, _d, wd) => days.has(wd + 1);
    }
  }
  return { minutes: numbers(min, F.minutes), hours: numbers(hour, F.hours), months: numbers(month, F.month), years: numbers(year, F.year), day };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of an instant in a time zone. */
function local(t: number, tz: string): { y: number; mo: number; d: number; h: number; mi: number } {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute! };
}

/** The next `count` fire times strictly after `from`, as UTC instants. */
export function awsCronFires(expression: string, tz: string, from: Date, count: number): Date[] {
  const cron = parseAwsCron(expression);
  const fires: Date[] = [];
  const MIN = 60_000;
  let t = Math.floor(from.getTime() / MIN) * MIN + MIN;
  const end = from.getTime() + 6 * 366 * 24 * 60 * MIN;
  while (fires.length < count && t < end) {
    const l = local(t, tz);
    const dayOk = cron.years.has(l.y) && cron.months.has(l.mo) && cron.day(l.y, l.mo, l.d, weekdayOf(l.y, l.mo, l.d));
    if (!dayOk || !cron.hours.has(l.h)) {
      t += (60 - l.mi) * MIN; // to the next local hour
      continue;
    }
    if (cron.minutes.has(l.mi)) fires.push(new Date(t));
    t += MIN;
  }
  return fires;
}
