// SIGKILL `flowc run` half-way: the datastore never shows a task as done without its outputs, no
// done.json is partial, the workers go away, and the run resumes to the right result.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, FIXTURES, flowc, startFlowc, tempDir } from "./helpers.ts";

beforeAll(() => ensureBuilt());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every done.json under a run, parsed (a partial one would not parse). */
function doneTasks(runDir: string): { index: string; done: { attempt: number; artifacts: string[] } }[] {
  const dir = join(runDir, "work");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((i) => existsSync(join(dir, i, "done.json")))
    .map((index) => ({ index, done: JSON.parse(readFileSync(join(dir, index, "done.json"), "utf8")) }));
}

/** Processes whose working directory is `cwd` (flowc run's workers and their commands). */
function processesIn(cwd: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/cwd`) === cwd && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, "utf8"));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("GIVEN a run of 200 items killed with SIGKILL half-way", () => {
  it("THEN no task is marked done without its full outputs, the workers exit, and the run resumes", async () => {
    const cwd = tempDir();
    const runId = "killed-1";
    const runDir = join(cwd, ".flowc", "killable", runId);
    const { child, result } = startFlowc(["run", join(FIXTURES, "killable.yaml"), "--run-id", runId, "--max-workers", "4"], { cwd });
    // Kill once a good number of items are done (but not all).
    for (let i = 0; i < 400 && doneTasks(runDir).length < 40; i++) await sleep(25);
    child.kill("SIGKILL");
    const killed = await result;
    expect(killed.signal).toBe("SIGKILL");

    // The workers notice their parent is gone (the IPC channel closes) and end, with their commands.
    for (let i = 0; i < 60 && processesIn(cwd).length > 0; i++) await sleep(50);
    expect(processesIn(cwd)).toEqual([]);

    const done = doneTasks(runDir);
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(200);
    for (const { index, done: d } of done) {
      expect(d.artifacts.sort()).toEqual(["blob", "n"]);
      const out = join(runDir, "work", index, `attempt-${d.attempt}`, "outputs");
      expect(statSync(join(out, "blob")).size).toBe(262144);
      expect(readFileSync(join(out, "n"), "utf8")).toBe(`${index}\n`);
    }
    expect(JSON.parse(readFileSync(join(runDir, "run.json"), "utf8")).status).toBe("running");

    const runs = await flowc(["runs"], { cwd });
    expect(runs.stdout).toMatch(/killed-1 +killable +interrupted/);

    // Resuming skips what is done and reruns the rest under fresh attempt numbers.
    const resumed = await flowc(["run", join(FIXTURES, "killable.yaml"), "--run-id", runId, "--max-workers", "4"], { cwd });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`work +200 \\(${done.length} skipped\\)`));
    expect(readFileSync(join(runDir, "join", "_", "attempt-0", "outputs", "sum"), "utf8")).toBe(`${(199 * 200) / 2}\n`);
  }, 60_000);
});
