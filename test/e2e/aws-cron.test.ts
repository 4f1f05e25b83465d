// The AWS cron evaluator the schedule proofs rely on (./aws-cron.ts), checked against fire times worked
// out by hand from the calendar, so that agreeing with cron-parser means something.
import { describe, expect, it } from "vitest";
import { awsCronFires, parseAwsCron } from "./aws-cron.ts";

const fires = (expr: string, tz: string, from: string, n: number) => awsCronFires(expr, tz, new Date(from), n).map((d) => d.toISOString().slice(0, 16));

describe("GIVEN the test suite's AWS cron evaluator", () => {
  it("WHEN a weekday schedule in Amsterdam crosses the switch to summer time (2026-03-29) THEN 06:00 local moves from 05:00Z to 04:00Z and weekends are skipped", () => {
    expect(fires("cron(0 6 ? * MON-FRI *)", "Europe/Amsterdam", "2026-03-25T00:00:00Z", 5)).toEqual([
      "2026-03-25T05:00",
      "2026-03-26T05:00",
      "2026-03-27T05:00",
      "2026-03-30T04:00",
      "2026-03-31T04:00",
    ]);
  });

  it("WHEN day-of-week is numeric THEN 1 is Sunday and 7 is Saturday", () => {
    expect(fires("cron(0 9 ? * 1,7 *)", "UTC", "2026-11-25T00:00:00Z", 3)).toEqual(["2026-11-28T09:00", "2026-11-29T09:00", "2026-12-05T09:00"]);
  });

  it("WHEN it says 2#2, 6L, L and 15W THEN it fires on the second Monday, the last Friday, the last day and the weekday nearest the 15th", () => {
    expect(fires("cron(0 9 ? * 2#2 *)", "UTC", "2026-01-01T00:00:00Z", 2)).toEqual(["2026-01-12T09:00", "2026-02-09T09:00"]);
    expect(fires("cron(0 9 ? * 6L *)", "UTC", "2026-01-01T00:00:00Z", 2)).toEqual(["2026-01-30T09:00", "2026-02-27T09:00"]);
    expect(fires("cron(0 0 L * ? *)", "UTC", "2026-01-15T00:00:00Z", 3)).toEqual(["2026-01-31T00:00", "2026-02-28T00:00", "2026-03-31T00:00"]);
    // 2026-08-15 is a Saturday (→ Friday 14th), 2026-11-15 a Sunday (→ Monday 16th)
    expect(fires("cron(0 12 15W 8,11 ? *)", "UTC", "2026-01-01T00:00:00Z", 2)).toEqual(["2026-08-14T12:00", "2026-11-16T12:00"]);
  });

  it("WHEN the local time does not exist (02:30 on 2026-03-29 in Amsterdam) THEN that day does not fire", () => {
    expect(fires("cron(30 2 * * ? *)", "Europe/Amsterdam", "2026-03-28T00:00:00Z", 2)).toEqual(["2026-03-28T01:30", "2026-03-30T00:30"]);
  });

  it("WHEN steps, ranges and a year are given THEN they bound the fire times", () => {
    expect(fires("cron(0/20 8-9 ? * MON 2027)", "UTC", "2026-12-30T00:00:00Z", 7)).toEqual([
      "2027-01-04T08:00",
      "2027-01-04T08:20",
      "2027-01-04T08:40",
      "2027-01-04T09:00",
      "2027-01-04T09:20",
      "2027-01-04T09:40",
      "2027-01-11T08:00",
    ]);
  });

  it("WHEN both day fields are given, or neither THEN the expression is refused", () => {
    expect(() => parseAwsCron("cron(0 6 1 * MON *)")).toThrow(/exactly one/);
    expect(() => parseAwsCron("cron(0 6 ? * ? *)")).toThrow(/exactly one/);
    expect(() => parseAwsCron("0 6 * * 1-5")).toThrow(/cron\(\)/);
  });
});
