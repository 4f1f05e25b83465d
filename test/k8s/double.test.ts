// Drives the Kubernetes API double through @kubernetes/client-node 1.4.0, the client
// `flowc deploy --target argo` uses, so these tests also document how that client
// is called and how it reports errors.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiException,
  AppsV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { Parameter } from "./vendor/argo-workflows.js";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { startK8sDouble, type FaultMode, type K8sDouble } from "./double.ts";
import type { JsonObject } from "./json.ts";
import { runTrackedValidator, UNREAD_DECLARED_PROPERTIES } from "./validate.ts";

const G = { group: "argoproj.io", version: "v1alpha1" } as const;
const NS = "default";

type Obj = Record<string, any>;

function workflowTemplate(name = "hello", spec: Obj = {}, labels: Record<string, string> = { app: "hello" }): Obj {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "WorkflowTemplate",
    metadata: { name, labels },
    spec: {
      entrypoint: "main",
      templates: [{ name: "main", container: { name: "main", image: "alpine:3.20", command: ["echo", "hi"] } }],
      ...spec,
    },
  };
}

function sensor(name = "on-push", spec: Obj = {}): Obj {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Sensor",
    metadata: { name },
    spec: {
      template: { serviceAccountName: "argo-events-sa" },
      dependencies: [{ name: "push", eventSourceName: "github", eventName: "push" }],
      triggers: [
        {
          template: {
            name: "run-flow",
            argoWorkflow: {
              operation: "submit",
              source: {
                resource: {
                  apiVersion: "argoproj.io/v1alpha1",
                  kind: "Workflow",
                  metadata: { generateName: "hello-" },
                  spec: { workflowTemplateRef: { name: "hello" }, arguments: { parameters: [{ name: "sha", value: "" }] } },
                },
              },
              parameters: [{ src: { dependencyName: "push", dataKey: "body.after" }, dest: "spec.arguments.parameters.0.value" }],
            },
          },
          retryStrategy: { steps: 3, duration: "1s" },
        },
      ],
      ...spec,
    },
  };
}

let double: K8sDouble;
let dir: string;
let api: CustomObjectsApi;

/** Server-side apply, exactly as flowc deploy is expected to call it. */
function apply(plural: string, body: Obj, opts: { force?: boolean; dryRun?: boolean; fieldManager?: string; client?: CustomObjectsApi } = {}) {
  return (opts.client ?? api).patchNamespacedCustomObject(
    {
      ...G,
      namespace: NS,
      plural,
      name: body.metadata.name,
      body,
      fieldManager: opts.fieldManager ?? "flowc",
      ...(opts.force ? { force: true } : {}),
      ...(opts.dryRun ? { dryRun: "All" } : {}),
    },
    setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
  );
}

function getObj(plural: string, name: string) {
  return api.getNamespacedCustomObject({ ...G, namespace: NS, plural, name });
}

/** Awaits a rejected client-node call and returns the ApiException with its parsed Status body. */
async function failure(p: Promise<unknown>): Promise<{ code: number; status: Obj; error: ApiException<unknown> }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) {
      const body = e.body as unknown;
      return { code: e.code, status: typeof body === "string" ? (JSON.parse(body) as Obj) : (body as Obj), error: e };
    }
    throw e;
  }
  throw new Error("expected the call to fail");
}

function managers(obj: Obj): Obj[] {
  return (obj.metadata.managedFields ?? []) as Obj[];
}

beforeAll(async () => {
  double = await startK8sDouble();
  dir = mkdtempSync(join(tmpdir(), "k8s-double-"));
  const kc = new KubeConfig();
  kc.loadFromFile(double.writeKubeconfig(dir));
  api = kc.makeApiClient(CustomObjectsApi);
});

afterAll(async () => {
  await double.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  double.clearStore();
  double.reset();
});

