// Failure handling of deployed flows, run by moto's Step Functions interpreter with real `flowc step`
// jobs: retries with their configured intervals, exhausted retries, timeouts (failed, and caught), and
// a missing required parameter. Each deployed run is compared with `flowc run` of the same flow.
import { join } from "node:path";
import { DescribeStateMachineAliasCommand, DescribeStateMachineCommand, ListExecutionsCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT, FIXTURES, REGION, Rig, deployOnce, ensureBuilt, events, flowcRun, killQuietly, localFiles, processesOfRun, prove, sleep, tempDir, unexecutedTasks, type Proof } from "./helpers.ts";

const rig = new Rig();
let env: string;
beforeAll(async () => {
  ensureBuilt();
  await rig.start();
  env = rig.env("failures");
}, 120_000);
afterAll(() => rig.stop());

const fixture = (name: string) => join(FIXTURES, name);
const machineArn = (flow: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${flow}`;

/** The definition the environment's alias runs (what deploy published). */
async function definitionOf(flow: string): Promise<{ States: Record<string, Record<string, unknown>> }> {
  const alias = await rig.sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${machineArn(flow)}:${env}` }));
  const version = alias.routingConfiguration![0]!.stateMachineVersionArn!;
  return JSON.parse((await rig.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: version }))).definition!);
}

/** The events of one Task state's visit, in order (the flows here have no parallel branches). */
function stateEvents(p: Proof, state: string) {
  const h = p.execution.history;
  const from = h.findIndex((e) => e.stateEnteredEventDetails?.name === state);
  const to = h.findIndex((e, i) => i > from && e.stateExitedEventDetails?.name === state);
  return from < 0 ? [] : h.slice(from, to < 0 ? undefined : to + 1);
}

const ms = (d: Date | undefined) => d!.getTime();
const cause = (p: Proof) => JSON.parse(p.execution.cause ?? "{}") as { JobName?: string; StatusReason?: string; Container?: { Command?: string[]; Reason?: string; ExitCode?: number } };
const text = (files: Map<string, Buffer>, path: string) => files.get(path)?.toString("utf8");

