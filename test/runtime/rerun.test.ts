// Running a task again (docs/step-contract.md, "Running a task again"): what makes resuming a deployed
// run safe. A finished task is skipped without running its command; a task that did not finish runs,
// and its earlier attempts keep their logs; a resumed execution names the run it continues.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LocalDatastore } from "../../src/datastore/local.ts";
import { publishSpec } from "../../src/datastore/publish.ts";
import { isValid, readFlow } from "../../src/flow/read.ts";
import { ensureBuilt, FIXTURES, flowc, tempDir } from "./helpers.ts";

const cwd = tempDir();
const root = join(cwd, "store");
let contract = "";
let marker = "";

const step = (spec: string, args: string[], env: NodeJS.ProcessEnv = {}, params: unknown = { n: 7 }) =>
  flowc(["step", ...args], { cwd, env: { FLOWC_ROOT: root, FLOWC_SPEC: spec, FLOWC_PARAMS: JSON.stringify(params), ...env } });
const task = (run: string, s: string, idx = "_") => join(root, "contract", run, s, idx);

beforeAll(async () => {
  ensureBuilt();
  const f = await readFlow(join(FIXTURES, "contract.yaml"));
  if (!isValid(f)) throw new Error("fixture");
  contract = (await publishSpec(new LocalDatastore(root), f)).key;
  // A flow whose `work` step fails while a marker file exists.
  const flaky = join(cwd, "marked.yaml");
  marker = join(cwd, "broken");
  writeFileSync(
    flaky,
    [
      "apiVersion: flowc/v1",
      "name: marked",
      "steps:",
      `  start: { command: [sh, -c, 'echo started >> "${join(cwd, "start-ran")}"; echo 1 > "$FLOWC_OUTPUT_DIR/one"'], next: work }`,
      `  work: { command: [sh, -c, 'if [ -e "${marker}" ]; then echo "work is broken" >&2; exit 3; fi; echo fixed'], next: end }`,
      "  end: { command: [sh, -c, 'echo end'] }",
      "",
    ].join("\n"),
  );
  const m = await readFlow(flaky);
  if (!isValid(m)) throw new Error("marked");
  marker = join(cwd, "broken");
  (globalThis as { markedSpec?: string }).markedSpec = (await publishSpec(new LocalDatastore(root), m)).key;
});

describe("GIVEN a task that has finished (done.json)", () => {
  it("WHEN flowc step runs it again THEN nothing runs: its outputs, logs and done.json stay as they were, and Argo still gets its outputs", async () => {
    const argo = join(cwd, "argo-1");
    expect((await step(contract, ["--run-id", "r1", "--step", "start"])).code).toBe(0);
    const done = readFileSync(join(task("r1", "start"), "done.json"), "utf8");
    const mtime = statSync(join(task("r1", "start"), "done.json")).mtimeMs;
    const again = await step(contract, ["--run-id", "r1", "--step", "start"], { FLOWC_TARGET: "argo", FLOWC_ARGO_OUTPUTS: argo });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(""); // the command did not run: it prints "start says hi"
    expect(again.stderr).toContain("start attempt 0: already done (attempt 0; done.json exists), nothing ran");
    expect(readFileSync(join(task("r1", "start"), "done.json"), "utf8")).toBe(done);
    expect(statSync(join(task("r1", "start"), "done.json")).mtimeMs).toBe(mtime);
    expect(readdirSync(task("r1", "start")).filter((n) => n.startsWith("attempt-"))).toEqual(["attempt-0"]);
    expect(JSON.parse(readFileSync(join(argo, "foreach.json"), "utf8"))).toEqual(["0", "1"]);
  });

  it("WHEN its done.json is cut short THEN it is not trusted: the task runs again", async () => {
    expect((await step(contract, ["--run-id", "r2", "--step", "start"])).code).toBe(0);
    const file = join(task("r2", "start"), "done.json");
    writeFileSync(file, readFileSync(file, "utf8").slice(0, 20));
    const again = await step(contract, ["--run-id", "r2", "--step", "start"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("start says hi\n");
    expect(JSON.parse(readFileSync(file, "utf8")).attempt).toBe(1);
  });
});

describe("GIVEN a run whose `work` step failed (its attempt 0 logs are kept)", () => {
  it("WHEN a new execution of the run starts `work` at attempt 0 again THEN that attempt is stored as attempt 1, attempt 0's stderr stays, and the finished `start` is skipped", async () => {
    const spec = (globalThis as { markedSpec?: string }).markedSpec!;
    writeFileSync(marker, "");
    expect((await step(spec, ["--run-id", "m1", "--step", "start"], {}, {})).code).toBe(0);
    const failed = await step(spec, ["--run-id", "m1", "--step", "work"], {}, {});
    expect(failed.code).toBe(1);
    const work = join(root, "marked", "m1", "work", "_");
    expect(readFileSync(join(work, "attempt-0", "stderr"), "utf8")).toBe("work is broken\n");

    rmSync(marker);
    // The resumed execution has another name; the run context says which run it continues.
    const resumed = { _flowc: { runId: "m1", trigger: "manual", scheduledTime: "2026-12-04T10:00:00Z" } };
    expect((await step(spec, ["--run-id", "m1-r1", "--step", "start"], {}, resumed)).stderr).toContain("already done");
    const fixed = await step(spec, ["--run-id", "m1-r1", "--step", "work"], {}, resumed);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain("(stored as attempt 1: an earlier execution of this run used 0)");
    expect(readFileSync(join(work, "attempt-0", "stderr"), "utf8")).toBe("work is broken\n");
    expect(JSON.parse(readFileSync(join(work, "done.json"), "utf8")).attempt).toBe(1);
    expect(readFileSync(join(cwd, "start-ran"), "utf8")).toBe("started\n"); // start ran once
    expect(existsSync(join(root, "marked", "m1-r1"))).toBe(false); // nothing under the execution's own name
  });

  it("WHEN the run context names a run id that is not one THEN the task refuses with exit 2", async () => {
    const spec = (globalThis as { markedSpec?: string }).markedSpec!;
    const r = await step(spec, ["--run-id", "x", "--step", "start"], {}, { _flowc: { runId: "../escape" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not a run id");
  });
});