describe("server-side apply", () => {
  test("GIVEN no object WHEN flowc applies a WorkflowTemplate THEN it is created with system metadata and an Apply managedFields entry", async () => {
    const created = await apply("workflowtemplates", workflowTemplate());

    expect(created.metadata).toMatchObject({ name: "hello", namespace: NS, generation: 1, resourceVersion: double.resourceVersion() });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(managers(created)).toEqual([
      {
        apiVersion: "argoproj.io/v1alpha1",
        fieldsType: "FieldsV1",
        fieldsV1: { "f:metadata": { "f:labels": { "f:app": {} } }, "f:spec": { "f:entrypoint": {}, "f:templates": {} } },
        manager: "flowc",
        operation: "Apply",
        time: created.metadata.creationTimestamp,
      },
    ]);
    expect(double.counts()).toMatchObject({ total: 1, writes: 1, byVerb: { apply: 1 } });
    expect(double.calls()[0]).toMatchObject({ method: "PATCH", contentType: "application/apply-patch+yaml", status: 201, query: { fieldManager: "flowc" } });
    expect(double.get("WorkflowTemplate", NS, "hello")).toEqual(created);
  });

  test("GIVEN apply WHEN read with WithHttpInfo THEN 201 tells a create from a 200 update", async () => {
    const call = () =>
      api.patchNamespacedCustomObjectWithHttpInfo(
        { ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: workflowTemplate(), fieldManager: "flowc" },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      );

    expect((await call()).httpStatusCode).toBe(201);
    expect((await call()).httpStatusCode).toBe(200);
  });

  test("GIVEN an applied object WHEN the same configuration is applied again THEN nothing is written and resourceVersion is unchanged", async () => {
    const first = await apply("workflowtemplates", workflowTemplate());
    double.reset();

    const again = await apply("workflowtemplates", workflowTemplate());

    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(again).toEqual(first);
    expect(double.counts()).toMatchObject({ total: 1, writes: 0 });
    expect(double.calls()[0]).toMatchObject({ status: 200, wrote: false });
  });

  test("GIVEN an applied object WHEN a spec field changes THEN resourceVersion and generation are bumped once", async () => {
    const first = await apply("workflowtemplates", workflowTemplate());
    double.reset();

    const updated = await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "runner" }));

    expect(updated.spec.serviceAccountName).toBe("runner");
    expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
    expect(updated.metadata.generation).toBe(2);
    expect(updated.metadata.uid).toBe(first.metadata.uid);
    expect(double.writeLog()).toEqual([
      { seq: 1, verb: "apply", kind: "WorkflowTemplate", namespace: NS, name: "hello", resourceVersion: updated.metadata.resourceVersion, deleted: false },
    ]);
  });

  test("GIVEN an applied object WHEN only a label changes THEN resourceVersion is bumped but generation is not", async () => {
    await apply("workflowtemplates", workflowTemplate());

    const relabelled = await apply("workflowtemplates", workflowTemplate("hello", {}, { app: "hello", tier: "batch" }));

    expect(relabelled.metadata.labels).toEqual({ app: "hello", tier: "batch" });
    expect(relabelled.metadata.generation).toBe(1);
  });

  test("GIVEN a field flowc applied WHEN flowc re-applies without it THEN the field is removed from the object", async () => {
    await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "runner", arguments: { parameters: [{ name: "p", value: "1" }] } }));

    const pruned = await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "runner" }));

    expect(pruned.spec.arguments).toBeUndefined();
    expect(pruned.spec.serviceAccountName).toBe("runner");
    expect(managers(pruned)[0]!.fieldsV1["f:spec"]).toEqual({ "f:entrypoint": {}, "f:serviceAccountName": {}, "f:templates": {} });
  });

  test("GIVEN a field co-owned with another manager WHEN flowc stops applying it THEN the field stays, owned by the other manager", async () => {
    await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "runner" }));
    await apply(
      "workflowtemplates",
      { apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowTemplate", metadata: { name: "hello" }, spec: { serviceAccountName: "runner" } },
      { fieldManager: "platform" },
    );

    const after = await apply("workflowtemplates", workflowTemplate());

    expect(after.spec.serviceAccountName).toBe("runner");
    const platform = managers(after).find((m) => m.manager === "platform")!;
    expect(platform.fieldsV1).toEqual({ "f:spec": { "f:serviceAccountName": {} } });
    const flowc = managers(after).find((m) => m.manager === "flowc")!;
    expect(flowc.fieldsV1["f:spec"]["f:serviceAccountName"]).toBeUndefined();
  });

  test("GIVEN another manager applied a field WHEN flowc applies a different value THEN 409 Conflict names the manager and the field", async () => {
    await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "ops" }), { fieldManager: "kubectl" });
    const before = double.get("WorkflowTemplate", NS, "hello")!;
    double.reset();

    const { code, status } = await failure(apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "runner" })));

    expect(code).toBe(409);
    expect(status).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.serviceAccountName',
      reason: "Conflict",
      details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "kubectl"', field: ".spec.serviceAccountName" }] },
      code: 409,
    });
    expect(double.get("WorkflowTemplate", NS, "hello")).toEqual(before);
    expect(double.counts().writes).toBe(0);
  });

  test("GIVEN a conflicting field WHEN flowc applies with force=true THEN flowc's value wins and ownership moves to flowc", async () => {
    await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "ops" }), { fieldManager: "kubectl" });

    const forced = await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "runner" }), { force: true });

    expect(forced.spec.serviceAccountName).toBe("runner");
    expect(double.calls().at(-1)!.query).toMatchObject({ force: "true", fieldManager: "flowc" });
    const kubectl = managers(forced).find((m) => m.manager === "kubectl")!;
    expect(kubectl.fieldsV1["f:spec"]["f:serviceAccountName"]).toBeUndefined();
    expect(kubectl.fieldsV1["f:spec"]["f:entrypoint"]).toEqual({});
  });

  test("GIVEN another manager applied the same value WHEN flowc applies it THEN there is no conflict and both managers own it", async () => {
    await apply("workflowtemplates", workflowTemplate(), { fieldManager: "other" });

    const shared = await apply("workflowtemplates", workflowTemplate());

    expect(managers(shared).map((m) => m.manager).sort()).toEqual(["flowc", "other"]);
    for (const m of managers(shared)) expect(m.fieldsV1["f:spec"]["f:entrypoint"]).toEqual({});
  });

  test("GIVEN a field changed by a non-apply write WHEN flowc re-applies its old value THEN the conflict names the updater with its API version", async () => {
    await apply("workflowtemplates", workflowTemplate());
    await api.patchNamespacedCustomObject(
      { ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: { spec: { entrypoint: "other" } }, fieldManager: "kubectl-edit" },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );

    const { code, status } = await failure(apply("workflowtemplates", workflowTemplate()));

    expect(code).toBe(409);
    expect(status.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using argoproj.io/v1alpha1: .spec.entrypoint');
  });

  test("GIVEN an apply request WHEN fieldManager is missing THEN 422 like the real server", async () => {
    const { code, status } = await failure(
      api.patchNamespacedCustomObject(
        { ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: workflowTemplate() },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      ),
    );

    expect(code).toBe(422);
    expect(status.message).toBe('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  });

  test("GIVEN an apply body WHEN its name differs from the URL THEN 400 BadRequest", async () => {
    const { code, status } = await failure(
      api.patchNamespacedCustomObject(
        { ...G, namespace: NS, plural: "workflowtemplates", name: "other", body: workflowTemplate(), fieldManager: "flowc" },
        setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
      ),
    );

    expect(code).toBe(400);
    expect(status.message).toBe("the name of the object (hello) does not match the name on the URL (other)");
  });

  test("GIVEN a Workflow spec WHEN the applied config is YAML text THEN it is parsed like JSON", async () => {
    const res = await fetch(`${double.url}/apis/argoproj.io/v1alpha1/namespaces/default/workflowtemplates/hello?fieldManager=flowc`, {
      method: "PATCH",
      headers: { "Content-Type": "application/apply-patch+yaml" },
      body: "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: hello\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    container: {name: main, image: alpine}\n",
    });

    expect(res.status).toBe(201);
    expect(((await res.json()) as Obj).spec.entrypoint).toBe("main");
  });
});

describe("dry run", () => {
  test("GIVEN dryRun=All WHEN applying, creating, replacing and deleting THEN responses look real but nothing is stored or counted as a write", async () => {
    const dryCreated = await apply("workflowtemplates", workflowTemplate(), { dryRun: true });
    expect(dryCreated.metadata.name).toBe("hello");
    expect(dryCreated.metadata.uid).toBeDefined();
    expect(dryCreated.metadata.resourceVersion).toBeUndefined();
    expect(double.get("WorkflowTemplate", NS, "hello")).toBeUndefined();

    const posted = await api.createNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", body: workflowTemplate(), dryRun: "All" });
    expect(posted.metadata.name).toBe("hello");
    expect(double.list("WorkflowTemplate")).toEqual([]);

    const stored = await apply("workflowtemplates", workflowTemplate());
    double.reset();
    const dryUpdate = await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "x" }), { dryRun: true });
    expect(dryUpdate.spec.serviceAccountName).toBe("x");
    const dryReplace = await api.replaceNamespacedCustomObject({
      ...G, namespace: NS, plural: "workflowtemplates", name: "hello", dryRun: "All",
      body: { ...stored, spec: { ...stored.spec, entrypoint: "other" } },
    });
    expect(dryReplace.spec.entrypoint).toBe("other");
    const dryDelete = await api.deleteNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", name: "hello", dryRun: "All" });
    expect(dryDelete).toMatchObject({ kind: "Status", status: "Success" });

    expect(double.get("WorkflowTemplate", NS, "hello")).toEqual(stored);
    expect(double.counts()).toMatchObject({ total: 3, writes: 0 });
    expect(double.calls().every((c) => c.dryRun && !c.wrote)).toBe(true);
  });

  test("GIVEN a conflicting apply WHEN it is a dry run THEN the conflict is still reported", async () => {
    await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "ops" }), { fieldManager: "kubectl" });

    const { code } = await failure(apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "runner" }), { dryRun: true }));

    expect(code).toBe(409);
  });
});

