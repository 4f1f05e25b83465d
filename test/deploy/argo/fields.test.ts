import { describe, expect, it } from "vitest";
import { decodeFieldsV1, inSync, leafPaths, predictConflicts, projectLive } from "../../../src/deploy/argo/fields.ts";
import type { KubeObject } from "../../../src/kube/client.ts";

const desired: KubeObject = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "WorkflowTemplate",
  metadata: { name: "t", namespace: "ns", labels: { a: "1" } },
  spec: { entrypoint: "main", templates: [{ name: "main", container: { name: "main", image: "alpine" } }], podGC: {} },
};

const applied = {
  "f:metadata": { "f:labels": { "f:a": {} } },
  "f:spec": { "f:entrypoint": {}, "f:templates": {}, "f:podGC": {} },
};

function live(extra: Partial<KubeObject> = {}, managedFields: unknown[] = [{ manager: "flowc", operation: "Apply", fieldsType: "FieldsV1", fieldsV1: applied }]): KubeObject {
  return {
    ...structuredClone(desired),
    ...extra,
    metadata: { ...structuredClone(desired.metadata), uid: "u", resourceVersion: "7", creationTimestamp: "2026-01-01T00:00:00Z", managedFields: managedFields as never, ...extra.metadata },
  } as KubeObject;
}

describe("GIVEN an applied configuration", () => {
  it("THEN its field set is its leaves, lists and empty objects included, without apiVersion, kind, name or namespace", () => {
    expect(leafPaths(desired)).toEqual([["metadata", "labels", "a"], ["spec", "entrypoint"], ["spec", "templates"], ["spec", "podGC"]]);
  });
});

describe("GIVEN managedFields as an API server writes them", () => {
  it("WHEN decoded THEN `.` markers are dropped and an associative list's items count as the list", () => {
    const fields = { "f:metadata": { "f:labels": { ".": {}, "f:a": {} } }, "f:spec": { "f:list": { 'k:{"name":"x"}': { ".": {}, "f:name": {} } }, "f:obj": { ".": {} } } };
    expect(decodeFieldsV1(fields)).toEqual([["metadata", "labels", "a"], ["spec", "list"], ["spec", "obj"]]);
  });
});

describe("GIVEN a live object and the desired one", () => {
  it("WHEN flowc's applied fields hold the desired values THEN it is in sync, whatever the server or others added", () => {
    const l = live({ status: { phase: "x" } } as never);
    (l.metadata.labels as Record<string, string>).other = "kept";
    expect(inSync(desired, l)).toBe(true);
  });

  it("WHEN a value differs THEN it is not in sync", () => {
    const l = live();
    (l.spec as { entrypoint: string }).entrypoint = "other";
    expect(inSync(desired, l)).toBe(false);
  });

  it("WHEN flowc owns a field it no longer sets THEN it is not in sync: the apply will remove it", () => {
    const l = live({}, [{ manager: "flowc", operation: "Apply", fieldsV1: { ...applied, "f:spec": { ...applied["f:spec"], "f:onExit": {} } } }]);
    expect(inSync(desired, l)).toBe(false);
    expect(projectLive({ ...l, spec: { ...(l.spec as object), onExit: "cleanup" } } as KubeObject, desired)).toMatchObject({ spec: { onExit: "cleanup" } });
  });

  it("WHEN the values are there but flowc never applied them THEN it is not in sync: ownership must move", () => {
    expect(inSync(desired, live({}, [{ manager: "kubectl", operation: "Update", fieldsV1: applied }]))).toBe(false);
  });

  it("WHEN another manager owns a field flowc would change THEN that is a conflict; owning it with the same value is not", () => {
    const edited = live({}, [
      { manager: "flowc", operation: "Apply", fieldsV1: { "f:metadata": applied["f:metadata"], "f:spec": { "f:templates": {}, "f:podGC": {} } } },
      { manager: "kubectl-edit", operation: "Update", fieldsV1: { "f:spec": { "f:entrypoint": {} } } },
    ]);
    expect(predictConflicts(desired, edited)).toEqual([]);
    (edited.spec as { entrypoint: string }).entrypoint = "edited";
    expect(predictConflicts(desired, edited)).toEqual([{ field: ".spec.entrypoint", manager: "kubectl-edit", operation: "Update" }]);
  });
});
