/**
 * Argo's reading of a 5-field cron: the controller validates and runs CronWorkflow schedules with
 * robfig/cron v3's ParseStandard. Each field is a comma list of `*` or `?`, a number or name, or a
 * range `a-b`, each optionally `/step` (`a/step` runs to the field's maximum); day-of-week is 0-6
 * (no 7), names are three letters in any case, and there is no `L`, `W`, `#` or `H`. Ported from its
 * getField/getRange so that flowc refuses at compile time what Argo would refuse at apply time.
 */
interface Bounds {
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
export const ROBFIG_FIELDS: readonly (Bounds & { name: string })[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 0, max: 6, names: DAYS },
];

export type ArgoCron = { ok: true; values: number[][] } | { ok: false; error: string };

/** The values each field of `schedule` stands for to Argo, or Argo's reason to reject it. */
export function argoCron(schedule: string): ArgoCron {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return { ok: false, error: `expected exactly 5 fields, found ${fields.length}: ${schedule}` };
  const values: number[][] = [];
  for (const [i, b] of ROBFIG_FIELDS.entries()) {
    const r = field(fields[i]!, b);
    if (typeof r === "string") return { ok: false, error: `${b.name} \`${fields[i]}\`: ${r}` };
    values.push(r);
  }
  return { ok: true, values };
}

function field(text: string, b: Bounds): number[] | string {
  const out = new Set<number>();
  for (const expr of text.split(",").filter(Boolean)) {
    const r = range(expr, b);
    if (typeof r === "string") return r;
    r.forEach((v) => out.add(v));
  }
  return [...out].sort((x, y) => x - y);
}

function range(expr: string, b: Bounds): number[] | string {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0]!.split("-");
  let start: number;
  let end: number;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") [start, end] = [b.min, b.max];
  else {
    const s = intOrName(lowAndHigh[0]!, b);
    if (typeof s === "string") return s;
    start = s;
    if (lowAndHigh.length > 2) return `too many hyphens: ${expr}`;
    const e = lowAndHigh.length === 2 ? intOrName(lowAndHigh[1]!, b) : start;
    if (typeof e === "string") return e;
    end = e;
  }
  let step = 1;
  if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (rangeAndStep.length === 2) {
    const s = int(rangeAndStep[1]!);
    if (typeof s === "string") return s;
    step = s;
    if (lowAndHigh.length === 1) end = b.max;
  }
  if (start < b.min) return `beginning of range (${start}) below minimum (${b.min}): ${expr}`;
  if (end > b.max) return `end of range (${end}) above maximum (${b.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  const out: number[] = [];
  for (let v = start; v <= end; v += step) out.push(v);
  return out;
}

function intOrName(s: string, b: Bounds): number | string {
  const named = b.names?.indexOf(s.toLowerCase()) ?? -1;
  if (named >= 0) return named + (b.names === MONTHS ? 1 : 0);
  return int(s);
}

function int(s: string): number | string {
  if (!/^[+-]?\d+$/.test(s)) return `failed to parse int from ${s}`;
  const n = Number(s);
  return n < 0 ? `negative number (${n}) not allowed: ${s}` : n;
}
