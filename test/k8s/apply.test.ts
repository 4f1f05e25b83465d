// Unit tests of the field-ownership model behind server-side apply in the double.

import { describe, expect, test } from "vitest";
import {
  applyFields,
  ApplyConflictError,
  compare,
  conflictMessage,
  decodeManagedFields,
  encodeManagedFields,
  fromFieldsV1,
  key,
  toFieldsV1,
  updateFields,
  type ManagerEntry,
} from "./apply.ts";
import type { JsonObject } from "./json.ts";
import { matchesLabels, parseLabelSelector, SelectorError } from "./labels.ts";

const NOW = "2024-01-01T00:00:00Z";
const LATER = "2024-01-01T00:01:00Z";
const V = "argoproj.io/v1alpha1";
const set = (...paths: string[][]) => new Set(paths.map(key));

function applyAs(manager: string, live: JsonObject, managers: ManagerEntry[], config: JsonObject, force = false, now = NOW) {
  return applyFields({ live, managers, config, manager, apiVersion: V, force, now });
}

describe("FieldsV1 encoding", () => {
  test("GIVEN a field set with a member that has members WHEN encoded THEN it gets a '.' marker and decodes back to the same set", () => {
    const fields = set(["spec"], ["spec", "a"], ["spec", "b", "c"], ["metadata", "labels", "app"]);

    const v1 = toFieldsV1(fields);

    expect(v1).toEqual({
      "f:metadata": { "f:labels": { "f:app": {} } },
      "f:spec": { ".": {}, "f:a": {}, "f:b": { "f:c": {} } },
    });
    expect(fromFieldsV1(v1)).toEqual(fields);
  });

  test("GIVEN managed field entries WHEN encoded THEN Apply entries sort before Update entries, then by time", () => {
    const entries: ManagerEntry[] = [
      { manager: "b", operation: "Update", apiVersion: V, time: NOW, fields: set(["x"]) },
      { manager: "z", operation: "Apply", apiVersion: V, time: LATER, fields: set(["y"]) },
      { manager: "a", operation: "Apply", apiVersion: V, time: NOW, fields: set(["z"]) },
    ];

    const encoded = encodeManagedFields(entries);

    expect(encoded.map((e) => e.manager)).toEqual(["a", "z", "b"]);
    expect(decodeManagedFields(encoded).map((e) => e.fields)).toEqual([set(["z"]), set(["y"]), set(["x"])]);
  });
});

describe("apply", () => {
  test("GIVEN nested fields WHEN the applier drops a whole subtree THEN emptied parents disappear too", () => {
    const first = applyAs("flowc", {}, [], { spec: { podGC: { strategy: "OnPodSuccess" }, entrypoint: "main" } });

    const second = applyAs("flowc", first.content, first.managers, { spec: { entrypoint: "main" } });

    expect(second.content).toEqual({ spec: { entrypoint: "main" } });
    expect(second.managers[0]!.fields).toEqual(set(["spec", "entrypoint"]));
  });

  test("GIVEN a list WHEN applied THEN it is owned and replaced as a whole (atomic)", () => {
    const first = applyAs("flowc", {}, [], { spec: { templates: [{ name: "a" }, { name: "b" }] } });
    const other = applyAs("other", first.content, first.managers, { spec: { templates: [{ name: "a" }, { name: "b" }] } });

    expect(other.managers.map((m) => [m.manager, [...m.fields]])).toEqual([
      ["flowc", [key(["spec", "templates"])]],
      ["other", [key(["spec", "templates"])]],
    ]);
    expect(() => applyAs("flowc", other.content, other.managers, { spec: { templates: [{ name: "a" }] } })).toThrow(ApplyConflictError);
  });

  test("GIVEN two conflicting managers WHEN the message is built THEN it groups paths per manager like the API server", () => {
    const mgr = (manager: string, operation: "Apply" | "Update"): ManagerEntry => ({ manager, operation, apiVersion: V, fields: new Set() });

    const message = conflictMessage([
      { manager: mgr("helm", "Update"), path: ["spec", "a"] },
      { manager: mgr("helm", "Update"), path: ["spec", "b"] },
      { manager: mgr("argocd", "Apply"), path: ["metadata", "labels", "x"] },
    ]);

    expect(message).toBe(
      'Apply failed with 3 conflicts: conflicts with "argocd":\n- .metadata.labels.x\nconflicts with "helm" using argoproj.io/v1alpha1:\n- .spec.a\n- .spec.b',
    );
  });

  test("GIVEN a no-op apply WHEN the time moves on THEN the entry keeps its old time", () => {
    const first = applyAs("flowc", {}, [], { spec: { entrypoint: "main" } });

    const again = applyAs("flowc", first.content, first.managers, { spec: { entrypoint: "main" } }, false, LATER);

    expect(again.managers[0]!.time).toBe(NOW);
  });
});

describe("update", () => {
  test("GIVEN an Update that changes an applied field WHEN recorded THEN the updater takes it over from the applier", () => {
    const applied = applyAs("flowc", {}, [], { spec: { entrypoint: "main", serviceAccountName: "a" } });

    const updated = updateFields({
      live: applied.content,
      managers: applied.managers,
      content: { spec: { entrypoint: "other", serviceAccountName: "a" } },
      manager: "kubectl-edit",
      apiVersion: V,
      now: LATER,
    });

    expect(updated.managers.map((m) => [m.manager, m.operation, [...m.fields]])).toEqual([
      ["flowc", "Apply", [key(["spec", "serviceAccountName"])]],
      ["kubectl-edit", "Update", [key(["spec", "entrypoint"])]],
    ]);
  });

  test("GIVEN a new subtree WHEN compared THEN every node of it is added, including parents", () => {
    expect(compare({}, { spec: { a: { b: 1 } } }).added).toEqual(set(["spec"], ["spec", "a"], ["spec", "a", "b"]));
    expect(compare({ spec: { a: 1 } }, { spec: { a: 2 } }).modified).toEqual(set(["spec", "a"]));
  });
});

describe("label selectors", () => {
  const labels = { app: "flow", env: "prod", n: "3" };

  test.each([
    ["app=flow", true],
    ["app==flow", true],
    ["app!=flow", false],
    ["missing!=x", true],
    ["app", true],
    ["!app", false],
    ["env in (dev,prod)", true],
    ["env notin (dev, prod)", false],
    ["app=flow,env=dev", false],
    ["n>2,n<4", true],
    ["app in (flow),env", true],
  ])("GIVEN %s WHEN matched against app=flow,env=prod,n=3 THEN %s", (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  test.each(["app in (a", "=x", "app=x y", "a/b/c=x"])("GIVEN the malformed selector %s WHEN parsed THEN it is rejected", (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(SelectorError);
  });
});