describe("create, get, list, replace, delete", () => {
  test("GIVEN a Workflow with generateName WHEN it is created THEN a random suffix is added", async () => {
    const body = { apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { generateName: "hello-" }, spec: { workflowTemplateRef: { name: "hello" } } };

    const a = await api.createNamespacedCustomObject({ ...G, namespace: NS, plural: "workflows", body, fieldManager: "flowc" });
    const b = await api.createNamespacedCustomObject({ ...G, namespace: NS, plural: "workflows", body, fieldManager: "flowc" });

    expect(a.metadata.name).toMatch(/^hello-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(b.metadata.name).not.toBe(a.metadata.name);
    expect(a.metadata.generateName).toBe("hello-");
    expect(managers(a)[0]).toMatchObject({ manager: "flowc", operation: "Update" });
    expect(managers(a)[0]!.fieldsV1["f:spec"]).toEqual({ ".": {}, "f:workflowTemplateRef": { ".": {}, "f:name": {} } });
    expect(double.counts()).toMatchObject({ writes: 2, byVerb: { create: 2 } });
  });

  test("GIVEN an existing object WHEN it is created again THEN 409 AlreadyExists", async () => {
    await api.createNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", body: workflowTemplate() });

    const { code, status } = await failure(api.createNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", body: workflowTemplate() }));

    expect(code).toBe(409);
    expect(status).toMatchObject({ reason: "AlreadyExists", message: 'workflowtemplates.argoproj.io "hello" already exists' });
  });

  test("GIVEN a create without fieldManager WHEN it is stored THEN the manager comes from the User-Agent like on a real server", async () => {
    const created = await api.createNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", body: workflowTemplate() });

    expect(managers(created)[0]!.manager).toBe("node-fetch");
  });

  test("GIVEN objects with labels WHEN listing with label selectors THEN only matching items come back", async () => {
    const labelled: [string, Record<string, string>][] = [
      ["a", { app: "flow", env: "prod", tier: "batch" }],
      ["b", { app: "flow", env: "dev" }],
      ["c", { app: "other", env: "prod" }],
    ];
    for (const [name, labels] of labelled) await apply("workflowtemplates", workflowTemplate(name, {}, labels));
    const names = async (labelSelector: string) =>
      ((await api.listNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", labelSelector })).items as Obj[]).map((i) => i.metadata.name);

    expect(await names("app=flow")).toEqual(["a", "b"]);
    expect(await names("app==flow,env=prod")).toEqual(["a"]);
    expect(await names("env!=prod")).toEqual(["b"]);
    expect(await names("tier")).toEqual(["a"]);
    expect(await names("!tier")).toEqual(["b", "c"]);
    expect(await names("env in (dev, prod),app notin (other)")).toEqual(["a", "b"]);
    expect(await names("")).toEqual(["a", "b", "c"]);
    const list = await api.listNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", labelSelector: "app=flow" });
    expect(list).toMatchObject({ apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowTemplateList", metadata: { resourceVersion: double.resourceVersion() } });
    expect(double.calls().at(-1)!.query).toEqual({ labelSelector: "app=flow" });

    const { code } = await failure(api.listNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", labelSelector: "app in (a" }));
    expect(code).toBe(400);
  });

  test("GIVEN more objects than the limit WHEN listing page by page THEN continue tokens walk the whole list", async () => {
    for (const name of ["a", "b", "c"]) await apply("workflowtemplates", workflowTemplate(name));

    const page1 = await api.listNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", limit: 2 });
    const page2 = await api.listNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", limit: 2, _continue: page1.metadata.continue });

    expect((page1.items as Obj[]).map((i) => i.metadata.name)).toEqual(["a", "b"]);
    expect(page1.metadata.remainingItemCount).toBe(1);
    expect((page2.items as Obj[]).map((i) => i.metadata.name)).toEqual(["c"]);
    expect(page2.metadata.continue).toBeUndefined();
  });

  test("GIVEN an object WHEN it is deleted THEN 200 Success, then GET and DELETE answer 404 NotFound", async () => {
    const created = await apply("workflowtemplates", workflowTemplate());

    const deleted = await api.deleteNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", name: "hello" });
    expect(deleted).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name: "hello", group: "argoproj.io", kind: "workflowtemplates", uid: created.metadata.uid },
    });

    const missing = await failure(getObj("workflowtemplates", "hello"));
    expect(missing.code).toBe(404);
    expect(missing.status).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'workflowtemplates.argoproj.io "hello" not found',
      reason: "NotFound",
      details: { name: "hello", group: "argoproj.io", kind: "workflowtemplates" },
      code: 404,
    });
    expect((await failure(api.deleteNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", name: "hello" }))).code).toBe(404);
    expect(double.writeLog().map((w) => [w.verb, w.deleted])).toEqual([["apply", false], ["delete", true]]);
  });

  test("GIVEN objects in two namespaces WHEN listing across namespaces or by field selector THEN the right items come back", async () => {
    await apply("workflowtemplates", workflowTemplate("a"));
    await api.patchNamespacedCustomObject(
      { ...G, namespace: "other", plural: "workflowtemplates", name: "b", body: workflowTemplate("b"), fieldManager: "flowc" },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );

    const all = await api.listCustomObjectForAllNamespaces({ ...G, plural: "workflowtemplates" });
    const byName = await api.listNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", fieldSelector: "metadata.name=a" });

    expect((all.items as Obj[]).map((i) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual(["default/a", "other/b"]);
    expect((byName.items as Obj[]).map((i) => i.metadata.name)).toEqual(["a"]);
  });

  test("GIVEN labelled objects WHEN a collection is deleted by label selector THEN only those go, each counted as a write", async () => {
    await apply("workflowtemplates", workflowTemplate("a", {}, { flow: "x" }));
    await apply("workflowtemplates", workflowTemplate("b", {}, { flow: "x" }));
    await apply("workflowtemplates", workflowTemplate("c", {}, { flow: "y" }));
    double.reset();

    await api.deleteCollectionNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", labelSelector: "flow=x" });

    expect(double.list("WorkflowTemplate").map((o) => (o.metadata as JsonObject).name)).toEqual(["c"]);
    expect(double.counts()).toMatchObject({ total: 1, writes: 2, byVerb: { deletecollection: 1 } });
  });

  test("GIVEN an object with a finalizer WHEN deleted THEN it is only marked, and goes once the finalizer is removed", async () => {
    const created = await apply("workflowtemplates", { ...workflowTemplate(), metadata: { name: "hello", finalizers: ["example.com/keep"] } });

    const marked = await api.deleteNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", name: "hello" });
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(double.get("WorkflowTemplate", NS, "hello")).toBeDefined();

    await api.patchNamespacedCustomObject(
      { ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: { metadata: { finalizers: null } }, fieldManager: "controller" },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(double.get("WorkflowTemplate", NS, "hello")).toBeUndefined();
    expect(created.metadata.finalizers).toEqual(["example.com/keep"]);
  });

  test("GIVEN an apply carrying metadata.resourceVersion WHEN it is stale THEN 409 Conflict", async () => {
    const v1 = await apply("workflowtemplates", workflowTemplate());
    await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "x" }));
    const stale = workflowTemplate();
    stale.metadata.resourceVersion = v1.metadata.resourceVersion;

    const { code, status } = await failure(apply("workflowtemplates", stale));

    expect(code).toBe(409);
    expect(status.message).toContain("the object has been modified");
  });

  test("GIVEN a double with a namespace list WHEN applying into another namespace THEN 404 namespaces not found", async () => {
    const scoped = await startK8sDouble({ namespaces: ["flows"] });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(scoped.writeKubeconfig(join(dir, "scoped")));
      const client = kc.makeApiClient(CustomObjectsApi);

      const { code, status } = await failure(apply("workflowtemplates", workflowTemplate(), { client }));

      expect(code).toBe(404);
      expect(status.message).toBe('namespaces "default" not found');
    } finally {
      await scoped.stop();
    }
  });

  test("GIVEN an object WHEN deleted with a stale resourceVersion precondition THEN 409 and it stays", async () => {
    const created = await apply("workflowtemplates", workflowTemplate());
    await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "x" }));

    const { code, status } = await failure(
      api.deleteNamespacedCustomObject({
        ...G, namespace: NS, plural: "workflowtemplates", name: "hello",
        body: { preconditions: { resourceVersion: created.metadata.resourceVersion } },
      }),
    );

    expect(code).toBe(409);
    expect(status.reason).toBe("Conflict");
    expect(status.message).toContain("Precondition failed: ResourceVersion in precondition:");
    expect(double.get("WorkflowTemplate", NS, "hello")).toBeDefined();
  });

  test("GIVEN an object WHEN replaced with a stale resourceVersion THEN 409 Conflict; with the current one THEN 200", async () => {
    const v1 = await apply("workflowtemplates", workflowTemplate());
    const v2 = await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "x" }));

    const stale = await failure(
      api.replaceNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: { ...v1, spec: { ...v1.spec, entrypoint: "b" } } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status.message).toBe(
      'Operation cannot be fulfilled on workflowtemplates.argoproj.io "hello": the object has been modified; please apply your changes to the latest version and try again',
    );

    const replaced = await api.replaceNamespacedCustomObject({
      ...G, namespace: NS, plural: "workflowtemplates", name: "hello", fieldManager: "flowc",
      body: { ...v2, spec: { ...v2.spec, entrypoint: "b" } },
    });
    expect(replaced.spec.entrypoint).toBe("b");
    expect(Number(replaced.metadata.resourceVersion)).toBeGreaterThan(Number(v2.metadata.resourceVersion));
    expect(managers(replaced).find((m) => m.operation === "Update")).toMatchObject({ manager: "flowc", fieldsV1: { "f:spec": { "f:entrypoint": {} } } });
  });

  test("GIVEN an object WHEN replaced without resourceVersion THEN 422, as custom resources forbid unconditional updates", async () => {
    await apply("workflowtemplates", workflowTemplate());

    const { code, status } = await failure(api.replaceNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: workflowTemplate() }));

    expect(code).toBe(422);
    expect(status.details.causes[0]).toMatchObject({ field: "metadata.resourceVersion" });
  });

  test("GIVEN an object WHEN replaced with identical content THEN it is a no-op without a write", async () => {
    const v1 = await apply("workflowtemplates", workflowTemplate());
    double.reset();

    const same = await api.replaceNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: v1, fieldManager: "flowc" });

    expect(same.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
    expect(double.counts().writes).toBe(0);
  });

  test("GIVEN an object WHEN labels are edited with merge-patch and json-patch THEN they change and a failing json-patch test is 422", async () => {
    await apply("workflowtemplates", workflowTemplate());

    const merged = await api.patchNamespacedCustomObject(
      { ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: { metadata: { labels: { app: null, owner: "team-a" } } }, fieldManager: "labeller" },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(merged.metadata.labels).toEqual({ owner: "team-a" });
    expect(managers(merged).find((m) => m.manager === "labeller")).toMatchObject({ operation: "Update", fieldsV1: { "f:metadata": { "f:labels": { "f:owner": {} } } } });

    const patched = await api.patchNamespacedCustomObject(
      { ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: [{ op: "add", path: "/metadata/labels/env", value: "prod" }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    expect(patched.metadata.labels).toEqual({ owner: "team-a", env: "prod" });

    const failed = await failure(
      api.patchNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: [{ op: "test", path: "/metadata/labels/env", value: "dev" }] }),
    );
    expect(failed.code).toBe(422);
  });

  test("GIVEN a strategic merge patch WHEN sent to a custom resource THEN 415 like the real server", async () => {
    await apply("workflowtemplates", workflowTemplate());

    const { code, status } = await failure(
      api.patchNamespacedCustomObject(
        { ...G, namespace: NS, plural: "workflowtemplates", name: "hello", body: { spec: { entrypoint: "x" } } },
        setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
      ),
    );

    expect(code).toBe(415);
    expect(status.reason).toBe("UnsupportedMediaType");
  });

  test("GIVEN CronWorkflow and Sensor WHEN applied THEN they are stored under their own resources", async () => {
    const cron = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "CronWorkflow",
      metadata: { name: "nightly", labels: { "flowc.dev/flow": "hello" } },
      spec: { schedules: ["0 2 * * *"], timezone: "UTC", concurrencyPolicy: "Forbid", workflowSpec: { workflowTemplateRef: { name: "hello" } } },
    };

    await apply("cronworkflows", cron);
    await apply("sensors", sensor());

    expect(double.list().map((o) => `${o.kind}/${(o.metadata as JsonObject).name}`)).toEqual(["CronWorkflow/nightly", "Sensor/on-push"]);
  });
});

