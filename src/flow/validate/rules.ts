import { isValidTimezone, parseCron } from "../cron.ts";
import type { Problem } from "../normalize.ts";

/** Value rules the schema cannot express: cron and time zone. */
export function checkValues(raw: unknown): Problem[] {
  const problems: Problem[] = [];
  const schedule = (raw as { schedule?: unknown } | undefined)?.schedule as Record<string, unknown> | undefined;
  if (schedule && typeof schedule === "object") {
    if (typeof schedule.cron === "string") {
      const r = parseCron(schedule.cron);
      if (!r.ok)
        problems.push({
          code: "INVALID_CRON",
          message: `invalid cron ${JSON.stringify(schedule.cron)}: ${r.error}`,
          hint: "write 5 fields: minute hour day-of-month month day-of-week, e.g. \"0 6 * * 1-5\"",
          path: ["schedule", "cron"],
          part: "value",
        });
    }
    if (typeof schedule.timezone === "string" && !isValidTimezone(schedule.timezone))
      problems.push({
        code: "INVALID_TIMEZONE",
        message: `unknown time zone ${JSON.stringify(schedule.timezone)}`,
        hint: "use an IANA time zone name such as Europe/Amsterdam or America/New_York, or UTC",
        path: ["schedule", "timezone"],
        part: "value",
      });
  }
  return problems;
}
