import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TAG } from "../../../src/deploy/ownership.ts";
import { compile, context, ENV, fastTarget, NS, startWorld, type World } from "./setup.ts";

let w: World;
const target = fastTarget();

beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.stop());

const foreign = { apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowTemplate", metadata: { name: "someone-elses", namespace: NS, labels: { [TAG.flow]: "nightly", [TAG.env]: ENV } }, spec: { entrypoint: "x", templates: [{ name: "x", container: { name: "main", image: "alpine" } }] } };

describe("GIVEN a deployed flow, a run of it, and objects flowc does not own", () => {
  beforeEach(async () => {
    w.double.clearStore();
    await target.apply(context(w, await compile(w)));
    await target.apply(context(w, await compile(w, { name: "other" })));
    w.double.seed(foreign);
    await target.start(context(w, await compile(w)), { params: {}, context: { scheduledTime: "2026-12-04T10:00:00Z", trigger: "manual" } });
    w.double.reset();
  });

  it("WHEN it is deleted THEN its Sensor, CronWorkflow and template go, in that order, and nothing else", async () => {
    const r = await target.destroy(context(w, await compile(w)));
    expect(r.plan.actions.map((a) => `${a.op} ${a.kind} ${a.name} (${a.reason})`)).toEqual([
      "delete Sensor nightly-dev (flowc delete)",
      "delete CronWorkflow nightly-dev (flowc delete)",
      "delete WorkflowTemplate nightly-dev (flowc delete)",
    ]);
    expect(w.double.writeLog().map((x) => `${x.verb} ${x.kind}`)).toEqual(["delete Sensor", "delete CronWorkflow", "delete WorkflowTemplate"]);
    const left = w.double.list(undefined, NS).map((o: any) => `${o.kind} ${o.metadata.name ?? o.metadata.generateName}`);
    expect(left.filter((l) => !l.startsWith("Workflow "))).toEqual(["CronWorkflow other-dev", "Sensor other-dev", "WorkflowTemplate other-dev", "WorkflowTemplate someone-elses"]);
    // Runs are history, not deployment: they stay (their pods and logs belong to them).
    expect(left.filter((l) => l.startsWith("Workflow "))).toHaveLength(1);
  });

  it("WHEN it is deleted twice THEN the second time there is nothing to do", async () => {
    await target.destroy(context(w, await compile(w)));
    w.double.reset();
    const r = await target.destroy(context(w, await compile(w)));
    expect(r.plan.actions).toEqual([]);
    expect(r.writes).toBe(0);
    expect(w.double.counts().writes).toBe(0);
  });

  it("WHEN it is deleted with --dry-run THEN the server checks each delete and nothing goes", async () => {
    const r = await target.destroy(context(w, await compile(w), { dryRun: true }));
    expect(r.plan.actions).toHaveLength(3);
    expect(r.writes).toBe(0);
    expect(w.double.counts().writes).toBe(0);
    expect(w.double.calls().filter((c) => c.verb === "delete").map((c) => c.dryRun)).toEqual([true, true, true]);
    expect(w.double.list(undefined, NS).length).toBe(8);
  });
});