describe("validation", () => {
  const entrypointt = () => {
    const wt = workflowTemplate();
    wt.spec.entrypointt = "main";
    return wt;
  };

  test("GIVEN an unknown field spec.entrypointt WHEN server-side applied THEN the typed-patch error of a real server comes back (500, no reason)", async () => {
    const { code, status } = await failure(apply("workflowtemplates", entrypointt()));

    expect(code).toBe(500);
    expect(status.reason).toBeUndefined();
    expect(status.message).toBe(
      "failed to create typed patch object (default/hello; argoproj.io/v1alpha1, Kind=WorkflowTemplate): .spec.entrypointt: field not declared in schema",
    );
    expect(double.get("WorkflowTemplate", NS, "hello")).toBeUndefined();
  });

  test("GIVEN an unknown field WHEN created with fieldValidation=Strict THEN 400; without it THEN pruned with a Warning header", async () => {
    const strict = await failure(api.createNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", body: entrypointt(), fieldValidation: "Strict" }));
    expect(strict.code).toBe(400);
    expect(strict.status.message).toBe('strict decoding error: unknown field "spec.entrypointt"');

    const warned = await api.createNamespacedCustomObjectWithHttpInfo({ ...G, namespace: NS, plural: "workflowtemplates", body: entrypointt() });
    expect(warned.httpStatusCode).toBe(201);
    expect(warned.headers["warning"]).toBe('299 - "unknown field \\"spec.entrypointt\\""');
    expect(warned.data.spec.entrypointt).toBeUndefined();
    expect(double.calls().at(-1)!.warnings).toEqual(['unknown field "spec.entrypointt"']);
  });

  test("GIVEN a double with unknownFields=reject WHEN a WorkflowTemplate has spec.entrypointt THEN 422 Invalid with a cause per field", async () => {
    const strictDouble = await startK8sDouble({ unknownFields: "reject" });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(strictDouble.writeKubeconfig(join(dir, "reject")));
      const client = kc.makeApiClient(CustomObjectsApi);
      const wt = entrypointt();
      wt.spec.templates[0].container.imagee = "x";

      const { code, status } = await failure(apply("workflowtemplates", wt, { client }));

      expect(code).toBe(422);
      expect(status.reason).toBe("Invalid");
      expect(status.details).toMatchObject({ name: "hello", group: "argoproj.io", kind: "WorkflowTemplate" });
      expect(status.details.causes.map((c: Obj) => c.field).sort()).toEqual(["spec.entrypointt", "spec.templates[0].container.imagee"]);
      expect(status.message).toMatch(/^WorkflowTemplate\.argoproj\.io "hello" is invalid: \[/);
    } finally {
      await strictDouble.stop();
    }
  });

  test("GIVEN a WorkflowTemplate with a wrongly typed field WHEN created THEN 422 Invalid in CRD-validation wording", async () => {
    const { code, status } = await failure(
      api.createNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", body: workflowTemplate("hello", { entrypoint: 5 }) }),
    );

    expect(code).toBe(422);
    expect(status.message).toBe(
      'WorkflowTemplate.argoproj.io "hello" is invalid: spec.entrypoint: Invalid value: "integer": spec.entrypoint in body must be of type string: "integer"',
    );
    expect(status.details.causes).toEqual([
      { reason: "FieldValueTypeInvalid", message: 'Invalid value: "integer": spec.entrypoint in body must be of type string: "integer"', field: "spec.entrypoint" },
    ]);
  });

  test("GIVEN bad metadata WHEN created THEN 422 for the name and labels", async () => {
    const { code, status } = await failure(
      api.createNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates", body: workflowTemplate("Hello_World", {}, { "bad key!": "x" }) }),
    );

    expect(code).toBe(422);
    expect(status.details.causes.map((c: Obj) => c.field)).toEqual(["metadata.name", "metadata.labels"]);
  });

  test("GIVEN invalid Sensors WHEN applied THEN 422 Invalid names each problem", async () => {
    const noDeps = sensor("s1", { dependencies: [] });
    const unknown = sensor("s2");
    unknown.spec.triggers[0].template.argoWorkflow.operaton = "submit";
    const danglingDep = sensor("s3");
    danglingDep.spec.triggers[0].template.argoWorkflow.parameters[0].src.dependencyName = "pull";
    const badWorkflow = sensor("s4");
    badWorkflow.spec.triggers[0].template.argoWorkflow.source.resource.spec.entrypointt = "x";

    const causes = async (s: Obj) => {
      const { code, status } = await failure(apply("sensors", s));
      expect(code).toBe(422);
      return (status.details.causes as Obj[]).map((c) => `${c.field}: ${c.message}`);
    };

    expect(await causes(noDeps)).toEqual(["spec.dependencies: Invalid value: []: spec.dependencies in body must NOT have fewer than 1 items"]);
    expect(await causes(unknown)).toEqual(["spec.triggers[0].template.argoWorkflow.operaton: Invalid value: field not declared in schema"]);
    expect(await causes(danglingDep)).toEqual([
      'spec.triggers[0].template.argoWorkflow.parameters[0].src.dependencyName: Invalid value: "pull": dependency is not defined in spec.dependencies',
    ]);
    expect(await causes(badWorkflow)).toEqual([
      "spec.triggers[0].template.argoWorkflow.source.resource.spec.entrypointt: Invalid value: field not declared in schema",
    ]);
    expect(double.list("Sensor")).toEqual([]);
  });

  test("GIVEN a valid Sensor WHEN applied with a status THEN status is ignored (status subresource)", async () => {
    const s = sensor();
    s.status = { conditions: [] };

    const created = await apply("sensors", s);

    expect(created.status).toBeUndefined();
    expect(created.spec.triggers[0].template.name).toBe("run-flow");
  });

  test("GIVEN the Parameter validator WHEN probed THEN it reads every declared property except the ones listed in UNREAD_DECLARED_PROPERTIES", () => {
    const declared = ["default", "description", "enum", "globalName", "name", "value", "valueFrom"];
    const probe = Object.fromEntries(declared.map((p) => [p, "x"])) as JsonObject;

    const { unknown } = runTrackedValidator(Parameter.prototype.validate as () => void, probe);

    expect(unknown).toEqual([]);
    expect(UNREAD_DECLARED_PROPERTIES[0]!.allow).toEqual(["description"]);
    const withTypo = { ...probe, valueFromm: "x" };
    expect(runTrackedValidator(Parameter.prototype.validate as () => void, withTypo).unknown).toEqual([["valueFromm"]]);
  });
});

describe("size limits", () => {
  test("GIVEN an object over the etcd limit WHEN stored THEN 500 'etcdserver: request is too large', but a dry run passes", async () => {
    const small = await startK8sDouble({ maxObjectBytes: 4096, maxRequestBytes: 8192 });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(small.writeKubeconfig(join(dir, "small")));
      const client = kc.makeApiClient(CustomObjectsApi);
      const big = workflowTemplate("big", {}, { app: "big" });
      big.metadata.annotations = { "flowc.dev/blob": "x".repeat(5000) };

      expect((await apply("workflowtemplates", big, { client, dryRun: true })).metadata.name).toBe("big");
      const tooLarge = await failure(apply("workflowtemplates", big, { client }));
      expect(tooLarge.code).toBe(500);
      expect(tooLarge.status.message).toBe("etcdserver: request is too large");

      big.metadata.annotations = { "flowc.dev/blob": "x".repeat(9000) };
      const entity = await failure(apply("workflowtemplates", big, { client }));
      expect(entity.code).toBe(413);
      expect(entity.status).toMatchObject({ reason: "RequestEntityTooLarge", message: "Request entity too large: limit is 8192" });
      expect(small.list()).toEqual([]);
    } finally {
      await small.stop();
    }
  });
});

