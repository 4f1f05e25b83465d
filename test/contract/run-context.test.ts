import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dateIn, expandTemplates, normalizeTime, resolveRunContext, startFor, takeRunContext, triggerName, type RunContext } from "../../src/contract/run-context.ts";
import type { FlowIR, TriggerIR } from "../../src/flow/ir.ts";
import { parseTemplate } from "../../src/flow/placeholders.ts";
import { parseTimeArg, zoneOffset } from "../../src/util/zoned-time.ts";

const ctx = (over: Partial<RunContext> = {}): RunContext => ({ scheduledTime: "2026-12-04T05:00:00Z", trigger: "schedule", ...over });

describe("GIVEN mapping templates", () => {
  it("WHEN parsed THEN text and placeholders come apart, braces escape, unknown names are errors", () => {
    expect(parseTemplate("{date}")).toEqual({ ok: true, parts: [{ placeholder: { kind: "date" } }] });
    expect(parseTemplate("run-{upstream.params.day}!")).toEqual({ ok: true, parts: [{ text: "run-" }, { placeholder: { kind: "upstream.param", name: "day" } }, { text: "!" }] });
    expect(parseTemplate("{{literal}}")).toEqual({ ok: true, parts: [{ text: "{literal}" }] });
    expect(parseTemplate("")).toEqual({ ok: true, parts: [{ text: "" }] });
    expect(parseTemplate("{today}")).toMatchObject({ ok: false, error: "unknown placeholder `{today}`" });
    expect(parseTemplate("{date")).toMatchObject({ ok: false });
    expect(parseTemplate("a}b")).toMatchObject({ ok: false });
    expect(parseTemplate("{upstream.params.Day}")).toMatchObject({ ok: false });
  });

  it("WHEN expanded THEN {date} is the day in the flow's zone, {datetime} the UTC time, a lone upstream parameter keeps its type", () => {
    const values = { day: "{date}", at: "{datetime}", label: "{upstream.flow}/{upstream.runId} on {date}", n: "{upstream.params.n}", manual: "{date}" };
    const run = ctx({ scheduledTime: "2026-12-03T23:30:00Z", trigger: "after-ingest", upstream: { flow: "ingest", runId: "r1" } });
    const { values: out, errors } = expandTemplates(values, ["day", "at", "label", "n"], run, { timezone: "Europe/Amsterdam", upstreamParams: { n: 7 } });
    expect(errors).toEqual([]);
    expect(out).toEqual({ day: "2026-12-04", at: "2026-12-03T23:30:00Z", label: "ingest/r1 on 2026-12-04", n: 7, manual: "{date}" });
  });

  it("WHEN a template needs an upstream run the run does not have THEN it is an error, not an empty value", () => {
    const { errors } = expandTemplates({ up: "{upstream.runId}" }, ["up"], ctx(), { timezone: undefined });
    expect(errors).toEqual(["parameter `up`: {upstream.runId} needs an upstream run, and this run (schedule) has none"]);
    const missing = expandTemplates({ d: "{upstream.params.day}" }, ["d"], ctx({ upstream: { flow: "f", runId: "r" } }), { timezone: undefined, upstreamParams: {} });
    expect(missing.errors).toEqual(["parameter `d`: the upstream run f/r has no parameter `day`"]);
  });
});

describe("GIVEN the run context as orchestrators pass it", () => {
  it("WHEN it comes as an object (Step Functions, flowc run) or as Argo's JSON text THEN it is taken out of the parameters", () => {
    expect(takeRunContext({ day: "x", _flowc: { trigger: "schedule", templates: ["day"] } })).toEqual({ params: { day: "x" }, input: { trigger: "schedule", templates: ["day"] } });
    const argo = takeRunContext([{ name: "day", value: "{date}" }, { name: "_flowc", value: '{"trigger":"schedule"}' }]);
    expect(argo).toEqual({ params: [{ name: "day", value: "{date}" }], input: { trigger: "schedule" } });
    expect(takeRunContext([{ name: "_flowc", value: "" }]).input).toEqual({});
    expect(takeRunContext({ _flowc: "{nope" }).error).toMatch(/not JSON/);
    expect(takeRunContext({ _flowc: [1] }).error).toMatch(/must be an object/);
    expect(takeRunContext({ day: "x" })).toEqual({ params: { day: "x" } });
  });

  it("WHEN it has no scheduled time THEN a CronWorkflow run takes Argo's, any other run the time it started, never an unresolved Argo tag", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const fallbacks = { startedAt: "2026-12-04T05:00:03.123Z", cronTime: "2026-12-04T06:00:00+01:00", now };
    expect(resolveRunContext({ trigger: "schedule" }, fallbacks).context.scheduledTime).toBe("2026-12-04T05:00:00Z");
    expect(resolveRunContext({ trigger: "schedule" }, { ...fallbacks, cronTime: "{{workflow.scheduledTime}}" }).context.scheduledTime).toBe("2026-12-04T05:00:03Z");
    expect(resolveRunContext(undefined, fallbacks).context).toEqual({ scheduledTime: "2026-12-04T05:00:03Z", trigger: "manual" });
    expect(resolveRunContext(undefined, { now }).context.scheduledTime).toBe("2030-01-01T00:00:00Z");
    expect(resolveRunContext({ scheduledTime: "yesterday" }, fallbacks).error).toMatch(/not an ISO-8601 time/);
  });

  it("WHEN triggers are named THEN the ids are the rule-name suffixes: after-<flow>, event-<n> counting events from 1", () => {
    const triggers: TriggerIR[] = [
      { kind: "event", source: ["a"], parameters: {} },
      { kind: "afterFlow", flow: "ingest", parameters: {} },
      { kind: "event", source: ["b"], parameters: {} },
    ];
    expect(triggers.map((_, i) => triggerName(triggers, i))).toEqual(["event-1", "after-ingest", "event-2"]);
  });
});

