import { describe, expect, it } from "vitest";
import { readLive } from "../../../src/deploy/argo/live.ts";
import type { ArgoClient, KubeObject } from "../../../src/kube/client.ts";
import { KubeError } from "../../../src/kube/errors.ts";

/** A cluster with Argo Workflows but without Argo Events: sensors are not served (404 on LIST). */
const withoutArgoEvents = {
  list: async (kind: string) => {
    if (kind === "Sensor") throw new KubeError(`list ${kind}`, 404, "the server could not find the requested resource", "NotFound");
    return [];
  },
  get: async () => undefined,
} as unknown as ArgoClient;

const obj = (kind: string): KubeObject => ({ apiVersion: "argoproj.io/v1alpha1", kind, metadata: { name: "f-dev" } });

describe("GIVEN a cluster without Argo Events", () => {
  it("WHEN a flow without triggers is read THEN the missing Sensor kind holds nothing of ours", async () => {
    await expect(readLive(withoutArgoEvents, "f", "dev", [obj("WorkflowTemplate")])).resolves.toEqual([]);
  });

  it("WHEN a flow with triggers is read THEN it says Argo Events is missing, before any write", async () => {
    await expect(readLive(withoutArgoEvents, "f", "dev", [obj("WorkflowTemplate"), obj("Sensor")])).rejects.toMatchObject({
      message: "the cluster does not serve Sensor (argoproj.io/v1alpha1), which f needs for its triggers",
      hint: expect.stringContaining("install Argo Events"),
    });
  });
});