describe("fault injection", () => {
  const modes: FaultMode[] = ["status500", "status429", "reset"];

  test.each(modes)("GIVEN failNext(%s) WHEN the client calls THEN it sees an error and nothing is stored", async (mode) => {
    double.failNext({ mode, retryAfterSeconds: 7 });

    let error: unknown;
    try {
      await apply("workflowtemplates", workflowTemplate());
    } catch (e) {
      error = e;
    }

    if (mode === "reset") {
      // Not an ApiException: node-fetch's FetchError with the socket error code.
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ApiException);
      expect(error).toMatchObject({ name: "FetchError", code: "ECONNRESET" });
    } else {
      expect(error).toBeInstanceOf(ApiException);
      const e = error as ApiException<string>;
      expect(e.code).toBe(mode === "status500" ? 500 : 429);
      const status = JSON.parse(e.body) as Obj;
      expect(status.reason).toBe(mode === "status500" ? "InternalError" : "TooManyRequests");
      if (mode === "status429") {
        expect(e.headers["retry-after"]).toBe("7");
        expect(status.details).toEqual({ retryAfterSeconds: 7 });
      }
    }
    expect(double.get("WorkflowTemplate", NS, "hello")).toBeUndefined();
    expect(double.calls()[0]).toMatchObject({ fault: mode, status: mode === "reset" ? 0 : mode === "status500" ? 500 : 429, wrote: false });
    expect(double.pendingFaults()).toBe(0);

    expect((await apply("workflowtemplates", workflowTemplate())).metadata.name).toBe("hello");
  });

  test("GIVEN failNext(resetAfter) WHEN the client applies THEN it sees a connection error although the write landed", async () => {
    double.failNext({ mode: "resetAfter" });

    await expect(apply("workflowtemplates", workflowTemplate())).rejects.toMatchObject({ name: "FetchError" });

    expect(double.get("WorkflowTemplate", NS, "hello")).toBeDefined();
    expect(double.counts().writes).toBe(1);
    expect(double.calls()[0]).toMatchObject({ fault: "resetAfter", status: 0, wrote: true });
  });

  test("GIVEN a three-call sequence WHEN a fault is injected at every position in turn THEN exactly that call fails", async () => {
    const sequence = async (): Promise<string[]> => {
      const outcome: string[] = [];
      for (const step of [
        () => apply("workflowtemplates", workflowTemplate()),
        () => getObj("workflowtemplates", "hello"),
        () => api.listNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates" }),
      ]) {
        try {
          await step();
          outcome.push("ok");
        } catch (e) {
          outcome.push(e instanceof ApiException ? String(e.code) : "error");
        }
      }
      return outcome;
    };
    double.reset();
    await sequence();
    const calls = double.counts().total;
    expect(calls).toBe(3);

    for (let at = 1; at <= calls; at++) {
      double.clearStore();
      double.reset();
      double.failNext({ at, mode: "status500" });
      const outcome = await sequence();
      const expected = ["ok", "ok", "ok"];
      expected[at - 1] = "500";
      if (at === 1) expected[1] = "404"; // the apply never happened
      expect(outcome).toEqual(expected);
    }
  });

  test("GIVEN a fault with a match filter WHEN other requests come first THEN only the matching request fails", async () => {
    double.failNext({ mode: "status500", match: (c) => c.verb === "apply" });

    await expect(getObj("workflowtemplates", "hello")).rejects.toMatchObject({ code: 404 });
    await expect(apply("workflowtemplates", workflowTemplate())).rejects.toMatchObject({ code: 500 });
    await expect(apply("workflowtemplates", workflowTemplate())).resolves.toBeDefined();
  });
});

