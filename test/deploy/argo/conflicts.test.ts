import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { editAs } from "./edit.ts";
import { compile, context, fastTarget, NAMES, NS, startWorld, type World } from "./setup.ts";

let w: World;
const target = fastTarget();

beforeAll(async () => {
  w = await startWorld();
});
afterAll(() => w.stop());

describe("GIVEN a deployed template whose service account someone changed with kubectl edit", () => {
  beforeEach(async () => {
    w.double.clearStore();
    await target.apply(context(w, await compile(w)));
    await editAs(w, "kubectl-edit", "WorkflowTemplate", NS, NAMES.template, { spec: { serviceAccountName: "someone-else" } });
    w.double.reset();
  });

  it("WHEN flowc diffs THEN the update names the field and its manager", async () => {
    const plan = await target.plan(context(w, await compile(w)));
    const wt = plan.actions.find((a) => a.kind === "WorkflowTemplate")!;
    expect(wt).toMatchObject({ op: "update", reason: 'conflicts with "kubectl-edit" on .spec.serviceAccountName: deploy needs --force' });
    expect(wt.changes).toEqual([{ op: "changed", path: ["spec", "serviceAccountName"], before: "someone-else", after: "flowc-runner" }]);
  });

  it("WHEN flowc deploys THEN the conflict is reported with field and manager, and nothing is written", async () => {
    const err = await target.apply(context(w, await compile(w))).catch((e: Error & { hint?: string }) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      "fields flowc sets are managed by someone else, so the API server would refuse the apply:\n" +
        "  WorkflowTemplate nightly-dev:\n" +
        '    .spec.serviceAccountName  managed by "kubectl-edit" (an edit outside server-side apply)',
    );
    expect((err as { hint?: string }).hint).toMatch(/--force/);
    expect(w.double.counts().writes).toBe(0);
    expect((w.double.get("WorkflowTemplate", NS, NAMES.template) as any).spec.serviceAccountName).toBe("someone-else");
  });

  it("WHEN flowc deploys with --force THEN flowc's value wins and flowc owns the field again", async () => {
    const r = await target.apply(context(w, await compile(w), { force: true }));
    expect(r.writes).toBe(1);
    const wt = w.double.get("WorkflowTemplate", NS, NAMES.template) as any;
    expect(wt.spec.serviceAccountName).toBe("flowc-runner");
    expect(w.double.calls().find((c) => c.verb === "apply")!.query.force).toBe("true");
    // And the next deploy is a no-op again.
    w.double.reset();
    await target.apply(context(w, await compile(w)));
    expect(w.double.counts().writes).toBe(0);
  });

});

describe("GIVEN someone creates the template between flowc's read and its apply", () => {
  it("WHEN the API server answers the apply with a field-manager conflict THEN it is reported like a predicted one", async () => {
    w.double.clearStore();
    w.double.reset();
    let raced = false;
    // The double calls `match` as each request arrives, before carrying it out: a hook to write first.
    w.double.failNext({
      mode: "status500",
      match: (call) => {
        if (call.verb === "apply" && !raced) {
          raced = true;
          w.double.seed(
            { apiVersion: "argoproj.io/v1alpha1", kind: "WorkflowTemplate", metadata: { name: NAMES.template, namespace: NS }, spec: { entrypoint: "theirs", templates: [{ name: "theirs", container: { name: "main", image: "alpine" } }] } },
            { manager: "kubectl-create" },
          );
        }
        return false;
      },
    });
    const err = (await target.apply(context(w, await compile(w))).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/^fields flowc sets are managed by someone else/);
    expect(err.message).toContain('.spec.entrypoint  managed by "kubectl-create"');
    expect((w.double.get("WorkflowTemplate", NS, NAMES.template) as any).spec.entrypoint).toBe("theirs");
    w.double.reset();
  });
});
