import { beforeEach, describe, expect, it } from "vitest";
import { TAG } from "../../../src/deploy/ownership.ts";
import { summarize } from "../../../src/deploy/plan.ts";
import { editAs } from "./edit.ts";
import { compile, context, ENV, fastTarget, NAMES, NS, startWorld, useWorld } from "./setup.ts";

const target = fastTarget();

const w = useWorld();

const ops = (r: { plan: { actions: { op: string; kind: string }[] } }) => r.plan.actions.map((a) => `${a.op} ${a.kind}`);

describe("GIVEN an empty namespace", () => {
  it("WHEN a flow with a schedule and a trigger is deployed THEN the template, CronWorkflow and Sensor are applied with flowc's labels", async () => {
    const r = await target.apply(context(w, await compile(w)));
    expect(ops(r)).toEqual(["create WorkflowTemplate", "create CronWorkflow", "create Sensor"]);
    expect(r.writes).toBe(3);
    expect(r.link).toBe(`https://argo.example.com/workflow-templates/${NS}/${NAMES.template}`);
    const applies = w.double.calls().filter((c) => c.verb === "apply");
    expect(applies.map((c) => [c.fieldManager, c.contentType])).toEqual(Array(3).fill(["flowc", "application/apply-patch+yaml"]));
    for (const kind of ["WorkflowTemplate", "CronWorkflow", "Sensor"]) {
      const o = w.double.get(kind, NS, NAMES.template)!;
      expect(o.metadata).toMatchObject({
        labels: { [TAG.managedBy]: "flowc", [TAG.flow]: "nightly", [TAG.env]: ENV, [TAG.hash]: expect.stringMatching(/^[0-9a-f]{40}$/), [TAG.owner]: expect.stringMatching(/^[0-9a-f]{16}$/) },
      });
      expect((o.metadata as any).managedFields.map((m: any) => `${m.manager}/${m.operation}`)).toEqual(["flowc/Apply"]);
    }
  });

  it("WHEN deployed THEN the flow spec is in the datastore under the key the template names", async () => {
    const compiled = await compile(w);
    await target.apply(context(w, compiled));
    const { readFileSync } = await import("node:fs");
    const spec = JSON.parse(readFileSync(`${w.datastore}/${compiled.result.manifest.spec.key}`, "utf8"));
    expect(spec.flow.name).toBe("nightly");
  });
});

describe("GIVEN a deployed flow", () => {
  beforeEach(async () => {
    await target.apply(context(w, await compile(w)));
    w.double.reset();
  });

  it("WHEN it is deployed again unchanged THEN nothing is written, not even a no-op apply: three LISTs", async () => {
    const r = await target.apply(context(w, await compile(w)));
    expect(ops(r)).toEqual(["noop WorkflowTemplate", "noop CronWorkflow", "noop Sensor"]);
    expect(r.writes).toBe(0);
    expect(w.double.counts().writes).toBe(0);
    expect(w.double.calls().map((c) => c.verb)).toEqual(["list", "list", "list"]);
  });

  it("WHEN someone else adds a label flowc does not set THEN a redeploy still writes nothing", async () => {
    await editAs(w, "kubectl-label", "WorkflowTemplate", NS, NAMES.template, { metadata: { labels: { "cost-center": "42" } } });
    w.double.reset();
    const r = await target.apply(context(w, await compile(w)));
    expect(summarize(r.plan)).toMatchObject({ create: 0, update: 0, delete: 0 });
    expect(w.double.counts().writes).toBe(0);
    expect(w.double.get("WorkflowTemplate", NS, NAMES.template)!.metadata).toMatchObject({ labels: { "cost-center": "42" } });
  });

  it("WHEN a parameter's default changes THEN the objects are updated and the plan shows the field, parameters by name", async () => {
    const r = await target.apply(context(w, await compile(w, { day: "tomorrow" })));
    expect(ops(r)).toEqual(["update WorkflowTemplate", "update CronWorkflow", "update Sensor"]);
    expect(r.plan.actions[0]!.changes).toContainEqual({ op: "changed", path: ["spec", "arguments", "parameters", "day", "value"], before: "today", after: "tomorrow" });
    // The schedule and the trigger did not change; only the build's hash did.
    expect(r.plan.actions[1]!.changes.map((c) => c.path.join("."))).toEqual(["metadata.labels.flowc.dev/hash", "metadata.annotations.flowc.dev/content-hash"]);
    const wt = w.double.get("WorkflowTemplate", NS, NAMES.template) as any;
    expect(wt.spec.arguments.parameters.find((p: any) => p.name === "day").value).toBe("tomorrow");
    expect(w.double.counts().writes).toBe(3);
  });

  it("WHEN the image changes THEN the template is updated to run the new image", async () => {
    const r = await target.apply(context(w, await compile(w, { image: "alpine:3.21" })));
    expect(r.plan.actions[0]!.op).toBe("update");
    expect(JSON.stringify(r.plan.actions[0]!.changes)).toContain("alpine:3.21");
    expect(JSON.stringify((w.double.get("WorkflowTemplate", NS, NAMES.template) as any).spec.templates)).toContain("alpine:3.21");
  });

  it("WHEN a step's command changes THEN the template points at the new spec, which is published first", async () => {
    const compiled = await compile(w, { message: "finished" });
    const r = await target.apply(context(w, compiled));
    expect(r.plan.actions[0]!.changes.map((c) => c.path.join("."))).toContain("spec.templateDefaults.container.env.FLOWC_SPEC.value");
    const { existsSync } = await import("node:fs");
    expect(existsSync(`${w.datastore}/${compiled.result.manifest.spec.key}`)).toBe(true);
  });

  it("WHEN the schedule is removed THEN the CronWorkflow is deleted and nothing else is", async () => {
    const r = await target.apply(context(w, await compile(w, { schedule: false })));
    expect(ops(r)).toContain("delete CronWorkflow");
    expect(r.plan.actions.find((a) => a.op === "delete")).toMatchObject({ kind: "CronWorkflow", name: NAMES.cron, reason: "the flow has no schedule any more" });
    expect(w.double.get("CronWorkflow", NS, NAMES.cron)).toBeUndefined();
    expect(w.double.get("WorkflowTemplate", NS, NAMES.template)).toBeDefined();
    expect(w.double.get("Sensor", NS, NAMES.sensor)).toBeDefined();
  });

  it("WHEN the triggers are removed THEN the Sensor is deleted", async () => {
    const r = await target.apply(context(w, await compile(w, { trigger: false })));
    expect(r.plan.actions.find((a) => a.op === "delete")).toMatchObject({ kind: "Sensor", reason: "the flow has no triggers any more" });
    expect(w.double.get("Sensor", NS, NAMES.sensor)).toBeUndefined();
    expect(w.double.get("CronWorkflow", NS, NAMES.cron)).toBeDefined();
  });

  it("WHEN the schedule is removed THEN a CronWorkflow flowc does not own is left alone", async () => {
    // Same namespace: one CronWorkflow of someone else's, one of another environment of this flow.
    w.double.seed({ apiVersion: "argoproj.io/v1alpha1", kind: "CronWorkflow", metadata: { name: "theirs", namespace: NS, labels: { [TAG.flow]: "nightly", [TAG.env]: ENV } }, spec: { schedules: ["* * * * *"], workflowSpec: { entrypoint: "x", templates: [{ name: "x", container: { name: "main", image: "alpine" } }] } } });
    w.double.seed({ apiVersion: "argoproj.io/v1alpha1", kind: "CronWorkflow", metadata: { name: "nightly-prod", namespace: NS, labels: { [TAG.managedBy]: "flowc", [TAG.flow]: "nightly", [TAG.env]: "prod" } }, spec: { schedules: ["* * * * *"], workflowSpec: { workflowTemplateRef: { name: "nightly-prod" } } } });
    await target.apply(context(w, await compile(w, { schedule: false })));
    expect(w.double.list("CronWorkflow", NS).map((o: any) => o.metadata.name)).toEqual(["nightly-prod", "theirs"]);
  });
});