describe.concurrent("GIVEN flows that fail, deployed to Step Functions", () => {
  it("GIVEN a step that fails twice then succeeds (fixtures/flaky.ts: retry 2 times, 1 s × 3^n, no jitter) WHEN the flow is triggered THEN the history shows two retries after 1 s and 3 s, the third attempt counts, and the artifacts equal `flowc run`'s", async () => {
    const p = await prove(rig, fixture("flaky.ts"), env);
    expect(p.execution.status, p.execution.cause).toBe("SUCCEEDED");
    expect(p.local_.code).toBe(0);

    // The retrier deploy published is the flow's policy, written without ASL's defaults (IntervalSeconds 1, JitterStrategy NONE).
    const retry = (await definitionOf(p.flow)).States.flaky!.Retry as Record<string, unknown>[];
    expect(retry).toContainEqual({ ErrorEquals: ["States.TaskFailed"], MaxAttempts: 2, BackoffRate: 3 });

    // TaskFailed → (IntervalSeconds × BackoffRate^n) → TaskScheduled, twice.
    const visit = stateEvents(p, "flaky");
    const types = visit.map((e) => e.type);
    expect(types.filter((t) => t === "TaskScheduled")).toHaveLength(3);
    expect(types.filter((t) => t === "TaskFailed")).toHaveLength(2);
    expect(types.filter((t) => t === "TaskSucceeded")).toHaveLength(1);
    const gaps = visit.flatMap((e, i) => {
      if (e.type !== "TaskFailed") return [];
      const next = visit.slice(i + 1).find((n) => n.type === "TaskScheduled")!;
      return [ms(next.timestamp) - ms(e.timestamp)];
    });
    expect(gaps).toHaveLength(2);
    [1000, 3000].forEach((want, n) => {
      expect(gaps[n], `retry ${n + 1} waited ${gaps[n]} ms`).toBeGreaterThanOrEqual(want - 50);
      expect(gaps[n], `retry ${n + 1} waited ${gaps[n]} ms`).toBeLessThan(want + 1500);
    });
    // Each failure's cause is its Batch job: attempt n of the step, exit code 1.
    const failures = visit.filter((e) => e.type === "TaskFailed").map((e) => e.taskFailedEventDetails!);
    expect(failures.map((f) => f.error)).toEqual(["States.TaskFailed", "States.TaskFailed"]);
    failures.forEach((f, n) => {
      const job = JSON.parse(f.cause!) as { JobName: string; Container: { Command: string[]; ExitCode: number } };
      expect(job.JobName).toBe(`${p.flow}-flaky`);
      expect(job.Container.Command).toEqual(expect.arrayContaining(["--step", "flaky", "--attempt", String(n)]));
      expect(job.Container.ExitCode).toBe(1);
    });

    // Three Batch jobs ran the step: attempts 0 and 1 failed, 2 succeeded; the datastore kept every attempt.
    expect(p.jobs.filter((j) => j.step === "flaky").map((j) => [j.attempt, j.status]).sort()).toEqual([
      [0, "FAILED"],
      [1, "FAILED"],
      [2, "SUCCEEDED"],
    ]);
    for (const files of [p.remoteFiles, p.localFiles]) {
      expect(JSON.parse(text(files, "flaky/_/attempt-0/meta.json")!)).toMatchObject({ status: "failed", attempt: 0 });
      expect(text(files, "flaky/_/attempt-1/stderr")).toContain("flaky: attempt 1 fails on purpose");
      expect(JSON.parse(text(files, "flaky/_/done.json")!)).toMatchObject({ attempt: 2 });
    }
    expect(unexecutedTasks(p)).toEqual([]);
    expect(p.remote).toEqual(p.local);
    expect(p.remote["flaky/_"]?.outputs).toEqual({ n: "42\n", attempt: "2\n" });
  }, 300_000);

  it("GIVEN a step that always fails, with one retry (fixtures/exhausted.yaml) WHEN the flow is triggered THEN the execution FAILED with States.TaskFailed, its cause names the step `broken` and holds its stderr, both attempts ran, and `end` never ran", async () => {
    const p = await prove(rig, fixture("exhausted.yaml"), env);
    expect(p.execution.status).toBe("FAILED");
    expect(p.execution.error).toBe("States.TaskFailed");
    const c = cause(p);
    expect(c.JobName).toBe(`${p.flow}-broken`);
    expect(c.Container?.Command).toEqual(expect.arrayContaining(["--step", "broken", "--attempt", "1"]));
    expect(c.Container?.ExitCode).toBe(1);
    expect(c.Container?.Reason).toContain("broken: no luck on attempt 1");
    // The failing state is the step's own.
    const h = p.execution.history;
    const lastEntered = h.filter((e) => e.stateEnteredEventDetails).at(-1)!;
    expect(lastEntered.stateEnteredEventDetails!.name).toBe("broken");
    expect(events(h, "ExecutionFailed")).toHaveLength(1);
    expect(events(stateEvents(p, "broken") as never, "TaskFailed")).toHaveLength(2);

    expect(p.jobs.map((j) => `${j.step}@${j.attempt}:${j.status}`).sort()).toEqual(["broken@0:FAILED", "broken@1:FAILED", "start@0:SUCCEEDED"]);
    expect([...p.remoteFiles.keys()].some((k) => k.startsWith("end/"))).toBe(false);
    expect(p.remoteFiles.has("broken/_/done.json")).toBe(false);
    expect(text(p.remoteFiles, "broken/_/attempt-1/stderr")).toBe("broken: no luck on attempt 1\n");

    // flowc run fails the same way, at the same step.
    expect(p.local_.code).toBe(1);
    expect(p.local_.stdout + p.local_.stderr).toContain("broken");
    expect(p.remote).toEqual(p.local);
  }, 300_000);

  let timeoutRun: Promise<Proof> | undefined;
  const timeoutProof = () => (timeoutRun ??= prove(rig, fixture("timeout.yaml"), env));

  it("GIVEN a step past its 2 s timeout (fixtures/timeout.yaml; retries do not cover timeouts) WHEN the flow is triggered THEN the execution FAILED with States.Timeout at that step, after one attempt, and its Batch job was terminated", async () => {
    const p = await timeoutProof();
    expect(p.execution.status).toBe("FAILED");
    expect(p.execution.error).toBe("States.Timeout");
    const visit = stateEvents(p, "slow");
    expect(visit.filter((e) => e.type === "TaskScheduled")).toHaveLength(1);
    expect(visit.filter((e) => e.type === "TaskTimedOut")).toHaveLength(1);
    const scheduled = visit.find((e) => e.type === "TaskScheduled")!;
    expect(scheduled.taskScheduledEventDetails!.timeoutInSeconds).toBe(2);
    const timedOut = ms(visit.find((e) => e.type === "TaskTimedOut")!.timestamp) - ms(scheduled.timestamp);
    expect(timedOut).toBeGreaterThanOrEqual(1950);
    expect(timedOut).toBeLessThan(4000);

    // Step Functions calls TerminateJob when the Task times out, beside failing the execution: the job
    // may still be RUNNING for a moment after the execution ended (under load, for a second or more).
    let slow = p.jobs.filter((j) => j.step === "slow");
    for (let i = 0; i < 120 && slow.some((j) => j.status !== "FAILED"); i++) {
      await sleep(250);
      slow = (await rig.jobsOfRun(p.runId)).filter((j) => j.step === "slow");
    }
    expect(slow).toHaveLength(1);
    expect(slow[0]!.status).toBe("FAILED");
    expect(slow[0]!.statusReason).toMatch(/Terminated by AWS Step Functions/);
    expect(p.jobs.some((j) => j.step === "end")).toBe(false);
    expect([...p.remoteFiles.keys()].filter((k) => k.startsWith("slow/") && !k.includes("/attempt-0/"))).toEqual([]);

    expect(p.local_.code).toBe(1);
    expect(p.remote).toEqual(p.local);
  }, 300_000);

  it("GIVEN a step past its timeout (fixtures/timeout.yaml) WHEN Step Functions terminates its Batch job THEN nothing the step's command started is left running", async () => {
    const p = await timeoutProof();
    // moto's TerminateJob: SIGTERM to the job's process group, SIGKILL 2 s later (as a container stops).
    await sleep(Math.max(0, ms(p.execution.stopDate) + 4000 - Date.now()));
    const left = processesOfRun(p.runId);
    for (const { pid } of left) killQuietly(pid); // do not leave them behind this suite
    expect(left.map((x) => x.cmd)).toEqual([]);
  }, 300_000);

  it("GIVEN the same step with catch: true (fixtures/timeout-catch.yaml) WHEN the flow is triggered THEN the timeout is caught: failed.json records States.Timeout, `end` runs with the step's inputs passed through, the execution SUCCEEDED, and the artifacts equal `flowc run`'s", async () => {
    const p = await prove(rig, fixture("timeout-catch.yaml"), env);
    expect(p.execution.status, p.execution.cause).toBe("SUCCEEDED");
    expect(p.local_.code).toBe(0);
    expect(JSON.parse(text(p.remoteFiles, "slow/_/failed.json")!)).toMatchObject({ error: "States.Timeout" });
    expect(JSON.parse(text(p.localFiles, "slow/_/failed.json")!)).toMatchObject({ error: "Timeout" });
    expect(events(stateEvents(p, "slow") as never, "TaskTimedOut")).toHaveLength(1);
    expect(p.remote["end/_"]?.stdout).toBe("ready\nstate\n");
    expect(p.remote["end/_"]?.done?.inherited).toEqual({ state: { at: "start/_" } });
    expect(unexecutedTasks(p)).toEqual([]);
    expect(p.remote).toEqual(p.local);
  }, 300_000);

  describe("GIVEN a flow with a required parameter `day` (fixtures/required.yaml)", () => {
    const flow = fixture("required.yaml");

    it("WHEN `flowc trigger` is called without it THEN it refuses with exit 2, names `day`, and starts nothing", async () => {
      const { manifest } = await deployOnce(rig, flow, env);
      // (The test below starts one execution by hand, named `<env>-missing-day`; trigger names its runs `<env>-<time>-<hex>`.)
      const triggered = async () =>
        ((await rig.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn(manifest.flow) }))).executions ?? []).filter((e) => e.name !== `${env}-missing-day`);
      const r = await rig.cli(["trigger", flow, "--target", "sfn", "--env", env, "--param", "alpha=0.7"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("day");
      expect(r.stderr).toContain("nothing was started");
      expect(await triggered()).toEqual([]);
    }, 120_000);

    it("WHEN the deployed alias is started without it, as a schedule or a trigger would THEN the execution FAILED at its first state with flowc.MissingParameter naming `day`, and no task ran", async () => {
      const { manifest } = await deployOnce(rig, flow, env);
      const name = `${env}-missing-day`;
      const started = await rig.sfn.send(new StartExecutionCommand({ stateMachineArn: `${machineArn(manifest.flow)}:${env}`, name, input: JSON.stringify({ alpha: 0.7 }) }));
      const ex = await rig.wait(started.executionArn!);
      expect(ex.status).toBe("FAILED");
      expect(ex.error).toBe("flowc.MissingParameter");
      expect(ex.cause).toContain("`day`");
      // Only the states before the first step ran (docs/sfn-mapping.md: Defaults → Context → Resumed → Required),
      // and the first check failed it: no Task was entered, no job was submitted.
      const entered = ex.history.filter((e) => e.stateEnteredEventDetails).map((e) => [e.type, e.stateEnteredEventDetails!.name]);
      expect(entered).toEqual([
        ["PassStateEntered", "Defaults"],
        ["PassStateEntered", "Context"],
        ["ChoiceStateEntered", "Resumed"],
        ["ChoiceStateEntered", "Required"],
        ["FailStateEntered", "Missing.day"],
      ]);
      expect(events(ex.history, "TaskScheduled")).toEqual([]);
      expect(await rig.jobsOfRun(name)).toEqual([]);
      expect((await rig.s3Files(`${env}/${manifest.flow}/${name}`)).size).toBe(0);

      // flowc run refuses the same way, before any step.
      const ds = tempDir();
      const local = await flowcRun(flow, ds, { alpha: "0.7" });
      expect(local.code).toBe(2);
      expect(local.stderr).toContain("day");
      expect([...localFiles(ds).keys()].filter((k) => !k.startsWith("packages/"))).toEqual([]);
    }, 120_000);
  });
});
