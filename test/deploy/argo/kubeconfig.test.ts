import { mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { selectKubeTarget } from "../../../src/kube/kubeconfig.ts";
import { ownerToken, TAG } from "../../../src/deploy/ownership.ts";
import { compile, context, fastTarget, NAMES, NS, useWorld } from "./setup.ts";

const target = fastTarget();

const w = useWorld();

const users = () => [...new Set(w.double.calls().map((c) => c.user))];

describe("GIVEN a kubeconfig with two contexts (users flowc-double-user and flowc-double-alt-user)", () => {
  it("WHEN KUBECONFIG names it THEN its current context is used, and the config's namespace wins over the context's", async () => {
    await target.apply(context(w, await compile(w), {}, { KUBECONFIG: w.kubeconfig }));
    expect(users()).toEqual(["flowc-double-user"]);
    expect(w.double.list(undefined, "default")).toEqual([]);
    expect(w.double.get("WorkflowTemplate", NS, NAMES.template)).toBeDefined();
  });

  it("WHEN --context picks the other one THEN every call is made as its user, and the owner defaults to that user", async () => {
    await target.apply(context(w, await compile(w), { context: "flowc-double-alt" }, { KUBECONFIG: w.kubeconfig }));
    expect(users()).toEqual(["flowc-double-alt-user"]);
    expect((w.double.get("WorkflowTemplate", NS, NAMES.template) as any).metadata.labels[TAG.owner]).toBe(ownerToken("flowc-double-alt-user"));
  });

  it("WHEN --context names a context that does not exist THEN the error lists the ones that do", async () => {
    await expect(target.apply(context(w, await compile(w), { context: "prod" }, { KUBECONFIG: w.kubeconfig }))).rejects.toMatchObject({
      message: expect.stringContaining("no context `prod`"),
      hint: expect.stringContaining("flowc-double, flowc-double-alt"),
    });
    expect(w.double.calls()).toEqual([]);
  });

  it("WHEN --kubeconfig is given THEN it wins over KUBECONFIG", async () => {
    await target.apply(context(w, await compile(w), { kubeconfig: w.kubeconfig }, { KUBECONFIG: join(w.dir, "missing.yaml") }));
    expect(users()).toEqual(["flowc-double-user"]);
  });

  it("WHEN KUBECONFIG lists several files THEN missing ones are skipped and the first to set current-context wins (as kubectl)", async () => {
    const alt = w.double.writeKubeconfig(join(w.dir, "alt"), { context: "flowc-double-alt" });
    const list = [join(w.dir, "missing.yaml"), alt, w.kubeconfig].join(delimiter);
    await target.apply(context(w, await compile(w), {}, { KUBECONFIG: list }));
    expect(users()).toEqual(["flowc-double-alt-user"]);
  });

  it("WHEN no kubeconfig exists anywhere THEN the error says where flowc looked", async () => {
    await expect(target.apply(context(w, await compile(w), {}, { HOME: join(w.dir, "nohome") }))).rejects.toMatchObject({
      message: expect.stringContaining("~/.kube/config does not exist"),
    });
  });

  it("WHEN only ~/.kube/config exists THEN it is used", async () => {
    const home = join(w.dir, "home");
    w.double.writeKubeconfig(join(home, ".kube"), { fileName: "config", context: "flowc-double-alt" });
    await target.apply(context(w, await compile(w), {}, { HOME: home }));
    expect(users()).toEqual(["flowc-double-alt-user"]);
  });
});

describe("GIVEN a pod with a mounted service account and no kubeconfig", () => {
  it("WHEN the target is selected THEN it is the in-cluster API with the account's namespace and identity", () => {
    const sa = join(w.dir, "sa");
    mkdirSync(sa, { recursive: true });
    const claims = Buffer.from(JSON.stringify({ sub: "system:serviceaccount:ci:deployer" })).toString("base64url");
    writeFileSync(join(sa, "token"), `eyJhbGciOiJSUzI1NiJ9.${claims}.sig`);
    writeFileSync(join(sa, "namespace"), "ci\n");
    writeFileSync(join(sa, "ca.crt"), "");
    const t = selectKubeTarget({ env: { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443", HOME: join(w.dir, "nohome") }, serviceAccountDir: sa });
    expect({ server: t.server, namespace: t.contextNamespace, user: t.user, source: t.source }).toEqual({
      server: "https://10.96.0.1:443",
      namespace: "ci",
      user: "system:serviceaccount:ci:deployer",
      source: "the in-cluster service account",
    });
  });
});