describe("GIVEN an object of the template's name that flowc did not create", () => {
  it("WHEN the flow is deployed THEN it is refused and the object is untouched", async () => {
    w.double.clearStore();
    w.double.seed({ apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowTemplate", metadata: { name: NAMES.template, namespace: NS }, spec: { entrypoint: "x", templates: [{ name: "x", container: { name: "main", image: "alpine" } }] } });
    const before = w.double.get("WorkflowTemplate", NS, NAMES.template);
    w.double.reset();
    await expect(target.apply(context(w, await compile(w)))).rejects.toThrow(/refusing to deploy; nothing was changed:\n {2}WorkflowTemplate nightly-dev: a resource of that name exists but was not created by flowc/);
    expect(w.double.counts().writes).toBe(0);
    expect(w.double.get("WorkflowTemplate", NS, NAMES.template)).toEqual(before);
  });
});

describe("GIVEN a TypeScript flow", () => {
  it("WHEN it is deployed THEN its code package and its spec are uploaded first, and the template names the spec", async () => {
    w.double.clearStore();
    const { compileFlowFile } = await import("../../../src/compile/pipeline.ts");
    const { readFileSync, existsSync } = await import("node:fs");
    const file = new URL("../../../examples/linear.ts", import.meta.url).pathname;
    const { compiled } = await compileFlowFile(file, { target: "argo", env: ENV, config: w.config, cwd: w.dir });
    const r = await target.apply(context(w, compiled!));
    expect(r.writes).toBe(1);
    const { spec, package: pkg } = compiled!.result.manifest;
    expect(pkg?.key).toMatch(/^packages\/[0-9a-f]{64}\.mjs$/);
    expect(readFileSync(`${w.datastore}/${pkg!.key}`, "utf8")).toBe(compiled!.flow.loaded.package!.code);
    expect(JSON.parse(readFileSync(`${w.datastore}/${spec.key}`, "utf8")).package).toBe(pkg!.key);
    const wt = w.double.get("WorkflowTemplate", NS, "linear-ts-dev") as any;
    expect(wt.spec.templateDefaults.container.env).toContainEqual({ name: "FLOWC_SPEC", value: spec.key });
    expect(existsSync(`${w.datastore}/${spec.key}`)).toBe(true);
  });
});

describe("GIVEN a cluster without the configured namespace", () => {
  it("WHEN the flow is deployed THEN the error names the namespace and asks whether it exists", async () => {
    const other = await startWorld({ namespaces: ["default"] });
    try {
      await expect(target.apply(context(other, await compile(other)))).rejects.toMatchObject({
        message: expect.stringContaining(`apply WorkflowTemplate ${NS}/${NAMES.template}: 404 NotFound: namespaces "${NS}" not found`),
        hint: "does the namespace exist? (kubectl get namespace)",
      });
      expect(other.double.counts().writes).toBe(0);
    } finally {
      await other.stop();
    }
  });
});
