// `schedule.concurrency: forbid` on a deployed flow: a second execution started while one runs ends
// without running any step. Runs on a moto of its own with test/e2e/moto_e2e.py's fix B (Choice
// timestamps accept fractional seconds) on top of the harness's listing by alias, without which
// moto 5.2.1 can never see an earlier run of the same alias (docs/e2e.md).
import { join } from "node:path";
import { ListExecutionsCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, FIXTURES, REGION, Rig, deployOnce, ensureBuilt, events, flowcRun, localRun, sleep, tempDir, unexecutedTasks, tasksOf, type Execution } from "./helpers.ts";

const rig = new Rig({ ownMoto: true }); // needs fix B of moto_e2e.py, whatever FLOWC_E2E_SHARED_MOTO says
let env: string;
let other: string;
const FLOW = join(FIXTURES, "forbid.ts");
const machine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:e2e-forbid`;

beforeAll(async () => {
  ensureBuilt();
  await rig.start();
  env = rig.env("forbid");
  other = rig.env("forbid2"); // another environment sharing the state machine (same flow name)
}, 120_000);
afterAll(() => rig.stop());

/** Waits until the execution runs a Batch task (it got past the concurrency check). */
async function runningAStep(arn: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ex = await rig.sfn.send(new ListExecutionsCommand({ stateMachineArn: machine, statusFilter: "RUNNING" }));
    if (!ex.executions?.some((e) => e.executionArn === arn)) throw new Error(`${arn} is no longer running`);
    const jobs = await rig.jobsOfRun(arn.split(":").pop()!);
    if (jobs.some((j) => j.step === "start")) return;
    await sleep(200);
  }
  throw new Error(`${arn} never started a step`);
}

const batchTasks = (ex: Execution) => events(ex.history, "TaskScheduled").filter((e) => e.taskScheduledEventDetails?.resourceType === "batch");
const statesEntered = (ex: Execution) => ex.history.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name);

describe("GIVEN fixtures/forbid.ts (schedule concurrency: forbid) deployed to two environments that share its state machine", () => {
  it("WHEN a second run starts while the first is running THEN the second ends ABORTED before any step, the first SUCCEEDED with `flowc run`'s artifacts, a run in the other environment is not held back, and a run after the first finished goes through", async () => {
    await deployOnce(rig, FLOW, env);
    await deployOnce(rig, FLOW, other);
    const ds = tempDir();
    const local = flowcRun(FLOW, ds, { nap: "4" });

    // GIVEN a first run, napping 4 s in its first step
    const first = await rig.trigger(FLOW, env, { nap: "4" });
    await runningAStep(first.arn);

    // WHEN a second run of the same environment starts, and one of the other environment
    const second = await rig.trigger(FLOW, env);
    const elsewhere = await rig.trigger(FLOW, other);
    const [secondEx, elsewhereEx] = await Promise.all([rig.wait(second.arn), rig.wait(elsewhere.arn)]);

    // THEN the second stopped itself: ABORTED (not FAILED: nobody is paged; not SUCCEEDED: afterFlow does not fire)
    expect(secondEx.status, `${secondEx.error}: ${secondEx.cause}`).toBe("ABORTED");
    expect(batchTasks(secondEx)).toEqual([]);
    expect(statesEntered(secondEx)).toEqual(expect.arrayContaining(["Concurrency", "Concurrency.Earlier", "Concurrency.Check", "Concurrency.Skip"]));
    expect(statesEntered(secondEx)).not.toContain("start");
    expect(await rig.jobsOfRun(second.runId)).toEqual([]);
    expect((await rig.s3Files(`${env}/e2e-forbid/${second.runId}`)).size).toBe(0);
    // ... while the first was still running
    expect(secondEx.stopDate!.getTime()).toBeLessThan((await rig.wait(first.arn)).stopDate!.getTime());

    // and the other environment's run went through: the check is per environment (alias)
    expect(elsewhereEx.status, `${elsewhereEx.error}: ${elsewhereEx.cause}`).toBe("SUCCEEDED");
    expect(statesEntered(elsewhereEx)).not.toContain("Concurrency.Skip");

    // The first run finished normally, with the artifacts flowc run gives.
    const firstEx = await rig.wait(first.arn);
    expect(firstEx.status, `${firstEx.error}: ${firstEx.cause}`).toBe("SUCCEEDED");
    const l = await local;
    expect(l.code, l.stderr).toBe(0);
    const attempts: Record<string, number> = {};
    const remote = tasksOf(await rig.s3Files(`${env}/e2e-forbid/${first.runId}`), attempts);
    expect(remote).toEqual(localRun(ds, "e2e-forbid", l.runId!));
    expect(remote["start/_"]?.outputs).toEqual({ napped: "4\n" });
    expect(unexecutedTasks({ remote, attempts, jobs: await rig.jobsOfRun(first.runId) })).toEqual([]);

    // A run started after the first one ended is not held back.
    const third = await rig.trigger(FLOW, env);
    const thirdEx = await rig.wait(third.arn);
    expect(thirdEx.status, `${thirdEx.error}: ${thirdEx.cause}`).toBe("SUCCEEDED");
    expect(batchTasks(thirdEx)).toHaveLength(2);
  }, 300_000);

  it("WHEN the schedule starts a run (input {}) while another runs THEN it is held back the same way", async () => {
    // The schedule's target is the alias with input {} (checked in triggers.test.ts); start it like that.
    await deployOnce(rig, FLOW, env);
    const first = await rig.trigger(FLOW, env, { nap: "3" });
    await runningAStep(first.arn);
    const name = `${env}-scheduled-${Date.now()}`;
    const started = await rig.sfn.send(new StartExecutionCommand({ stateMachineArn: `${machine}:${env}`, name, input: "{}" }));
    const scheduled = await rig.wait(started.executionArn!);
    expect(scheduled.status).toBe("ABORTED");
    expect(batchTasks(scheduled)).toEqual([]);
    expect((await rig.wait(first.arn)).status).toBe("SUCCEEDED");
  }, 300_000);
});