describe("kubeconfig", () => {
  test("GIVEN the written kubeconfig WHEN loaded THEN it has two contexts, both usable, and --context style selection picks the user and namespace", async () => {
    const path = double.writeKubeconfig(join(dir, "two"), { namespace: "flows", altNamespace: "flows-alt" });
    const doc = parseYaml(readFileSync(path, "utf8")) as Obj;
    expect(doc["current-context"]).toBe("flowc-double");
    expect(doc.clusters.map((c: Obj) => c.cluster["insecure-skip-tls-verify"])).toEqual([true, true]);

    const kc = new KubeConfig();
    kc.loadFromFile(path);
    expect(kc.getContexts().map((c) => c.name)).toEqual(["flowc-double", "flowc-double-alt"]);
    expect(kc.getContextObject(kc.getCurrentContext())!.namespace).toBe("flows");

    kc.setCurrentContext("flowc-double-alt");
    const ns = kc.getContextObject(kc.getCurrentContext())!.namespace!;
    expect(ns).toBe("flows-alt");
    await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...G, namespace: ns, plural: "workflowtemplates" });

    expect(double.calls().at(-1)).toMatchObject({ user: "flowc-double-alt-user", namespace: "flows-alt" });
  });

  test("GIVEN context=flowc-double-alt WHEN the kubeconfig is written THEN it is the current context", () => {
    const kc = new KubeConfig();
    kc.loadFromFile(double.writeKubeconfig(join(dir, "alt"), { context: "flowc-double-alt" }));

    expect(kc.getCurrentContext()).toBe("flowc-double-alt");
    expect(kc.getCurrentCluster()!.server).toBe(double.url);
  });

  test("GIVEN requireAuth WHEN a request has no known token THEN 401", async () => {
    const guarded = await startK8sDouble({ requireAuth: true });
    try {
      const res = await fetch(`${guarded.url}/apis/argoproj.io/v1alpha1/namespaces/default/workflowtemplates`);
      expect(res.status).toBe(401);
      const kc = new KubeConfig();
      kc.loadFromFile(guarded.writeKubeconfig(join(dir, "guarded")));
      await expect(kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...G, namespace: NS, plural: "workflowtemplates" })).resolves.toBeDefined();
    } finally {
      await guarded.stop();
    }
  });
});

