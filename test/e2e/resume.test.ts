// Day two on moto's Step Functions interpreter with real tasks (docs/operating.md): a run fails at its
// second step, `flowc logs` shows the failed task's stderr, `flowc resume` finishes it without running
// the first step again, and the result equals an uninterrupted `flowc run`.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, Rig, ensureBuilt, flowcRun, localRun, tasksOf, tempDir } from "./helpers.ts";

const rig = new Rig();
let env: string;
const FLOW = join(FIXTURES, "resumable.yaml");
const dir = tempDir("flowc-e2e-resume-");
const marker = join(dir, "broken");
const log = join(dir, "start.log");

beforeAll(async () => {
  ensureBuilt();
  await rig.start();
  env = rig.env("resume");
  await rig.deploy(FLOW, env);
}, 180_000);
afterAll(async () => {
  await rig.stop();
  rmSync(dir, { recursive: true, force: true });
});

const runFiles = (runId: string) => rig.s3Files(`${env}/e2e-resumable/${runId}`);

describe("GIVEN fixtures/resumable.yaml deployed to Step Functions, and a run whose `work` step fails", () => {
  let runId = "";
  it("WHEN the run fails THEN flowc logs prints the failed task's stderr", async () => {
    writeFileSync(marker, "");
    const up = await rig.trigger(FLOW, env, { marker, log });
    runId = up.runId;
    expect((await rig.wait(up.arn)).status).toBe("FAILED");
    const logs = await rig.cli(["logs", `${runId}/work`, "--env", env]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain("work: the input is not there yet");
  }, 120_000);

  it("WHEN it is resumed after the cause is fixed THEN a new execution of the same run finishes it: `start` does not run again, `work`'s failed attempt keeps its log, and the result equals an uninterrupted flowc run", async () => {
    const before = tasksOf(await runFiles(runId));
    rmSync(marker);
    const r = await rig.cli(["resume", FLOW, runId, "--target", "sfn", "--env", env, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { how: string; run: { id: string; name: string; resumes: string }; from: { status: string } };
    // moto cannot redrive: the run goes on as a new execution named after it.
    expect(result).toMatchObject({ how: "restarted", from: { status: "FAILED" }, run: { name: `${runId}-r1`, resumes: runId } });
    rig.runIds.add(`${runId}-r1`);
    const ex = await rig.wait(result.run.id);
    expect(ex.status, `${ex.error}: ${ex.cause}`).toBe("SUCCEEDED");

    const files = await runFiles(runId);
    const after = tasksOf(files);
    expect(readFileSync(log, "utf8")).toBe("start ran\n"); // start's command ran once
    expect(after["start/_"]).toEqual(before["start/_"]);
    expect([...files.keys()].filter((k) => k.startsWith("start/_/attempt-"))).toEqual(expect.arrayContaining(["start/_/attempt-0/outputs/half"]));
    expect([...files.keys()].some((k) => k.startsWith("start/_/attempt-1"))).toBe(false);
    expect(files.get("work/_/attempt-0/stderr")?.toString()).toBe("work: the input is not there yet\n");
    expect(JSON.parse(files.get("work/_/done.json")!.toString()).attempt).toBe(1);
    expect(after["end/_"]!.stdout).toBe("the answer is 42\n");
    expect([...(await rig.s3Files(`${env}/e2e-resumable`)).keys()].some((k) => k.startsWith(`${runId}-r1/`))).toBe(false);

    // The same flow run locally, uninterrupted: the same outputs, task by task.
    const ds = tempDir();
    const local = await flowcRun(FLOW, ds, { marker, log: join(dir, "local.log") });
    expect(local.code, local.stderr).toBe(0);
    const mine = localRun(ds, "e2e-resumable", local.runId!);
    for (const key of ["start/_", "work/_", "end/_"]) expect(after[key]!.outputs, key).toEqual(mine[key]!.outputs);
    expect(after["end/_"]!.stdout).toBe(mine["end/_"]!.stdout);
    rmSync(ds, { recursive: true, force: true });

    const runs = await rig.cli(["runs", FLOW, "--target", "sfn", "--env", env]);
    expect(runs.stdout).toMatch(new RegExp(`${runId}-r1\\s+SUCCEEDED\\s+\\S+\\s+\\S+\\s+${runId}\\s`));
  }, 180_000);

  it("WHEN it is resumed again after it succeeded, or a run that does not exist is named THEN resume refuses, exit 1, and starts nothing", async () => {
    const again = await rig.cli(["resume", FLOW, runId, "--target", "sfn", "--env", env]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`run ${runId} succeeded (execution ${runId}-r1): there is nothing to resume`);
    const unknown = await rig.cli(["resume", FLOW, "no-such-run", "--target", "sfn", "--env", env]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error RUN_UNKNOWN: no run no-such-run of flow `e2e-resumable`");
    expect(existsSync(marker)).toBe(false);
  }, 60_000);
});