describe("GIVEN times in a time zone", () => {
  it("WHEN a UTC time is near midnight THEN {date} is the zone's calendar day, across DST", () => {
    expect(dateIn("2026-03-28T23:30:00Z", "Europe/Amsterdam")).toBe("2026-03-29");
    expect(dateIn("2026-03-29T21:59:00Z", "Europe/Amsterdam")).toBe("2026-03-29");
    expect(dateIn("2026-03-29T22:00:00Z", "Europe/Amsterdam")).toBe("2026-03-30");
    expect(dateIn("2026-12-04T04:00:00Z", "America/New_York")).toBe("2026-12-03");
    expect(dateIn("2026-12-04T04:00:00Z", undefined)).toBe("2026-12-04");
  });

  it("WHEN a person types a date or a wall-clock time THEN it is read in the zone; skipped and repeated DST hours are settled", () => {
    expect(parseTimeArg("2026-12-04", "Europe/Amsterdam")?.toISOString()).toBe("2026-12-03T23:00:00.000Z");
    expect(parseTimeArg("2026-07-04T06:00", "Europe/Amsterdam")?.toISOString()).toBe("2026-07-04T04:00:00.000Z");
    expect(parseTimeArg("2026-07-04T06:00:00+02:00", "UTC")?.toISOString()).toBe("2026-07-04T04:00:00.000Z");
    // 02:30 does not exist on 2026-03-29 in Amsterdam: the clock jumps from 02:00 to 03:00.
    expect(parseTimeArg("2026-03-29T02:30", "Europe/Amsterdam")?.toISOString()).toBe("2026-03-29T01:30:00.000Z");
    // 02:30 happens twice on 2026-10-25: the first one (summer time) is meant.
    expect(parseTimeArg("2026-10-25T02:30", "Europe/Amsterdam")?.toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(parseTimeArg("2026-02-30", "UTC")).toBeUndefined();
    expect(parseTimeArg("tomorrow", "UTC")).toBeUndefined();
    expect(normalizeTime("2026-12-04T06:00:00.250+01:00")).toBe("2026-12-04T05:00:00Z");
  });

  it("WHEN any instant is shown as wall-clock time in a zone and read back THEN it is the same instant (outside repeated hours)", () => {
    const zones = ["Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }), fc.constantFrom(...zones), (ms, tz) => {
        const t = Math.floor(ms / 1000) * 1000;
        const wall = new Date(t + zoneOffset(t, tz)).toISOString().slice(0, 19);
        const back = parseTimeArg(wall, tz)!.getTime();
        // In a repeated hour the wall time names two instants; the first is chosen.
        if (back !== t) expect(zoneOffset(back, tz)).toBeGreaterThan(zoneOffset(t, tz));
        else expect(back).toBe(t);
      }),
      { numRuns: 500 },
    );
  });
});

describe("GIVEN a flow with a schedule that maps its day", () => {
  const ir = { schedule: { cron: "0 6 * * 1-5", timezone: "Europe/Amsterdam", concurrency: "allow", parameters: { day: "{date}", note: "at {datetime}" } } } as unknown as FlowIR;
  it("WHEN flowc starts it for a tick THEN the context names the tick and the mapping is expanded; a manual start maps nothing", () => {
    const s = startFor(ir, new Date("2026-12-03T23:30:00Z"), "backfill");
    expect(s).toEqual({ context: { scheduledTime: "2026-12-03T23:30:00Z", trigger: "backfill" }, mapped: { day: "2026-12-04", note: "at 2026-12-03T23:30:00Z" }, errors: [] });
    expect(startFor(ir, undefined, "manual", new Date("2026-01-01T10:00:00.5Z"))).toEqual({ context: { scheduledTime: "2026-01-01T10:00:00Z", trigger: "manual" }, mapped: {}, errors: [] });
  });
});
