import { CronExpressionParser } from "cron-parser";
import { describe, expect, it } from "vitest";
import { toAwsCron } from "../../../src/compile/sfn/cron.ts";
import { nextFireTimes } from "../../../src/flow/cron.ts";
import { compileText, file } from "./helpers.ts";

/**
 * An independent reading of AWS cron (6 fields, 1=SUN) for cron-parser: `?` is `*`, numeric days
 * shift down by one, names stay. Written separately from the compiler's translation on purpose.
 */
function awsToParser(aws: string): string {
  const [min, hour, dom, month, dow, year] = aws.replace(/^cron\(|\)$/g, "").split(" ");
  expect(year).toBe("*");
  const day = dow === "?" ? "*" : dow!.replace(/\d/g, (d, at: number, s: string) => (s[at - 1] === "#" ? d : String(Number(d) - 1)));
  return [min, hour, dom === "?" ? "*" : dom, month, day].join(" ");
}

const fires = (expr: string, tz: string, from: Date) => {
  const it = CronExpressionParser.parse(expr, { tz, currentDate: from });
  return Array.from({ length: 10 }, () => it.next().toDate().toISOString());
};

const TABLE: [unix: string, aws: string][] = [
  ["0 6 * * 1-5", "cron(0 6 ? * MON-FRI *)"],
  ["0 6 * * *", "cron(0 6 * * ? *)"],
  ["*/15 * * * *", "cron(0/15 * * * ? *)"],
  ["30 2 1 * *", "cron(30 2 1 * ? *)"],
  ["0 0 1,15 * *", "cron(0 0 1,15 * ? *)"],
  ["0 9 * * 0", "cron(0 9 ? * SUN *)"],
  ["0 9 * * 7", "cron(0 9 ? * SUN *)"],
  ["0 9 * * 6,0", "cron(0 9 ? * SAT,SUN *)"],
  ["0 9 * * 5-7", "cron(0 9 ? * FRI,SAT,SUN *)"],
  ["0 9 * * 1-7", "cron(0 9 ? * MON,TUE,WED,THU,FRI,SAT,SUN *)"],
  ["0 9 * * 7-7/1", "cron(0 9 ? * SUN *)"],
  ["0 9 * * 7/2", "cron(0 9 ? * SUN *)"],
  ["0 9 * * */2", "cron(0 9 ? * SUN,TUE,THU,SAT *)"],
  ["0 9 * * 1-5/2", "cron(0 9 ? * MON,WED,FRI *)"],
  ["0 9 * * MON-FRI", "cron(0 9 ? * MON-FRI *)"],
  ["0 9 * * 1#2", "cron(0 9 ? * 2#2 *)"],
  ["0 9 * * 5L", "cron(0 9 ? * 6L *)"],
  ["0 12 L * *", "cron(0 12 L * ? *)"],
  ["0 */4 * 1-6 *", "cron(0 0/4 * 1-6 ? *)"],
  ["0 0 */2 * *", "cron(0 0 1/2 * ? *)"],
  ["@daily", "cron(0 0 * * ? *)"],
  ["@weekly", "cron(0 0 ? * SUN *)"],
  ["0 6 ? * MON-FRI *", "cron(0 6 ? * MON-FRI *)"],
  ["0 6 ? * 2-6 *", "cron(0 6 ? * MON,TUE,WED,THU,FRI *)"],
];

describe("GIVEN 5-field cron expressions (and the 6-field AWS form)", () => {
  it.each(TABLE)("WHEN %s is translated THEN it is %s", (unix, aws) => {
    expect(toAwsCron(unix)).toEqual({ ok: true, expression: aws });
  });

  it.each(TABLE.filter(([u]) => u.split(" ").length !== 6))("WHEN %s is translated THEN the next 10 fire times match cron-parser's, in UTC and in Amsterdam", (unix) => {
    const r = toAwsCron(unix);
    if (!r.ok) throw new Error(r.error);
    const from = new Date("2026-03-25T00:00:00Z"); // spans the switch to summer time
    for (const tz of ["UTC", "Europe/Amsterdam"]) expect(fires(awsToParser(r.expression), tz, from)).toEqual(nextFireTimes(unix, tz, from, 10));
  });

  it("WHEN both day fields are restricted THEN the translation is refused, saying why", () => {
    const r = toAwsCron("0 6 1 * 1");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/either/);
  });
});

describe("GIVEN a flow with a schedule", () => {
  const flow = (schedule: string) => `apiVersion: flowc/v1
name: sched
schedule: ${schedule}
steps:
  start: { command: [a], next: end }
  end: { command: [a] }
`;
  it("WHEN it has a time zone THEN the schedule keeps it, targets the alias with the scheduler role, and has no flexible window", () => {
    const doc = JSON.parse(file(compileText(flow(`{ cron: "0 6 * * 1-5", timezone: Europe/Amsterdam }`)), ".schedule.json")!.content);
    expect(doc).toStrictEqual({
      Name: "sched-prod",
      GroupName: "default",
      Description: 'flowc: runs sched (prod) on "0 6 * * 1-5" in Europe/Amsterdam',
      ScheduleExpression: "cron(0 6 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Amsterdam",
      FlexibleTimeWindow: { Mode: "OFF" },
      // Scheduler puts the tick in; flowc step reads it as the run's scheduled time.
      Target: {
        Arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:sched:prod",
        RoleArn: "arn:aws:iam::123456789012:role/flowc-scheduler",
        Input: '{"_flowc":{"trigger":"schedule","scheduledTime":"<aws.scheduler.scheduled-time>"}}',
      },
      State: "ENABLED",
      ActionAfterCompletion: "NONE",
    });
  });
  it("WHEN it has no time zone THEN the schedule runs in UTC", () => {
    const doc = JSON.parse(file(compileText(flow(`{ cron: "0 6 * * *" }`)), ".schedule.json")!.content);
    expect(doc.ScheduleExpressionTimezone).toBe("UTC");
  });
  it("WHEN it has a starting deadline THEN a late start is given up after that long", () => {
    const doc = JSON.parse(file(compileText(flow(`{ cron: "0 6 * * *", startingDeadline: 10m }`)), ".schedule.json")!.content);
    expect(doc.Target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 600 });
  });
  it("WHEN both day fields are restricted THEN compiling fails at the cron, with INVALID_CRON", () => {
    const r = compileText(flow(`{ cron: "0 6 1 * 1" }`));
    expect(r.files).toEqual([]);
    expect(r.problems).toMatchObject([{ code: "INVALID_CRON", path: ["schedule", "cron"] }]);
  });
});
