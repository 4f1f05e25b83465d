import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompiledFlow } from "../../../src/compile/pipeline.ts";
import type { FaultMode } from "../../k8s/double.ts";
import { compile, context, fastTarget, snapshot, startWorld, type World } from "./setup.ts";

let w: World;
let compiled: CompiledFlow;
let clean: ReturnType<typeof snapshot>;
let calls: number;
const MODES: FaultMode[] = ["status500", "status429", "reset", "resetAfter"];

beforeAll(async () => {
  w = await startWorld();
  compiled = await compile(w);
  // A clean deploy: the objects every faulty one must end with, and how many calls it makes.
  await fastTarget().apply(context(w, compiled));
  clean = snapshot(w.double);
  calls = w.double.counts().total;
});
afterAll(() => w.stop());

function fresh() {
  w.double.clearStore();
  w.double.reset();
}

describe("GIVEN a clean deploy of a flow with a schedule and a trigger", () => {
  it("THEN it makes 11 calls: 3 LISTs, 3 GETs of missing names, 2 LISTs of Deployments (which Argo runs), 3 applies", () => {
    expect(calls).toBe(11);
  });

  for (const mode of MODES) {
    it(`WHEN one call fails with ${mode}, at each position in turn, THEN the deploy retries it and ends with the clean deploy's objects; a rerun writes nothing`, async () => {
      for (let at = 1; at <= calls; at++) {
        fresh();
        w.double.failNext({ at, mode });
        const r = await fastTarget().apply(context(w, compiled));
        expect(w.double.calls().some((c) => c.fault === mode), `fault at ${at} fired`).toBe(true);
        expect(snapshot(w.double), `${mode} at call ${at}`).toEqual(clean);
        expect(r.plan.actions.map((a) => a.op), `${mode} at call ${at}`).toEqual(["create", "create", "create"]);
        w.double.reset();
        await fastTarget().apply(context(w, compiled));
        expect(w.double.counts().writes, `rerun after ${mode} at ${at}`).toBe(0);
      }
    });

    it(`WHEN a deploy without retries dies at each call position with ${mode} THEN a rerun converges to the clean deploy's objects`, async () => {
      for (let at = 1; at <= calls; at++) {
        fresh();
        w.double.failNext({ at, mode });
        await fastTarget(1)
          .apply(context(w, compiled))
          .then(
            () => expect.fail(`${mode} at ${at}: the deploy should have failed`),
            (e: Error) => expect(e.message).toMatch(/500|429|ECONNRESET|socket hang up|network|reset|FetchError/i),
          );
        w.double.reset();
        await fastTarget().apply(context(w, compiled));
        expect(snapshot(w.double), `rerun after ${mode} at ${at}`).toEqual(clean);
      }
    });
  }
});

describe("GIVEN a deployed flow whose schedule is removed", () => {
  it("WHEN the delete's answer is lost (resetAfter) THEN the retry finds it gone and the deploy succeeds", async () => {
    fresh();
    await fastTarget().apply(context(w, compiled));
    const noSchedule = await compile(w, { schedule: false });
    w.double.reset();
    w.double.failNext({ mode: "resetAfter", match: (c) => c.verb === "delete" });
    const r = await fastTarget().apply(context(w, noSchedule));
    expect(r.plan.actions.find((a) => a.op === "delete")?.kind).toBe("CronWorkflow");
    expect(w.double.list("CronWorkflow")).toEqual([]);
  });

  it("WHEN an update's answer is lost (resetAfter) THEN the retried apply meets its own write, reads again and finishes", async () => {
    fresh();
    await fastTarget().apply(context(w, compiled));
    const changed = await compile(w, { image: "alpine:3.21" });
    w.double.reset();
    w.double.failNext({ mode: "resetAfter", match: (c) => c.verb === "apply" });
    const ctx = context(w, changed);
    const r = await fastTarget().apply(ctx);
    expect(r.plan.actions.map((a) => a.op)).toEqual(["update", "update", "update"]);
    expect(ctx.logged.warn.some((l) => /changed since it was read; reading again/.test(l))).toBe(true);
    w.double.reset();
    await fastTarget().apply(context(w, changed));
    expect(w.double.counts().writes).toBe(0);
  });
});
