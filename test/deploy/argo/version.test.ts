import { readdirSync, existsSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { compile, compileText, context, fastTarget, NS, startWorld, type World } from "./setup.ts";

const target = fastTarget();

/** A switch inside another switch's branch: what Argo v3.7.11-v3.7.12 and v4.0.2-v4.0.3 requeue forever on. */
const NESTED = `apiVersion: flowc/v1
name: nested
steps:
  start: { command: [a], switch: { deep: inner, shallow: merge }, image: alpine:3.20 }
  inner: { command: [b], switch: { x: x1, y: merge }, image: alpine:3.20 }
  x1: { command: [c], next: merge, image: alpine:3.20 }
  merge: { command: [d], next: end, image: alpine:3.20 }
  end: { command: [e], image: alpine:3.20 }
`;

/** The workflow-controller as the release manifests install it (or as Helm does, by name and label). */
function controller(w: World, image: string, o: { namespace?: string; name?: string; labels?: Record<string, string> } = {}) {
  w.double.seed({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: o.name ?? "workflow-controller", namespace: o.namespace ?? "argo", ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      selector: { matchLabels: { app: "workflow-controller" } },
      template: { metadata: { labels: { app: "workflow-controller" } }, spec: { containers: [{ name: "workflow-controller", image }] } },
    },
  });
}

const deploymentLists = (w: World) => w.double.calls().filter((c) => c.resource === "deployments").map((c) => `${c.verb} ${c.namespace}`);
const published = (w: World) => (existsSync(w.datastore) ? readdirSync(w.datastore, { recursive: true }) : []);

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.stop());
beforeEach(() => {
  w.double.clearStore();
  w.double.reset();
});

describe("GIVEN a cluster running Argo Workflows v4.0.3", () => {
  beforeEach(() => controller(w, "quay.io/argoproj/workflow-controller:v4.0.3"));

  it("WHEN a flow reads the case of a switch inside a switch branch is deployed THEN it is refused before anything is written, saying why and what to do", async () => {
    const ctx = context(w, await compileText(w, NESTED));
    const err = await target.apply(ctx).then(() => undefined, (e: Error & { hint?: string }) => e);
    expect(err?.message).toContain("refusing to deploy; nothing was changed");
    expect(err?.message).toContain("Argo Workflows v4.0.3 requeues a Workflow forever when a `when` reads the case of a switch that was skipped (fixed in v4.0.4); this flow relies on it for the case of `inner`");
    expect(err?.message).toContain("deployment argo/workflow-controller");
    expect(err?.hint).toMatch(/upgrade Argo Workflows/);
    expect(w.double.counts().writes).toBe(0);
    expect(published(w)).toEqual([]);
  });

  it("WHEN it is only diffed THEN the refusal is a warning", async () => {
    const ctx = context(w, await compileText(w, NESTED));
    const plan = await target.plan(ctx);
    expect(plan.actions.map((a) => a.op)).toEqual(["create"]);
    expect(ctx.logged.warn.join("\n")).toContain("a deploy would be refused: Argo Workflows v4.0.3 requeues");
  });

  it("WHEN it is a dry run THEN it is refused as the deploy would be", async () => {
    await expect(target.apply(context(w, await compileText(w, NESTED), { dryRun: true }))).rejects.toThrow(/refusing to deploy/);
  });

  it("WHEN a flow without such a switch is deployed THEN it goes ahead, with a warning that v4.0.3 is not supported", async () => {
    const ctx = context(w, await compile(w));
    const r = await target.apply(ctx);
    expect(r.writes).toBe(3);
    expect(ctx.logged.warn.join("\n")).toContain("Argo Workflows v4.0.3 is not a version flowc supports (v3.7.13 and later v3.7, v4.0.4 and later v4.0, v4.1)");
    expect(deploymentLists(w)).toEqual(["list argo"]);
  });
});

