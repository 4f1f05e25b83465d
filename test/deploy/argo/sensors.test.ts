import { describe, expect, it } from "vitest";
import { eventBusProblems } from "../../compile/argo/eventbus.ts";
import { compileText, context, fastTarget, NS, useWorld, type World } from "./setup.ts";

const w = useWorld();
const target = fastTarget();

/** A flow started after any of its upstream flows: one afterFlow trigger each. */
const compileAfter = (w: World, upstreams: string[]) =>
  compileText(
    w,
    ["apiVersion: flowc/v1", "name: report", "triggers:", ...upstreams.map((u) => `  - afterFlow: ${u}`), "steps:", "  start: { command: [a], next: end, image: alpine:3.20 }", "  end: { command: [b], image: alpine:3.20 }", ""].join("\n"),
    "report.yaml",
  );

describe("GIVEN a flow with two afterFlow triggers", () => {
  it("WHEN deployed THEN both Sensors are applied, each one a NATS EventBus accepts; a redeploy writes nothing", async () => {
    const r = await target.apply(context(w, await compileAfter(w, ["ingest", "backfill"])));
    expect(r.plan.actions.map((a) => `${a.op} ${a.kind} ${a.name}`)).toEqual(["create WorkflowTemplate report-dev", "create Sensor report-dev", "create Sensor report-dev-2"]);
    const stored = w.double.list("Sensor", NS);
    expect(stored.map((s: any) => s.metadata.name)).toEqual(["report-dev", "report-dev-2"]);
    for (const s of stored) expect(eventBusProblems(s, "nats")).toEqual([]);
    w.double.reset();
    await target.apply(context(w, await compileAfter(w, ["ingest", "backfill"])));
    expect(w.double.counts().writes).toBe(0);
  });

  it("WHEN one trigger is removed THEN the second Sensor is deleted as no longer part of the deployment, and the first stays", async () => {
    await target.apply(context(w, await compileAfter(w, ["ingest", "backfill"])));
    const r = await target.apply(context(w, await compileAfter(w, ["ingest"])));
    expect(r.plan.actions.find((a) => a.op === "delete")).toMatchObject({ kind: "Sensor", name: "report-dev-2", reason: "no longer part of the flow's deployment" });
    expect(w.double.list("Sensor", NS).map((s: any) => s.metadata.name)).toEqual(["report-dev"]);
  });

  it("WHEN the flow is deleted THEN every Sensor goes", async () => {
    const compiled = await compileAfter(w, ["ingest", "backfill"]);
    await target.apply(context(w, compiled));
    await target.destroy(context(w, compiled));
    expect(w.double.list("Sensor", NS)).toEqual([]);
  });
});
