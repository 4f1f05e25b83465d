import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, context, fastTarget, NAMES, NS, snapshot, useWorld } from "./setup.ts";

const target = fastTarget();

const w = useWorld();

describe("GIVEN an empty namespace", () => {
  it("WHEN deployed with --dry-run THEN the server dry-runs every apply, nothing is stored, nothing uploaded", async () => {
    const compiled = await compile(w, { message: "dry" });
    const r = await target.apply(context(w, compiled, { dryRun: true }));
    expect(r.plan.actions.map((a) => a.op)).toEqual(["create", "create", "create"]);
    expect(r.writes).toBe(0);
    expect(w.double.counts().writes).toBe(0);
    const applies = w.double.calls().filter((c) => c.verb === "apply");
    expect(applies.map((c) => [c.dryRun, c.query.dryRun, c.status])).toEqual(Array(3).fill([true, "All", 201]));
    expect(w.double.list(undefined, NS)).toEqual([]);
    expect(existsSync(`${w.datastore}/${compiled.result.manifest.spec.key}`)).toBe(false);
  });
});

describe("GIVEN a deployed flow", () => {
  it("WHEN a change is deployed with --dry-run THEN the plan shows it and the objects stay as they were", async () => {
    await target.apply(context(w, await compile(w)));
    const before = snapshot(w.double);
    w.double.reset();
    const r = await target.apply(context(w, await compile(w, { schedule: false, image: "alpine:3.21" }), { dryRun: true }));
    expect(r.plan.actions.map((a) => `${a.op} ${a.kind}`)).toEqual(["update WorkflowTemplate", "update Sensor", "delete CronWorkflow"]);
    expect(w.double.counts().writes).toBe(0);
    expect(w.double.calls().filter((c) => c.verb === "apply" || c.verb === "delete").every((c) => c.dryRun)).toBe(true);
    expect(snapshot(w.double)).toEqual(before);
    expect(w.double.get("CronWorkflow", NS, NAMES.cron)).toBeDefined();
  });
});
