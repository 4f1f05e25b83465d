import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ATTEMPT_START_ALLOWANCE_SECONDS, RETRY_LATENCY_SECONDS } from "../../../src/compile/argo/retry.ts";
import { byKind, compileExample, compileYaml, docsOf, taskOf, templateOf, type Obj } from "./helpers.ts";
import { parseGoDuration } from "./sim/duration.ts";
import { retryTimeline } from "./sim/retry.ts";

/** The worst start and latency the budget allows for, and an ideal cluster. */
const WORST = { start: ATTEMPT_START_ALLOWANCE_SECONDS, latency: RETRY_LATENCY_SECONDS };
const IDEAL = { start: 0, latency: 0 };

const publishTemplate = async (): Promise<Obj> => {
  const wt = byKind(await compileExample("train.yaml"), "WorkflowTemplate")!;
  return templateOf(wt, taskOf(wt, "publish")!.template)!;
};

describe("GIVEN train-model's caught `publish` step: timeout 1h (pod deadline 3,630 s), two attempts", () => {
  it("WHEN the budget was (times + 1) × timeout + delays (flowc 0.1.0: 7,201 s) THEN Argo killed the last attempt before its timeout, before `flowc step --catch` could write failed.json", async () => {
    const t = structuredClone(await publishTemplate());
    t.retryStrategy.backoff.maxDuration = "2h1s";
    const last = retryTimeline(t, IDEAL).lastAttemptSeconds;
    expect(last).toBe(3570);
    expect(last).toBeLessThan(3600);
  });

  it("THEN maxDuration covers two attempts' start allowance and pod deadline plus the delay and the controller's latency", async () => {
    const t = await publishTemplate();
    expect(t.activeDeadlineSeconds).toBe(3630);
    expect(t.retryStrategy.backoff).toEqual({ duration: "1s", factor: 2, maxDuration: "2h22m1s" });
    expect(parseGoDuration(t.retryStrategy.backoff.maxDuration)).toBe(2 * (600 + 3630) + (1 + 60));
  });

  it.each([
    ["an ideal cluster", IDEAL],
    ["every attempt waiting 10 min for a node and retried a minute late", WORST],
  ])("WHEN run on %s THEN the retry happens and the last attempt keeps its whole pod deadline", async (_, pace) => {
    const r = retryTimeline(await publishTemplate(), pace);
    expect(r).toEqual({ attempts: 2, lastAttemptSeconds: 3630 });
  });
});

describe("GIVEN any retry, backoff and timeout a step can have", () => {
  const config = fc.record({
    times: fc.integer({ min: 1, max: 6 }),
    delay: fc.integer({ min: 1, max: 900 }),
    factor: fc.constantFrom(1, 1.5, 2, 3),
    max: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
    timeout: fc.integer({ min: 1, max: 6 * 3600 }),
    caught: fc.boolean(),
    onTimeout: fc.boolean(),
  });

  it("WHEN every attempt is killed by its deadline, late to start and slow to retry THEN Argo runs every attempt and the last one keeps its whole pod deadline", () => {
    fc.assert(
      fc.property(config, (c) => {
        const backoff = `{ delay: ${c.delay}s, factor: ${c.factor}${c.max ? `, max: ${c.max}s` : ""} }`;
        const text = [
          "apiVersion: flowc/v1",
          "name: r",
          "steps:",
          `  start: { command: [x], next: end, timeout: ${c.timeout}s${c.caught ? ", catch: true" : ""}, retry: { times: ${c.times}, onTimeout: ${c.onTimeout}, backoff: ${backoff} } }`,
          "  end: { command: [y] }",
        ].join("\n");
        const wt = docsOf(compileYaml(text))[0]!;
        const t = templateOf(wt, taskOf(wt, "start")!.template)!;
        for (const pace of [IDEAL, WORST]) expect(retryTimeline(t, pace)).toEqual({ attempts: c.times + 1, lastAttemptSeconds: t.activeDeadlineSeconds });
      }),
      { numRuns: 300 },
    );
  });
});

describe("GIVEN a retried step without a timeout", () => {
  it("THEN there is no budget: nothing would bound an attempt, so nothing may cut one short", () => {
    const wt = docsOf(compileYaml("apiVersion: flowc/v1\nname: r\nsteps:\n  start: { command: [x], next: end, retry: { times: 2 } }\n  end: { command: [y] }\n"))[0]!;
    expect(templateOf(wt, taskOf(wt, "start")!.template)!.retryStrategy.backoff.maxDuration).toBeUndefined();
  });
});
