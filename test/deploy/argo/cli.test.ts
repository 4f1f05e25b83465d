// The argo target driven as a user drives it: `flowc deploy|diff|trigger|runs|delete --target argo`
// through main(argv, io), with KUBECONFIG pointing at the Kubernetes API double.

import { describe, expect, it } from "vitest";
import { main } from "../../../src/cli/main.ts";
import type { Io } from "../../../src/cli/io.ts";
import { ownerToken, TAG } from "../../../src/deploy/ownership.ts";
import { editAs } from "./edit.ts";
import { NAMES, NS, useWorld, writeFlow, type FlowShape } from "./setup.ts";

const w = useWorld();

async function flowc(args: string[], opts: { shape?: FlowShape; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; out: string; err: string }> {
  const file = writeFlow(w, opts.shape ?? {});
  const io: Io & { out: string; err: string } = {
    out: "",
    err: "",
    isTTY: false,
    env: opts.env ?? { KUBECONFIG: w.kubeconfig, NO_COLOR: "1" },
    cwd: w.dir,
    stdout: (t) => void (io.out += t),
    stderr: (t) => void (io.err += t),
  };
  const [cmd, ...rest] = args;
  const code = await main([cmd!, file, "--target", "argo", "--env", "dev", ...rest], io);
  return { code, out: io.out, err: io.err };
}

describe("GIVEN a cluster (the double) and a kubeconfig in KUBECONFIG", () => {
  it("WHEN `flowc deploy` runs twice THEN the first creates three objects and the second writes nothing", async () => {
    const first = await flowc(["deploy"]);
    expect(first.code).toBe(0);
    expect(first.out).toContain("+ create WorkflowTemplate nightly-dev");
    expect(first.out).toContain("Deployed nightly to dev (3 write calls).");
    expect(first.out).toContain(`Console: https://argo.example.com/workflow-templates/${NS}/nightly-dev`);
    w.double.reset();
    const second = await flowc(["deploy", "--format", "json"]);
    expect(second.code).toBe(0);
    const body = JSON.parse(second.out);
    expect(body).toMatchObject({ changed: false, writes: 0, calls: { reads: 3, writes: 0 } });
    expect(w.double.counts()).toMatchObject({ total: 3, writes: 0 });
  });

  it("WHEN `flowc diff` runs THEN it exits 1 with the changed fields by template name, 0 when nothing differs, 2 when it cannot tell", async () => {
    await flowc(["deploy"]);
    const changed = await flowc(["diff"], { shape: { day: "tomorrow" } });
    expect(changed.code).toBe(1);
    expect(changed.out).toContain("~ update WorkflowTemplate nightly-dev");
    expect(changed.out).toContain('    ~ spec.arguments.parameters[day].value: "today" → "tomorrow"');
    const same = await flowc(["diff"]);
    expect([same.code, same.out]).toEqual([0, "No changes: nightly (dev, argo) is up to date.\n"]);
    const json = await flowc(["diff", "--format", "json"], { shape: { schedule: false } });
    expect(JSON.parse(json.out).actions.find((a: { op: string }) => a.op === "delete")).toMatchObject({ kind: "CronWorkflow", name: NAMES.cron });
    const broken = await flowc(["diff", "--context", "nope"]);
    expect(broken.code).toBe(2);
    expect(broken.err).toContain("no context `nope`");
  });

  it("WHEN `flowc deploy --dry-run` runs THEN it prints the plan, the server dry-runs it and nothing is stored", async () => {
    const r = await flowc(["deploy", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Dry run: no changes were made (0 write calls).");
    expect(w.double.counts().writes).toBe(0);
    expect(w.double.calls().filter((c) => c.verb === "apply").every((c) => c.dryRun)).toBe(true);
    expect(w.double.list(undefined, NS)).toEqual([]);
  });

  it("WHEN a field was edited by someone else THEN deploy exits 1 naming field and manager, and --force takes it back", async () => {
    await flowc(["deploy"]);
    await editAs(w, "kubectl-edit", "WorkflowTemplate", NS, NAMES.template, { spec: { serviceAccountName: "someone-else" } });
    const refused = await flowc(["deploy"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('.spec.serviceAccountName  managed by "kubectl-edit"');
    expect(refused.err).toContain("--force");
    const forced = await flowc(["deploy", "--force"]);
    expect(forced.code).toBe(0);
    expect((w.double.get("WorkflowTemplate", NS, NAMES.template) as any).spec.serviceAccountName).toBe("flowc-runner");
  });

  it("WHEN another owner deploys THEN it is refused unless it presents the owner's token", async () => {
    await flowc(["deploy", "--owner", "team-a"]);
    const refused = await flowc(["deploy", "--owner", "team-b"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`hint: if you mean to take it over, rerun with --authorize ${ownerToken("team-a")}`);
    const fromEnv = await flowc(["deploy"], { env: { KUBECONFIG: w.kubeconfig, FLOWC_OWNER: "team-b" } });
    expect(fromEnv.code).toBe(1);
    const taken = await flowc(["deploy", "--owner", "team-b", "--authorize", ownerToken("team-a")]);
    expect(taken.code).toBe(0);
    expect((w.double.get("Sensor", NS, NAMES.sensor) as any).metadata.labels[TAG.owner]).toBe(ownerToken("team-b"));
  });

  it("WHEN `flowc trigger` and `flowc runs --env` run THEN a Workflow starts from the template and is listed", async () => {
    await flowc(["deploy"]);
    const bad = await flowc(["trigger", "--param", "size=big"]);
    expect(bad.code).toBe(2);
    expect(w.double.list("Workflow", NS)).toEqual([]);
    const started = await flowc(["trigger", "--param", "size=7", "--format", "json"]);
    expect(started.code).toBe(0);
    const run = JSON.parse(started.out);
    expect(run.id).toMatch(/^nightly-dev-[a-z0-9]{5}$/);
    expect(run.link).toBe(`https://argo.example.com/workflows/${NS}/${run.id}`);
    const wf = w.double.get("Workflow", NS, run.id) as any;
    expect(wf.spec.arguments.parameters).toContainEqual({ name: "size", value: "7" });
    const runs = await flowc(["runs"]);
    expect(runs.code).toBe(0);
    expect(runs.out).toMatch(new RegExp(`^RUN\\s+STATUS\\s+STARTED\\s+TIME\\s+CONSOLE\\n${run.id}\\s+Pending`));
  });

  it("WHEN `flowc delete` runs THEN the flow's objects are gone and a second delete has nothing to do", async () => {
    await flowc(["deploy"]);
    const r = await flowc(["delete"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("- delete Sensor nightly-dev (flowc delete)");
    expect(w.double.list(undefined, NS)).toEqual([]);
    const again = await flowc(["delete"]);
    expect(again.out).toContain("Nothing to delete: nightly is not deployed to dev.");
  });

  it("WHEN --context names the other context THEN its user makes the calls", async () => {
    await flowc(["deploy", "--context", "flowc-double-alt"]);
    expect([...new Set(w.double.calls().map((c) => c.user))]).toEqual(["flowc-double-alt-user"]);
  });
});
