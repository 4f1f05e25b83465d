import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TAG } from "../../../src/deploy/ownership.ts";
import { compile, context, ENV, fastTarget, NAMES, NS, startWorld, type World } from "./setup.ts";

let w: World;
const target = fastTarget();

beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.stop());

const workflows = () => w.double.list("Workflow", NS) as any[];

const MANUAL = { scheduledTime: "2026-12-04T10:00:00Z", trigger: "manual" };

describe("GIVEN a deployed flow with parameters day (string), size (integer), dry (boolean)", () => {
  beforeEach(async () => {
    w.double.clearStore();
    await target.apply(context(w, await compile(w)));
    w.double.reset();
  });

  it("WHEN triggered with parameters THEN a Workflow is created from the template with them, and its name and UI link are returned", async () => {
    const run = await target.start(context(w, await compile(w)), { params: { day: "2026-11-29", size: "5" }, context: { scheduledTime: "2026-11-29T05:00:00Z", trigger: "manual" } }).then((r) => r.run);
    const [wf] = workflows();
    expect(run).toEqual({ id: wf.metadata.name, status: "Pending", link: `https://argo.example.com/workflows/${NS}/${wf.metadata.name}` });
    expect(wf.metadata.name).toMatch(/^nightly-dev-[a-z0-9]{5}$/);
    expect(wf.metadata.labels).toMatchObject({ [TAG.flow]: "nightly", [TAG.env]: ENV, "flowc.dev/trigger": "manual" });
    expect(wf.spec).toEqual({
      workflowTemplateRef: { name: NAMES.template },
      arguments: {
        parameters: [
          { name: "day", value: "2026-11-29" },
          { name: "dry", value: "false" },
          { name: "size", value: "5" },
          // The run context: tasks get FLOWC_SCHEDULED_TIME and FLOWC_TRIGGER from it.
          { name: "_flowc", value: '{"trigger":"manual","scheduledTime":"2026-11-29T05:00:00Z"}' },
        ],
      },
    });
  });

  it("WHEN a parameter is unknown or of the wrong type THEN nothing is submitted and each problem is named", async () => {
    const err = (await target.start(context(w, await compile(w)), { params: { days: "x", size: "many" }, context: MANUAL }).catch((e) => e)) as Error;
    expect(err.message).toBe("parameter `size` is of type integer, got \"many\"\nunknown parameter `days`: did you mean `day`? the flow declares `day`, `dry`, `size`");
    expect(w.double.calls()).toEqual([]);
  });

  it("WHEN the create's answer is lost (resetAfter) THEN the retry finds the Workflow it made instead of starting a second run", async () => {
    w.double.failNext({ mode: "resetAfter", match: (c) => c.verb === "create" });
    const run = await target.start(context(w, await compile(w)), { params: {}, context: MANUAL }).then((r) => r.run);
    expect(workflows().map((o) => o.metadata.name)).toEqual([run.id]);
  });

  it("WHEN the flow is not deployed THEN trigger says so and how to deploy", async () => {
    w.double.clearStore();
    await expect(target.start(context(w, await compile(w)), { params: {}, context: MANUAL }).then((r) => r.run)).rejects.toMatchObject({
      message: `nightly is not deployed to ${ENV}: no WorkflowTemplate ${NS}/${NAMES.template}`,
      hint: expect.stringContaining("flowc deploy"),
    });
  });
});

describe("GIVEN Workflows of the flow in several phases, and one of another flow", () => {
  beforeAll(() => {
    w.double.clearStore();
    const wf = (name: string, flow: string, status?: Record<string, string>) =>
      w.double.seed({ apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name, namespace: NS, labels: { [TAG.flow]: flow, [TAG.env]: ENV } }, spec: { workflowTemplateRef: { name: "x" } }, ...(status ? { status } : {}) });
    wf("nightly-dev-aaaaa", "nightly", { phase: "Succeeded", startedAt: "2026-11-28T06:00:00Z", finishedAt: "2026-11-28T06:03:20Z" });
    wf("nightly-dev-bbbbb", "nightly", { phase: "Failed", startedAt: "2026-11-29T06:00:00Z", finishedAt: "2026-11-29T06:00:42Z" });
    wf("nightly-dev-ccccc", "nightly", { phase: "Running", startedAt: "2026-11-29T07:00:00Z" });
    wf("other-dev-ddddd", "other", { phase: "Running", startedAt: "2026-11-29T07:00:00Z" });
  });

  it("WHEN runs are listed THEN they are the flow's, newest first, with phase, duration and UI link", async () => {
    const runs = await target.runs(context(w, await compile(w)), { limit: 2 });
    expect(runs.map((r) => [r.id, r.status, r.startedAt])).toEqual([
      ["nightly-dev-ccccc", "Running", "2026-11-29T07:00:00Z"],
      ["nightly-dev-bbbbb", "Failed", "2026-11-29T06:00:00Z"],
    ]);
    expect(runs[1]).toMatchObject({ durationSeconds: 42, stoppedAt: "2026-11-29T06:00:42Z", link: `https://argo.example.com/workflows/${NS}/nightly-dev-bbbbb` });
    const all = await target.runs(context(w, await compile(w)), { limit: 10 });
    expect(all.map((r) => r.id)).toEqual(["nightly-dev-ccccc", "nightly-dev-bbbbb", "nightly-dev-aaaaa"]);
    expect(all[2]!.durationSeconds).toBe(200);
  });
});