describe("GIVEN older clusters", () => {
  it("WHEN a scheduled flow goes to v3.5 THEN it is refused: no `schedules` there", async () => {
    controller(w, "quay.io/argoproj/workflow-controller:v3.5.15");
    await expect(target.apply(context(w, await compile(w)))).rejects.toThrow(/v3\.5\.15 has no CronWorkflow `spec.schedules`.*the flow's schedule/s);
  });

  it("WHEN a retry with a maximum delay goes to v3.6 THEN it is refused: the cap would be ignored", async () => {
    controller(w, "quay.io/argoproj/workflow-controller:v3.6.19");
    const text = NESTED.replace("x1: { command: [c]", "x1: { command: [c], retry: { times: 2, backoff: { delay: 1s, max: 30s } }");
    await expect(target.apply(context(w, await compileText(w, text)))).rejects.toThrow(/ignores `retryStrategy.backoff.cap`.*`x1`/s);
  });
});

describe("GIVEN a cluster running a supported version", () => {
  it("WHEN deployed THEN it says which Argo it found, and an unchanged redeploy does not look again", async () => {
    controller(w, "quay.io/argoproj/workflow-controller:v4.1.2");
    const ctx = context(w, await compileText(w, NESTED));
    await target.apply(ctx);
    expect(ctx.logged.info).toContain("Argo Workflows v4.1.2 (deployment argo/workflow-controller)");
    expect(ctx.logged.warn.filter((l) => /Argo Workflows/.test(l))).toEqual([]);
    w.double.reset();
    await target.apply(context(w, await compileText(w, NESTED)));
    expect(w.double.calls().map((c) => c.verb)).toEqual(["list", "list", "list"]);
  });

  it("WHEN Helm installed it (another name, the image by digest, the version in a label) THEN it is found by its image and read from the label", async () => {
    controller(w, "quay.io/argoproj/workflow-controller@sha256:0123456789abcdef", { namespace: NS, name: "argo-workflows-workflow-controller", labels: { "app.kubernetes.io/version": "v3.7.13" } });
    const ctx = context(w, await compileText(w, NESTED));
    await target.apply(ctx);
    expect(ctx.logged.info).toContain(`Argo Workflows v3.7.13 (deployment ${NS}/argo-workflows-workflow-controller)`);
    expect(deploymentLists(w)).toEqual(["list argo", `list ${NS}`]);
  });
});

describe("GIVEN a cluster whose Argo version cannot be read", () => {
  it("WHEN no controller is found THEN the deploy goes ahead with a warning saying where it looked and what to set", async () => {
    const ctx = context(w, await compile(w));
    await target.apply(ctx);
    expect(ctx.logged.warn.join("\n")).toContain(`could not tell which Argo Workflows this cluster runs (no Deployment running the workflow-controller image in argo, ${NS})`);
    expect(ctx.logged.warn.join("\n")).toContain("set `argo.controllerNamespace`");
  });

  it("WHEN the deployer may not list Deployments THEN the deploy goes ahead with a warning saying so", async () => {
    const locked = await startWorld({ forbid: (c) => c.resource === "deployments" });
    try {
      controller(locked, "quay.io/argoproj/workflow-controller:v4.0.3");
      const ctx = context(locked, await compileText(locked, NESTED));
      await fastTarget().apply(ctx);
      expect(ctx.logged.warn.join("\n")).toContain(`you may not list Deployments in argo, ${NS}`);
      expect(locked.double.calls().filter((c) => c.resource === "deployments").map((c) => c.status)).toEqual([403, 403]);
    } finally {
      await locked.stop();
    }
  });

  it("WHEN the image tag is no version THEN it says so", async () => {
    controller(w, "quay.io/argoproj/workflow-controller:latest");
    const ctx = context(w, await compile(w));
    await target.apply(ctx);
    expect(ctx.logged.warn.join("\n")).toContain("deployment argo/workflow-controller runs quay.io/argoproj/workflow-controller:latest, whose tag is no version");
  });
});
