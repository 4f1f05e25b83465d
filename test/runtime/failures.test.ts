// Retries with real backoff, exhausted retries, timeouts that kill whole process trees, caught
// failures, and parameter checks that stop a run before any step.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, EXAMPLES, FIXTURES, flowc, localRun, processGone, runIdOf, tempDir } from "./helpers.ts";

beforeAll(() => ensureBuilt());

const gapSeconds = (a: { finishedAt: string }, b: { startedAt: string }) => (Date.parse(b.startedAt) - Date.parse(a.finishedAt)) / 1000;

async function waitGone(pid: number, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (processGone(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return processGone(pid);
}

describe.concurrent("GIVEN steps that fail", () => {
  it("WHEN a command fails twice and then succeeds THEN the run finishes after backoff delays of 1 s and 2 s", async () => {
    const cwd = tempDir();
    const r = await flowc(["run", join(FIXTURES, "flaky.yaml")], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const run = localRun(join(cwd, ".flowc"), "flaky", runIdOf(r));
    const [a0, a1, a2] = [0, 1, 2].map((n) => run.meta("start", "", n));
    expect([a0!.status, a1!.status, a2!.status]).toEqual(["failed", "failed", "succeeded"]);
    const first = gapSeconds(a0!, a1!);
    const second = gapSeconds(a1!, a2!);
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThan(1.9);
    expect(second).toBeGreaterThanOrEqual(2);
    expect(second).toBeLessThan(2.9);
    expect(run.done("start")?.attempt).toBe(2);
    expect(run.stdout("end")).toBe("ok\n");
    expect(r.stderr).toMatch(/retry +start attempt 0 failed: exit code 1; retrying in 1\.00s/);
    expect(r.stdout).toMatch(/start +1 +2/); // tasks, retries
  });

  it("WHEN a TypeScript body throws twice THEN it is retried with the backoff capped at max (1 s, 1 s)", async () => {
    const cwd = tempDir();
    const r = await flowc(["run", join(FIXTURES, "flaky.ts")], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const run = localRun(join(cwd, ".flowc"), "flaky-ts", runIdOf(r));
    const [a0, a1, a2] = [0, 1, 2].map((n) => run.meta("start", "", n));
    expect(gapSeconds(a0!, a1!)).toBeGreaterThanOrEqual(1);
    expect(gapSeconds(a1!, a2!)).toBeGreaterThanOrEqual(1);
    expect(gapSeconds(a1!, a2!)).toBeLessThan(1.9);
    expect(a0!.error).toBe("Error: attempt 0 fails");
    expect(run.stdout("end")).toBe('{"attempt":2}\n');
  });

  it("WHEN retries run out THEN the run fails with exit 1, naming the step, and nothing downstream runs", async () => {
    const cwd = tempDir();
    const r = await flowc(["run", join(FIXTURES, "exhausted.yaml")], { cwd });
    expect(r.code).toBe(1);
    const run = localRun(join(cwd, ".flowc"), "exhausted", runIdOf(r));
    expect(run.meta("start", "", 0).status).toBe("failed");
    expect(run.meta("start", "", 1).status).toBe("failed");
    expect(run.done("start")).toBeUndefined();
    expect(existsSync(join(run.base, "end"))).toBe(false);
    expect(r.stdout).toContain("failed after");
    expect(r.stdout).toContain("step `start`, attempt 1: exit code 3");
    expect(r.stdout).toContain("no luck on attempt 1");
    expect(JSON.parse(readFileSync(join(run.base, "run.json"), "utf8")).status).toBe("failed");
  });

  it("WHEN a command outlives its timeout THEN it and its grandchild are killed within seconds, without a retry", async () => {
    const cwd = tempDir();
    const pidfile = join(cwd, "grandchild.pid");
    const r = await flowc(["run", join(FIXTURES, "timeout.yaml")], { cwd, env: { PIDFILE: pidfile } });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(8000);
    expect(r.stdout).toContain("timed out after 1s");
    const pid = Number(readFileSync(pidfile, "utf8"));
    expect(await waitGone(pid)).toBe(true);
    const run = localRun(join(cwd, ".flowc"), "timeout", runIdOf(r));
    expect(run.meta("start", "", 0).status).toBe("timeout");
    expect(existsSync(join(run.taskDir("start"), "attempt-1"))).toBe(false); // onTimeout is false
  });

  it("WHEN a TypeScript body spins past its timeout THEN its worker is killed within seconds", async () => {
    const cwd = tempDir();
    const r = await flowc(["run", join(FIXTURES, "timeout-sync.ts")], { cwd });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(8000);
    expect(r.stdout).toMatch(/timed out/);
    const run = localRun(join(cwd, ".flowc"), "timeout-sync-ts", runIdOf(r));
    expect(run.meta("start", "", 0).status).toBe("timeout");
  });

  it("WHEN a TypeScript body's child process outlives the timeout THEN the child is killed too", async () => {
    const cwd = tempDir();
    const pidfile = join(cwd, "child.pid");
    const r = await flowc(["run", join(FIXTURES, "timeout-child.ts")], { cwd, env: { PIDFILE: pidfile } });
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(8000);
    expect(await waitGone(Number(readFileSync(pidfile, "utf8")))).toBe(true);
  });

  it("WHEN a step with catch fails every attempt THEN failed.json records it and the flow finishes with its inputs passed through", async () => {
    const cwd = tempDir();
    const r = await flowc(["run", join(FIXTURES, "catch.yaml")], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const run = localRun(join(cwd, ".flowc"), "catch", runIdOf(r));
    const failed = JSON.parse(readFileSync(join(run.taskDir("risky"), "failed.json"), "utf8"));
    expect(failed).toMatchObject({ error: "TaskFailed", attempt: 1 });
    expect(failed.cause).toContain("exit code 3");
    expect(failed.cause).toContain("boom");
    expect(run.done("risky")).toBeUndefined();
    expect(run.stdout("end")).toBe("7\n");
    expect(r.stderr).toContain("caught risky attempt 1 failed: exit code 3");
  });

  it("WHEN one foreach item fails with catch THEN the join sees every item, the failed one without its artifact", async () => {
    const cwd = tempDir();
    const r = await flowc(["run", join(FIXTURES, "catch.ts")], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const run = localRun(join(cwd, ".flowc"), "catch-ts", runIdOf(r));
    expect(existsSync(join(run.taskDir("work", "1"), "failed.json"))).toBe(true);
    expect(JSON.parse(run.artifact("join", "sum"))).toBe(40);
    expect(JSON.parse(run.artifact("join", "seen"))).toBe(3);
  });
});

describe.concurrent("GIVEN run parameters", () => {
  it("WHEN a required parameter is missing THEN the run fails before any step, naming it", async () => {
    const cwd = tempDir();
    const r = await flowc(["run", join(EXAMPLES, "train.yaml")], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required parameter `day`");
    expect(r.stderr).toContain("no step ran");
    expect(existsSync(join(cwd, ".flowc", "train-model"))).toBe(false);
  });

  it("WHEN a value does not parse as its declared type THEN the run fails before any step", async () => {
    const cwd = tempDir();
    const r = await flowc(["run", join(EXAMPLES, "foreach.ts"), "--param", "width=ten"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("parameter `width` is of type integer: expected an integer");
    expect(existsSync(join(cwd, ".flowc", "foreach-ts"))).toBe(false);
  });

  it("WHEN an unknown parameter is given THEN the message suggests the declared one", async () => {
    const cwd = tempDir();
    const r = await flowc(["run", join(EXAMPLES, "switch.yaml"), "--param", "sise=3"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean `size`?");
  });
});