describe("discovery and seeding", () => {
  test("GIVEN the double WHEN discovery endpoints are read THEN the argoproj.io resources are listed", async () => {
    const version = (await (await fetch(`${double.url}/version`)).json()) as Obj;
    const groups = (await (await fetch(`${double.url}/apis`)).json()) as Obj;
    const resources = (await (await fetch(`${double.url}/apis/argoproj.io/v1alpha1`)).json()) as Obj;

    expect(version.major).toBe("1");
    expect(groups.groups[0].name).toBe("argoproj.io");
    expect(resources.resources.map((r: Obj) => r.name)).toEqual(["workflowtemplates", "cronworkflows", "workflows", "sensors", "sensors/status"]);
    expect(double.counts().byVerb.discovery).toBe(3);
  });

  test("GIVEN a seeded object owned by another manager WHEN flowc applies a different value THEN it conflicts; seeding is neither a call nor a write", async () => {
    double.seed(workflowTemplate("hello", { serviceAccountName: "ops" }) as JsonObject, { manager: "helm" });
    expect(double.counts()).toMatchObject({ total: 0, writes: 0 });

    const { status } = await failure(apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "runner" })));

    expect(status.message).toContain('conflict with "helm" using argoproj.io/v1alpha1');
  });

  test("GIVEN an object without managedFields WHEN flowc applies a different value THEN it conflicts with before-first-apply", async () => {
    double.seed(workflowTemplate("hello", { serviceAccountName: "ops" }) as JsonObject, { manager: null });
    expect(double.get("WorkflowTemplate", NS, "hello")!.metadata).not.toHaveProperty("managedFields");

    const same = await apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "ops" }));
    expect(managers(same).map((m) => `${m.manager}/${m.operation}`).sort()).toEqual(["before-first-apply/Update", "flowc/Apply"]);

    const { status } = await failure(apply("workflowtemplates", workflowTemplate("hello", { serviceAccountName: "runner" })));
    expect(status.message).toBe(
      'Apply failed with 1 conflict: conflict with "before-first-apply" using argoproj.io/v1alpha1: .spec.serviceAccountName',
    );
  });
});

