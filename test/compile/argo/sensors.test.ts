import { describe, expect, it } from "vitest";
import { byKind, compileExample, compileYaml, docsOf, testEnv, type Obj } from "./helpers.ts";
import { eventBusProblems } from "./eventbus.ts";
import { checkSchema } from "./schema.ts";

const flow = (triggers: string[]) =>
  [
    "apiVersion: flowc/v1",
    "name: report",
    "parameters:",
    "  day: { type: string, default: today }",
    "triggers:",
    ...triggers.map((t) => `  - ${t}`),
    "steps:",
    "  start: { command: [a], next: end }",
    "  end: { command: [b] }",
  ].join("\n");

function sensorsOf(text: string): { sensors: Obj[]; manifest: Obj } {
  const r = compileYaml(text);
  expect(r.problems).toEqual([]);
  const sensors = docsOf(r).filter((d) => d.kind === "Sensor");
  for (const s of sensors) expect(checkSchema(s).problems).toEqual([]);
  return { sensors, manifest: r.manifest };
}

const deps = (s: Obj) => s.spec.dependencies.map((d: Obj) => d.name);
const triggers = (s: Obj) => s.spec.triggers.map((t: Obj) => [t.template.name, t.template.conditions]);

describe("GIVEN a flow that runs after either of two upstream flows (two afterFlow triggers)", () => {
  const { sensors, manifest } = sensorsOf(flow(["afterFlow: ingest", "afterFlow: { flow: backfill, parameters: { day: day } }"]));

  it("THEN each trigger gets a Sensor of its own, which a NATS EventBus accepts: both listen on the same workflow event", () => {
    expect(sensors.map((s) => s.metadata.name)).toEqual(["report-prod", "report-prod-2"]);
    expect(sensors.map(deps)).toEqual([["after_ingest"], ["after_backfill"]]);
    expect(sensors.map(triggers)).toEqual([[["after-ingest", "after_ingest"]], [["after-backfill", "after_backfill"]]]);
    for (const s of sensors) expect(eventBusProblems(s, "nats")).toEqual([]);
    expect(manifest.resources["report.argo.yaml"].Sensor).toEqual(["report-prod", "report-prod-2"]);
  });

  it("THEN both Sensors carry the flow's labels and service account, and still tell the runs apart by upstream", () => {
    for (const s of sensors) {
      expect(s.metadata.labels).toMatchObject({ "flowc.dev/flow": "report", "flowc.dev/env": "prod" });
      expect(s.spec.template).toMatchObject({ serviceAccountName: "flowc-runner" });
      expect(s.spec.dependencies[0]).toMatchObject({ eventSourceName: "flowc-workflows", eventName: "workflows" });
    }
    expect(sensors[1]!.spec.dependencies[0].filters.data[0]).toEqual({ path: "body.metadata.labels.flowc\\.dev/flow", type: "string", value: ["^backfill$"] });
    expect(sensors[1]!.spec.triggers[0].template.argoWorkflow.source.resource.metadata.labels["flowc.dev/trigger"]).toBe("after-backfill");
  });

  it("WHEN both dependencies were in one Sensor (flowc 0.1.0) THEN Argo Events refused it on a NATS bus", () => {
    const one = structuredClone(sensors[0]!);
    one.spec.dependencies.push(...sensors[1]!.spec.dependencies);
    one.spec.triggers.push(...sensors[1]!.spec.triggers);
    expect(eventBusProblems(one, "nats")).toEqual(["event 'workflows' from EventSource 'flowc-workflows' is referenced for more than one dependency in this Sensor object"]);
    expect(eventBusProblems(one, "jetstream")).toEqual([]);
  });
});

describe("GIVEN two event triggers and an afterFlow trigger", () => {
  const { sensors } = sensorsOf(flow(["event: { source: [a.b] }", "event: { source: [c.d], parameters: { day: $.detail.day } }", "afterFlow: ingest"]));

  it("THEN the first Sensor takes the first trigger on each event and the second Sensor the second event trigger", () => {
    expect(sensors.map(deps)).toEqual([["event_0", "after_ingest"], ["event_1"]]);
    expect(sensors.map(triggers)).toEqual([[["event-1", "event_0"], ["after-ingest", "after_ingest"]], [["event-2", "event_1"]]]);
    for (const s of sensors) expect(eventBusProblems(s, "nats")).toEqual([]);
  });
});

describe("GIVEN triggers that listen on different events", () => {
  it("WHEN the event triggers use their own EventSource event THEN there is one Sensor, as before", async () => {
    const sensors = docsOf(await compileExample("train.yaml")).filter((d) => d.kind === "Sensor");
    expect(sensors).toHaveLength(1);
    expect(eventBusProblems(sensors[0]!, "nats")).toEqual([]);
  });

  it("WHEN the two afterFlow upstreams come through the same EventSource THEN they are split however the EventSources are named", () => {
    const r = compileYaml(flow(["afterFlow: a", "afterFlow: b"]), testEnv({}, { workflowEventSource: "wf/done" }));
    const sensors = docsOf(r).filter((d) => d.kind === "Sensor");
    expect(sensors.map((s) => s.spec.dependencies.map((d: Obj) => `${d.eventSourceName}/${d.eventName}`))).toEqual([["wf/done"], ["wf/done"]]);
    expect(byKind(r, "Sensor")!.metadata.name).toBe("report-prod");
  });
});
