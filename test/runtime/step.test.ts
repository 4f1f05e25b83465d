// `flowc step` invoked directly, as a compiled flow's container runs it: the env contract, the files
// Step Functions and Argo read, parameters in both encodings, --catch, and TypeScript code packages.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readFlow, isValid } from "../../src/flow/read.ts";
import { LocalDatastore } from "../../src/datastore/local.ts";
import { publishSpec } from "../../src/datastore/publish.ts";
import { EXAMPLES, ensureBuilt, FIXTURES, flowc, tempDir } from "./helpers.ts";

const cwd = tempDir();
const root = join(cwd, "store");
const argo = join(cwd, "argo-out");
let specKey = "";

const step = (args: string[], env: NodeJS.ProcessEnv = {}, runId = "r1") =>
  flowc(["step", "--run-id", runId, ...args], { cwd, env: { FLOWC_ROOT: root, FLOWC_SPEC: specKey, FLOWC_PARAMS: '{"n": 7}', ...env } });
const taskDir = (flow: string, run: string, s: string, idx = "_") => join(root, flow, run, s, idx);
const read = (...p: string[]) => readFileSync(join(...p), "utf8");

async function publish(file: string): Promise<string> {
  const f = await readFlow(file);
  if (!isValid(f)) throw new Error(JSON.stringify(f.diagnostics));
  return (await publishSpec(new LocalDatastore(root), f)).key;
}

beforeAll(async () => {
  ensureBuilt();
  specKey = await publish(join(FIXTURES, "contract.yaml"));
});