describe("Deployments (apps/v1, read-only) and RBAC refusals", () => {
  const controller = (ns: string, image: string): JsonObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "workflow-controller", namespace: ns },
    spec: { selector: { matchLabels: { app: "workflow-controller" } }, template: { metadata: { labels: { app: "workflow-controller" } }, spec: { containers: [{ name: "workflow-controller", image }] } } },
  });

  test("GIVEN a seeded Deployment WHEN AppsV1Api lists and reads it THEN client-node gets it typed, and writes are not served", async () => {
    double.seed(controller("argo", "quay.io/argoproj/workflow-controller:v4.0.8"));
    const kc = new KubeConfig();
    kc.loadFromFile(double.writeKubeconfig(join(dir, "apps")));
    const apps = kc.makeApiClient(AppsV1Api);
    const list = await apps.listNamespacedDeployment({ namespace: "argo" });
    expect(list.items.map((d) => d.spec?.template.spec?.containers[0]?.image)).toEqual(["quay.io/argoproj/workflow-controller:v4.0.8"]);
    expect((await apps.listNamespacedDeployment({ namespace: "flows" })).items).toEqual([]);
    expect((await apps.readNamespacedDeployment({ namespace: "argo", name: "workflow-controller" })).metadata?.name).toBe("workflow-controller");
    const { code } = await failure(apps.deleteNamespacedDeployment({ namespace: "argo", name: "workflow-controller" }));
    expect(code).toBe(405);
    expect(double.calls().map((c) => `${c.verb} ${c.resource} ${c.status}`)).toEqual(["list deployments 200", "list deployments 200", "get deployments 200", "delete deployments 405"]);
  });

  test("GIVEN forbid WHEN a matching request arrives THEN 403 Forbidden, worded as RBAC words it", async () => {
    const locked = await startK8sDouble({ forbid: (c) => c.resource === "deployments" && c.namespace === "argo" });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(locked.writeKubeconfig(join(dir, "locked")));
      const apps = kc.makeApiClient(AppsV1Api);
      const { code, status } = await failure(apps.listNamespacedDeployment({ namespace: "argo" }));
      expect(code).toBe(403);
      expect(status).toMatchObject({ reason: "Forbidden", message: 'deployments.apps is forbidden: User "flowc-double-user" cannot list resource "deployments" in API group "apps" in the namespace "argo"' });
      await expect(apps.listNamespacedDeployment({ namespace: "flows" })).resolves.toBeDefined();
    } finally {
      await locked.stop();
    }
  });
});
