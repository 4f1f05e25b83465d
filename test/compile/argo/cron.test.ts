import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { argoCron } from "../../../src/compile/argo/cron.ts";
import { toAwsCron } from "../../../src/compile/sfn/cron.ts";
import { nextFireTimes, parseCron, sundayAsZero } from "../../../src/flow/cron.ts";
import { compileYaml, docsOf } from "./helpers.ts";

const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const flow = (cron: string) => `apiVersion: flowc/v1\nname: sched\nschedule: { cron: "${cron}" }\nsteps:\n  start: { command: [a], next: end }\n  end: { command: [b] }\n`;
const cronOf = (cron: string) => {
  const r = compileYaml(flow(cron));
  return { problems: r.problems, schedules: r.files.length ? (docsOf(r).find((d) => d.kind === "CronWorkflow")?.spec.schedules as string[]) : undefined };
};

describe("GIVEN Argo's cron parser (robfig/cron v3 ParseStandard, ported)", () => {
  it.each([
    ["0 6 * * 1-5", [4, [1, 2, 3, 4, 5]]],
    ["0 6 * * mon-FRI", [4, [1, 2, 3, 4, 5]]],
    ["*/15 * * * *", [0, [0, 15, 30, 45]]],
    ["0 0 1/10 * *", [2, [1, 11, 21, 31]]],
    ["0 0 * JAN-MAR,dec *", [3, [1, 2, 3, 12]]],
    ["0 0 * * 1-5/2", [4, [1, 3, 5]]],
    ["0 0 * * 4/2", [4, [4, 6]]],
    ["0 0 * * ?", [4, [0, 1, 2, 3, 4, 5, 6]]],
  ] as const)("WHEN it reads %s THEN field %j", (cron, [i, values]) => {
    const r = argoCron(cron);
    expect(r.ok && r.values[i]).toEqual(values);
  });

  it.each([
    ["5 4 * * 7", "end of range (7) above maximum (6)"],
    ["0 9 * * 5-7", "end of range (7) above maximum (6)"],
    ["0 9 * * 0-7", "end of range (7) above maximum (6)"],
    ["H 0 * * *", "failed to parse int from H"],
    ["0 0 * * 5L", "failed to parse int from 5L"],
    ["0 0 5--5 * *", "too many hyphens"],
    ["*//2 * * * *", "too many slashes"],
    ["*/0 * * * *", "step of range should be a positive number"],
    ["0 0 0 * *", "below minimum"],
    ["0 24 * * *", "above maximum"],
    ["0 0 * * 5-3", "beyond end of range"],
    ["0 0 * *", "expected exactly 5 fields"],
  ])("WHEN it reads %s THEN it rejects it: %s", (cron, error) => {
    const r = argoCron(cron);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(error);
  });
});

describe("GIVEN a schedule whose day-of-week writes Sunday as 7", () => {
  it.each([
    ["5 4 * * 7", "5 4 * * 0"],
    ["0 9 * * 5-7", "0 9 * * 5,6,0"],
    ["0 9 * * 1-7", "0 9 * * 1,2,3,4,5,6,0"],
    ["0 9 * * 6,7,1", "0 9 * * 6,0,1"],
    ["0 9 * * MON-7", "0 9 * * 1,2,3,4,5,6,0"],
    ["0 9 * * 1-7/2", "0 9 * * 1,3,5,0"],
    ["0 9 * * 1-5", "0 9 * * 1-5"],
  ])("WHEN compiled for Argo THEN %s is scheduled as %s, which Argo's parser accepts, firing at the same times", (cron, argo) => {
    const { problems, schedules } = cronOf(cron);
    expect(problems).toEqual([]);
    expect(schedules).toEqual([argo]);
    expect(argoCron(argo).ok).toBe(true);
    const from = new Date("2026-03-25T00:00:00Z");
    expect(nextFireTimes(argo, "Europe/Amsterdam", from, 10)).toEqual(nextFireTimes(cron, "Europe/Amsterdam", from, 10));
  });

  it("WHEN a field is one Argo's parser rejects for another reason (H) THEN compile says so instead of writing a CronWorkflow Argo refuses", () => {
    const { problems, schedules } = cronOf("H 6 * * *");
    expect(problems).toMatchObject([{ code: "TARGET_UNSUPPORTED", message: "Argo's cron parser rejects `H 6 * * *`: minute `H`: failed to parse int from H" }]);
    expect(schedules).toBeUndefined();
  });
});

describe("GIVEN any day-of-week field of numbers 0-7, names, ranges, lists and steps", () => {
  const num = fc.integer({ min: 0, max: 7 });
  const day = fc.oneof(num.map(String), fc.integer({ min: 0, max: 6 }).map((n) => DAYS[n]!));
  const item = fc.oneof(
    day,
    fc.tuple(num, num).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.tuple(num, num, fc.integer({ min: 1, max: 3 })).map(([a, b, s]) => `${Math.min(a, b)}-${Math.max(a, b)}/${s}`),
    fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 3 })).map(([a, s]) => `${a}/${s}`),
    fc.integer({ min: 1, max: 3 }).map((s) => `*/${s}`),
  );
  const dow = fc.array(item, { minLength: 1, maxLength: 3 }).map((xs) => xs.join(","));

  it("WHEN compiled for both targets THEN Argo's parser accepts the Argo schedule and reads the same days the Step Functions schedule names", () => {
    fc.assert(
      fc.property(dow, (field) => {
        fc.pre(parseCron(`0 9 * * ${field}`).ok); // flowc's validator refuses some (a day listed twice)
        const argo = `0 9 * * ${sundayAsZero(field)}`;
        const r = argoCron(argo);
        expect(r.ok, argo).toBe(true);
        const aws = toAwsCron(`0 9 * * ${field}`);
        if (!aws.ok) throw new Error(aws.error);
        const awsDays = aws.expression.replace(/^cron\(|\)$/g, "").split(" ")[4]!.split(",").flatMap((x) => {
          const [a, b] = x.split("-").map((n) => DAYS.indexOf(n));
          return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, k) => a! + k);
        });
        expect(r.ok && r.values[4]).toEqual([...new Set(awsDays)].sort((x, y) => x - y));
      }),
      { numRuns: 500 },
    );
  });
});