describe("GIVEN a published spec and the FLOWC_* environment", () => {
  it("WHEN a foreach step runs THEN it writes foreach.json (child index paths), the items, done.json last, and the Argo output", async () => {
    const r = await step(["--step", "start", "--index", "", "--attempt", "0"], { FLOWC_TARGET: "argo", FLOWC_ARGO_OUTPUTS: argo });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("start says hi\n"); // the task's output goes to the container log too
    expect(r.stderr).toContain("start attempt 0 succeeded");
    const dir = taskDir("contract", "r1", "start");
    expect(JSON.parse(read(dir, "foreach.json"))).toEqual(["0", "1"]);
    expect(JSON.parse(read(dir, "attempt-0", "items.json"))).toEqual(["a b", { k: 1 }]);
    expect(JSON.parse(read(dir, "done.json"))).toMatchObject({ attempt: 0, artifacts: ["base"] });
    expect(read(dir, "attempt-0", "stdout")).toBe("start says hi\n");
    expect(JSON.parse(read(argo, "foreach.json"))).toEqual(["0", "1"]);
  });

  it("WHEN a foreach body runs at an index THEN it gets the contract's variables, its item and the inherited artifacts", async () => {
    for (const i of ["0", "1"]) expect((await step(["--step", "body", "--index", i])).code).toBe(0);
    const env = (i: string) => Object.fromEntries(read(taskDir("contract", "r1", "body", i), "attempt-0", "outputs", "env").trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    const e1 = env("1");
    expect(e1).toMatchObject({
      FLOWC_RUN_ID: "r1",
      FLOWC_FLOW: "contract",
      FLOWC_STEP: "body",
      FLOWC_INDEX: "1",
      FLOWC_ATTEMPT: "0",
      FLOWC_ITEM: '{"k":1}',
      FLOWC_ITEM_JSON: '{"k":1}',
      FLOWC_PARAM_N: "7",
      FLOWC_PARAM_NAME: "world",
      FLOWC_PARAM_OPTS: '{"a":1}',
    });
    expect(JSON.parse(e1.FLOWC_PARAMS!)).toEqual({ n: 7, name: "world", opts: { a: 1 } });
    expect(e1.FLOWC_INPUT_DIR).toBeTruthy();
    expect(e1.FLOWC_OUTPUT_DIR).toBeTruthy();
    expect(env("0")).toMatchObject({ FLOWC_ITEM: "a b", FLOWC_ITEM_JSON: '"a b"' });
    expect(read(taskDir("contract", "r1", "body", "0"), "attempt-0", "outputs", "inputs")).toBe("base\n");
  });

  it("WHEN the join runs THEN it sees one folder per item and writes switch.json and the Argo case", async () => {
    const r = await step(["--step", "join"], { FLOWC_TARGET: "argo", FLOWC_ARGO_OUTPUTS: argo });
    expect(r.code, r.stderr).toBe(0);
    const dir = taskDir("contract", "r1", "join");
    expect(read(dir, "attempt-0", "outputs", "dirs")).toBe("body.0\nbody.1\n");
    expect(read(dir, "attempt-0", "outputs", "base_seen")).toBe("shared\n");
    expect(JSON.parse(read(dir, "switch.json"))).toEqual({ case: "big" });
    expect(read(argo, "switch")).toBe("big");
    expect(JSON.parse(read(dir, "done.json")).artifacts).toEqual(["base_seen", "dirs"]);
  });

  it("WHEN the merge after the switch runs THEN it reads the branch that was taken", async () => {
    expect((await step(["--step", "loud"])).code).toBe(0);
    const r = await step(["--step", "end"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("LOUD\nshared\n");
  });

  it("WHEN flags are given THEN they override the environment (and Argo's [{name, value}] parameters are decoded)", async () => {
    const r = await flowc(
      ["step", "--run-id", "r2", "--step", "start", "--index", "_", "--root", root, "--spec", specKey, "--params", '[{"name":"n","value":"3"},{"name":"name","value":"x"}]'],
      { cwd, env: { FLOWC_ROOT: "/nonexistent", FLOWC_SPEC: "packages/nope.json", FLOWC_PARAMS: "not json" } },
    );
    expect(r.code, r.stderr).toBe(0);
    const argoParams = { FLOWC_PARAMS: '[{"name":"n","value":"3"}]' };
    for (const i of ["0", "1"]) expect((await step(["--step", "body", "--index", i], argoParams, "r2")).code).toBe(0);
    const j = await step(["--step", "join"], argoParams, "r2");
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(read(taskDir("contract", "r2", "join"), "switch.json"))).toEqual({ case: "small" });
  });

  it("WHEN a required parameter is missing or mistyped THEN flowc step exits 2 naming it", async () => {
    const missing = await step(["--step", "start"], { FLOWC_PARAMS: "{}" });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required parameter `n`");
    const bad = await step(["--step", "start"], { FLOWC_PARAMS: '{"n": "seven"}' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("parameter `n` is of type integer");
  });

  it("WHEN a parent has not finished THEN the task fails, saying which", async () => {
    const r = await flowc(["step", "--run-id", "r3", "--step", "join"], { cwd, env: { FLOWC_ROOT: root, FLOWC_SPEC: specKey, FLOWC_PARAMS: '{"n":1}' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("foreach `start` has no foreach.json: it has not finished");
    expect(existsSync(join(taskDir("contract", "r3", "join"), "done.json"))).toBe(false);
  });

  it("WHEN the step or the index is wrong THEN it is a usage error", async () => {
    expect((await step(["--step", "nope"])).stderr).toContain("has no step `nope`");
    expect((await step(["--step", "body", "--index", "x"])).code).toBe(2);
    const depth = await step(["--step", "body", "--index", ""]);
    expect(depth.code).toBe(2);
    expect(depth.stderr).toContain("index path has 1 number(s)");
  });
});

describe("GIVEN a caught step under an orchestrator that does not record failures (Argo)", () => {
  it("WHEN --catch is set THEN a failing attempt with a retry left exits 1, and the last one writes failed.json and exits 0", async () => {
    const key = await publish(join(FIXTURES, "catch-step.yaml"));
    const env = { FLOWC_ROOT: root, FLOWC_SPEC: key, FLOWC_PARAMS: "{}" };
    const first = await flowc(["step", "--run-id", "c1", "--step", "start", "--attempt", "0", "--catch"], { cwd, env });
    expect(first.code).toBe(1);
    expect(existsSync(join(taskDir("catch-step", "c1", "start"), "failed.json"))).toBe(false);
    const last = await flowc(["step", "--run-id", "c1", "--step", "start", "--attempt", "1", "--catch"], { cwd, env });
    expect(last.code).toBe(0);
    expect(last.stderr).toContain("caught");
    expect(JSON.parse(read(taskDir("catch-step", "c1", "start"), "failed.json"))).toMatchObject({ error: "TaskFailed", attempt: 1 });
    const end = await flowc(["step", "--run-id", "c1", "--step", "end"], { cwd, env });
    expect(end.code, end.stderr).toBe(0);
  });
});

describe("GIVEN TypeScript bodies that leave the process busy", () => {
  it("WHEN a body leaves a timer running or never settles THEN flowc step still ends (0, then 1 for the timeout)", async () => {
    const key = await publish(join(FIXTURES, "lingering.ts"));
    const env = { FLOWC_ROOT: root, FLOWC_SPEC: key, FLOWC_PARAMS: "{}" };
    const start = await flowc(["step", "--run-id", "l1", "--step", "start"], { cwd, env, timeoutMs: 10_000 });
    expect(start.code, start.stderr).toBe(0);
    expect(start.ms).toBeLessThan(5000);
    const end = await flowc(["step", "--run-id", "l1", "--step", "end"], { cwd, env, timeoutMs: 10_000 });
    expect(end.code).toBe(1);
    expect(end.stderr).toContain("end attempt 0 timed out: timed out after 1s");
    expect(JSON.parse(read(taskDir("lingering-ts", "l1", "end"), "attempt-0", "meta.json")).status).toBe("timeout");
  });
});

describe("GIVEN a TypeScript flow whose code package is in the datastore", () => {
  it("WHEN each task runs through flowc step THEN bodies load from the package and artifacts cross between TS and container steps", async () => {
    const key = await publish(join(EXAMPLES, "split.ts"));
    const spec = JSON.parse(read(root, key));
    expect(spec.package).toMatch(/^packages\/[0-9a-f]{64}\.mjs$/);
    expect(existsSync(join(root, spec.package))).toBe(true);
    const env = { FLOWC_ROOT: root, FLOWC_SPEC: key, FLOWC_PARAMS: "{}" };
    for (const s of ["start", "left", "right", "merge", "end"]) {
      const r = await flowc(["step", "--run-id", "ts1", "--step", s], { cwd, env });
      expect(r.code, `${s}: ${r.stderr}`).toBe(0);
      if (s === "end") expect(r.stdout).toBe("total 61\n");
    }
    expect(read(taskDir("split-ts", "ts1", "start"), "attempt-0", "outputs", "base")).toBe("20\n");
    expect(JSON.parse(read(taskDir("split-ts", "ts1", "merge"), "done.json")).encodings).toEqual({ total: "json" });
  });
});
