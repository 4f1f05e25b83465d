import { describe, expect, it } from "vitest";
import { nextFireTimes, parseCron, isValidTimezone } from "../../src/flow/cron.ts";

describe("GIVEN cron expressions in both accepted forms", () => {
  it.each([
    ["0 6 * * 1-5", "0 6 * * 1-5"],
    ["0 6 ? * MON-FRI *", "0 6 * * MON-FRI"],
    ["0 6 ? * 2-6 *", "0 6 * * 1,2,3,4,5"],
    ["30 2 1 * ? *", "30 2 1 * *"],
    ["@daily", "0 0 * * *"],
  ])("WHEN %s is parsed THEN its Unix form is %s", (input, unix) => {
    const r = parseCron(input);
    expect(r.ok && r.unix).toBe(unix);
  });
  it("THEN the AWS form fires at the same times as the Unix form", () => {
    const from = new Date("2026-11-29T00:00:00Z");
    expect(nextFireTimes("0 6 ? * 2-6 *", "Europe/Amsterdam", from, 10)).toEqual(nextFireTimes("0 6 * * 1-5", "Europe/Amsterdam", from, 10));
  });
  it.each(["61 * * * *", "* * * *", "0 6 ? * MON-FRI", "0 6 1 * MON *", "every day", "0 6 ? * *"])("WHEN %s is parsed THEN it is rejected", (bad) => {
    expect(parseCron(bad).ok).toBe(false);
  });
});

describe("GIVEN time zone names", () => {
  it.each(["Europe/Amsterdam", "America/New_York", "UTC", "Asia/Kolkata"])("%s is valid", (tz) => expect(isValidTimezone(tz)).toBe(true));
  it.each(["CEST", "Mars/Base", "", "Europe/Amsterdamm"])("%s is not", (tz) => expect(isValidTimezone(tz)).toBe(false));
});
