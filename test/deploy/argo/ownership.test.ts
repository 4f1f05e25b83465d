import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ownerToken, TAG } from "../../../src/deploy/ownership.ts";
import { compile, context, fastTarget, NAMES, NS, snapshot, startWorld, type World } from "./setup.ts";

let w: World;
const target = fastTarget();
const teamA = ownerToken("team-a");

beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.stop());

describe("GIVEN a flow deployed by team-a", () => {
  beforeEach(async () => {
    w.double.clearStore();
    await target.apply(context(w, await compile(w), { owner: "team-a" }));
    w.double.reset();
  });

  it("THEN every object carries team-a's owner token", () => {
    for (const kind of ["WorkflowTemplate", "CronWorkflow", "Sensor"]) expect((w.double.get(kind, NS, NAMES.template) as any).metadata.labels[TAG.owner]).toBe(teamA);
  });

  it("WHEN team-b deploys it THEN it is refused with the token to authorize, and nothing is written", async () => {
    const before = snapshot(w.double);
    const err = (await target.apply(context(w, await compile(w, { image: "alpine:3.21" }), { owner: "team-b" })).catch((e) => e)) as Error & { hint: string };
    expect(err.message).toContain(`WorkflowTemplate nightly-dev: this deployment belongs to another owner (token ${teamA})`);
    expect(err.hint).toBe(`if you mean to take it over, rerun with --authorize ${teamA}`);
    expect(w.double.counts().writes).toBe(0);
    expect(snapshot(w.double)).toEqual(before);
  });

  it("WHEN team-b removes the schedule THEN team-a's CronWorkflow is not deleted either", async () => {
    await expect(target.apply(context(w, await compile(w, { schedule: false }), { owner: "team-b" }))).rejects.toThrow(/another owner/);
    expect(w.double.get("CronWorkflow", NS, NAMES.cron)).toBeDefined();
  });

  it("WHEN team-b deletes it THEN it is refused", async () => {
    await expect(target.destroy(context(w, await compile(w), { owner: "team-b" }))).rejects.toThrow(/another owner/);
    expect(w.double.list(undefined, NS)).toHaveLength(3);
  });

  it("WHEN team-b deploys with --authorize and team-a's token THEN team-b takes it over", async () => {
    const r = await target.apply(context(w, await compile(w), { owner: "team-b", authorize: teamA }));
    expect(r.plan.actions.map((a) => a.reason)).toEqual(Array(3).fill(`taking over from owner ${teamA}`));
    for (const kind of ["WorkflowTemplate", "CronWorkflow", "Sensor"]) expect((w.double.get(kind, NS, NAMES.template) as any).metadata.labels[TAG.owner]).toBe(ownerToken("team-b"));
    // Now team-a is the one refused.
    await expect(target.apply(context(w, await compile(w), { owner: "team-a" }))).rejects.toThrow(/another owner/);
  });

  it("WHEN a wrong token is given to --authorize THEN it is still refused", async () => {
    await expect(target.apply(context(w, await compile(w), { owner: "team-b", authorize: ownerToken("team-c") }))).rejects.toThrow(/another owner/);
  });

  it("WHEN team-a's other kubeconfig user deploys without --owner THEN the default identity (the kubeconfig user) differs and is refused", async () => {
    await expect(target.apply(context(w, await compile(w), { context: "flowc-double-alt" }))).rejects.toThrow(/another owner/);
  });
});
