// moto's Step Functions interpreter (LocalStack's, vendored) creates and runs every compiled example,
// with each Batch job running a fake `flowc step` that records its arguments and environment.
import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSfn } from "../../../src/compile/sfn/index.ts";
import { isValid, readFlow } from "../../../src/flow/read.ts";
import { buildSpec } from "../../../src/flow/spec.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { eventTypes, startExecution, waitForExecution } from "../../harness/sfn.ts";
import { asl, compileText, EXAMPLES, TEST_VERSION } from "./helpers.ts";
import { MotoRig, plan } from "./moto-support.ts";

const rig = new MotoRig();
beforeAll(() => rig.start(), 60_000);
afterAll(() => rig.stop());

/** `maxDefinitionBytes` forces a split into a family of state machines. */
async function compileFor(file: string, envName: string, maxDefinitionBytes?: number) {
  const read = await readFlow(file);
  if (!isValid(read)) throw new Error(JSON.stringify(read.diagnostics));
  const env = rig.env(envName);
  if (maxDefinitionBytes) env.sfn = { ...env.sfn!, maxDefinitionBytes };
  const result = compileSfn({ ir: read.ir, graph: read.graph, env, spec: buildSpec(read.ir, read.loaded.package?.sha256), flowcVersion: TEST_VERSION });
  expect(result.problems.filter((p) => p.severity !== "warning")).toEqual([]);
  return { read, result };
}

const cases = [
  ...EXAMPLES.map((f) => ["prod", f] as const),
  ...EXAMPLES.filter((f) => /foreach|train/.test(basename(f)) && f.endsWith(".yaml")).map((f) => ["inline", f] as const),
];

describe("GIVEN every example compiled for Step Functions", () => {
  it.each(cases)("WHEN %s / %s runs on moto THEN it SUCCEEDED and ran exactly the tasks the flow describes", async (envName, file) => {
    const { read, result } = await compileFor(file, envName);
    const { run } = await runsAsPlanned(read, result, envName, `run-${envName}-${basename(file).replace(/\W/g, "-")}`);
    const types = eventTypes(run.history);
    const kinds = new Set(read.ir.steps.map((s) => s.transition.kind));
    // A Distributed Map's items run as child executions, with histories of their own.
    const inParent = (kind: string) => read.ir.steps.some((s) => s.transition.kind === kind && (envName === "inline" || read.graph.nodes.get(s.name)!.foreachDepth === 0));
    if (inParent("split")) expect(types).toContain("ParallelStateEntered");
    if (inParent("switch")) expect(types).toContain("ChoiceStateEntered");
    if (kinds.has("foreach")) expect(types).toContain(envName === "inline" ? "MapIterationStarted" : "MapRunStarted");
  }, 120_000);
});

/**
 * GIVEN a compiled example deployed, the datastore files its steps would write, WHEN it runs with its
 * required parameters THEN it SUCCEEDED and ran exactly the planned tasks, each with the run id, spec,
 * datastore and parameters of the run.
 */
async function runsAsPlanned(read: Awaited<ReturnType<typeof compileFor>>["read"], result: Awaited<ReturnType<typeof compileFor>>["result"], envName: string, runId: string) {
  const alias = await rig.deploy(result, envName);
  const expected = plan(read.ir, read.graph, runId);
  for (const [key, body] of Object.entries(expected.files)) await rig.put(key, body);
  const required = Object.fromEntries(read.ir.parameters.filter((p) => p.required).map((p) => [p.name, "x"]));
  const { result: run, calls } = await rig.run(alias, runId, required);
  expect(run.status, `${run.error}: ${run.cause}\n${rig.moto.logTail(30)}`).toBe("SUCCEEDED");
  expect(calls.map((c) => `${c.step}@${c.index}`).sort()).toEqual(expected.tasks);
  for (const c of calls) {
    expect(c.runId).toBe(runId);
    expect(c.env.FLOWC_SPEC).toBe(result.manifest.spec.key);
    expect(c.env.FLOWC_ROOT).toBe(`s3://flowc-moto/runs`);
    expect(JSON.parse(c.env.FLOWC_PARAMS!)).toEqual({ ...Object.fromEntries(read.ir.parameters.filter((p) => p.default !== undefined).map((p) => [p.name, p.default])), ...required });
  }
  return { run, calls };
}

describe("GIVEN the examples split into families of state machines (sfn.maxDefinitionBytes: 4096)", () => {
  // Each split example runs as parent and children (states:startExecution.sync:2, references pinned to
  // the children's versions) and must run exactly the tasks, with the same run id and environment,
  // that the unsplit flow runs. The fake flowc records every task.
  const splits = ["train.yaml", "nested-foreach.yaml", "split-in-foreach.ts", "switch.yaml"].map((n) => EXAMPLES.find((f) => f.endsWith(`/${n}`))!);
  it.each(splits)("WHEN %s runs on moto THEN it SUCCEEDED and ran exactly the tasks the flow describes, with the parent's run id", async (file) => {
    const { read, result } = await compileFor(file, "prod", 4096);
    expect(result.manifest.stats.stateMachines).toBeGreaterThan(1);
    const { run } = await runsAsPlanned(read, result, "prod", `run-split-${basename(file).replace(/\W/g, "-")}`);
    expect(eventTypes(run.history)).toContain("TaskSucceeded");
  }, 120_000);

  it("WHEN a step inside a child fails THEN the parent's run FAILED too, and nothing after the step ran", async () => {
    const { read, result: split } = await compileFor(TRAIN, "prod", 4096);
    const alias = await rig.deploy(split, "prod");
    const expected = plan(read.ir, read.graph, "run-split-fail");
    for (const [key, body] of Object.entries(expected.files)) await rig.put(key, body);
    const { result: run, calls } = await rig.run(alias, "run-split-fail", { day: "d" }, { fail: ["merge"] });
    expect(run.status).toBe("FAILED");
    expect(calls.map((c) => c.step)).toContain("merge");
    expect(calls.map((c) => c.step)).not.toContain("fan");
    expect(calls.map((c) => c.step)).not.toContain("end");
  }, 120_000);
});

async function deployText(yaml: string, envName = "prod") {
  const result = compileText(yaml, rig.env(envName));
  expect(result.problems.filter((p) => p.severity !== "warning")).toEqual([]);
  return { result, alias: await rig.deploy(result, envName) };
}

const TRAIN = EXAMPLES.find((f) => f.endsWith("train.yaml"))!;

describe("GIVEN the train example (split, foreach, switch, retry, catch, required parameter)", () => {
  it("WHEN `b` fails once and `publish` always fails THEN b is retried, publish's failure is caught and recorded, and the run SUCCEEDED", async () => {
    // GIVEN
    const { read, result } = await compileFor(TRAIN, "prod");
    const alias = await rig.deploy(result, "prod");
    const expected = plan(read.ir, read.graph, "run-catch", () => "big");
    for (const [key, body] of Object.entries(expected.files)) await rig.put(key, body);
    // WHEN
    const { result: run, calls } = await rig.run(alias, "run-catch", { day: "2026-11-30" }, { flaky: ["b"], fail: ["publish"] });
    // THEN
    expect(run.status, run.cause).toBe("SUCCEEDED");
    expect(calls.filter((c) => c.step === "b").map((c) => c.attempt)).toEqual([0, 1]);
    expect(calls.filter((c) => c.step === "publish").map((c) => c.attempt)).toEqual([0, 1]);
    expect(calls.map((c) => c.step)).toContain("end");
    const failed = (await rig.get("train-model/run-catch/publish/_/failed.json")) as { error: string; cause: string };
    expect(failed.error).toBe("States.TaskFailed");
    expect(JSON.parse(failed.cause)).toMatchObject({ Status: "FAILED", JobName: "train-model-publish" });
    const types = eventTypes(run.history);
    expect(types.filter((t) => t === "TaskFailed").length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it("WHEN the required parameter `day` is missing THEN the run FAILED at once naming it, before any task", async () => {
    const { result } = await compileFor(TRAIN, "prod");
    const alias = await rig.deploy(result, "prod");
    const { result: run, calls } = await rig.run(alias, "run-missing", { alpha: 0.9 });
    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("flowc.MissingParameter");
    expect(run.cause).toContain("`day`");
    expect(calls).toEqual([]);
    expect(eventTypes(run.history)).not.toContain("TaskScheduled");
  }, 60_000);

  it("WHEN the input overrides a default THEN FLOWC_PARAMS has the input's value and the other defaults", async () => {
    const { read, result } = await compileFor(TRAIN, "prod");
    const alias = await rig.deploy(result, "prod");
    for (const [key, body] of Object.entries(plan(read.ir, read.graph, "run-params").files)) await rig.put(key, body);
    const { calls } = await rig.run(alias, "run-params", { day: "d", alpha: 0.7, extra: [1] });
    expect(new Set(calls.map((c) => c.env.FLOWC_PARAMS))).toEqual(new Set([JSON.stringify({ alpha: 0.7, day: "d", extra: [1] })]));
    expect(new Set(calls.map((c) => c.env.LOG_LEVEL))).toEqual(new Set(["info"]));
  }, 60_000);
});

describe("GIVEN a switch", () => {
  const flow = `apiVersion: flowc/v1
name: sw
steps:
  start: { command: [a], switch: { big: big, small: end } }
  big: { command: [a], next: end }
  end: { command: [a] }
`;
  it("WHEN the step wrote a case that is not in the flow THEN the run FAILED naming the step and the case", async () => {
    const { alias } = await deployText(flow);
    await rig.put("sw/run-unknown/start/_/switch.json", { case: "huge" });
    const { result: run, calls } = await rig.run(alias, "run-unknown", {});
    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("flowc.UnknownCase");
    expect(run.cause).toBe("switch step start chose case huge, which is not one of: big, small");
    expect(calls.map((c) => c.step)).toEqual(["start"]);
  }, 60_000);

  it("WHEN a case goes straight to end THEN only start and end run", async () => {
    const { alias } = await deployText(flow);
    await rig.put("sw/run-small/start/_/switch.json", { case: "small" });
    const { result: run, calls } = await rig.run(alias, "run-small", {});
    expect(run.status).toBe("SUCCEEDED");
    expect(calls.map((c) => c.step)).toEqual(["start", "end"]);
  }, 60_000);
});

describe("GIVEN a step with a timeout", () => {
  const flow = (extra: string) => `apiVersion: flowc/v1
name: slow
steps:
  start: { command: [a], next: nap }
  nap: { command: [a], timeout: 2s, next: end${extra} }
  end: { command: [a] }
`;
  it("WHEN it runs longer THEN the run FAILED with States.Timeout", async () => {
    const { alias } = await deployText(flow(""));
    const { result: run } = await rig.run(alias, "run-timeout", {}, { sleep: { nap: 6 } });
    expect(run.status).toBe("FAILED");
    expect(run.error).toBe("States.Timeout");
  }, 60_000);

  it("WHEN it runs longer and has catch THEN failed.json records States.Timeout and the run goes on to end", async () => {
    const { alias } = await deployText(flow(", catch: true"));
    const { result: run, calls } = await rig.run(alias, "run-timeout-caught", {}, { sleep: { nap: 6 } });
    expect(run.status, run.cause).toBe("SUCCEEDED");
    expect(calls.map((c) => c.step)).toEqual(["start", "nap", "end"]);
    expect(await rig.get("slow/run-timeout-caught/nap/_/failed.json")).toMatchObject({ error: "States.Timeout" });
  }, 60_000);
});

describe("GIVEN a foreach step with catch", () => {
  it("WHEN the foreach task fails THEN its body is skipped and the join runs", async () => {
    const { alias } = await deployText(`apiVersion: flowc/v1
name: fe
steps:
  start: { command: [a], foreach: true, catch: true, next: body }
  body: { command: [a], next: gather }
  gather: { command: [a], join: true, next: end }
  end: { command: [a] }
`);
    const { result: run, calls } = await rig.run(alias, "run-fe", {}, { fail: ["start"] });
    expect(run.status, run.cause).toBe("SUCCEEDED");
    expect(calls.map((c) => c.step)).toEqual(["start", "gather", "end"]);
    expect(await rig.get("fe/run-fe/start/_/failed.json")).toMatchObject({ error: "States.TaskFailed" });
  }, 60_000);
});

describe("GIVEN schedules with a concurrency policy", () => {
  it.each(["forbid", "replace"])("WHEN a %s flow runs alone THEN its concurrency states let it through", async (policy) => {
    const { alias, result } = await deployText(`apiVersion: flowc/v1
name: cc-${policy}
schedule: { cron: "0 * * * *", concurrency: ${policy} }
steps:
  start: { command: [a], next: end }
  end: { command: [a] }
`);
    const { result: run, calls } = await rig.run(alias, `run-${policy}`, {});
    expect(run.status, run.cause).toBe("SUCCEEDED");
    expect(calls.map((c) => c.step)).toEqual(["start", "end"]);
    expect(Object.keys(JSON.parse(result.files[0]!.content).States)).toContain("Concurrency.Earlier");
    expect(eventTypes(run.history)).toContain("MapStateEntered");
  }, 60_000);
});

describe("GIVEN a run already in progress", () => {
  // One moto gap, worked around in the definition under test only: its timestamp parser rejects
  // fractional seconds (so start times, both ISO-8601 UTC with milliseconds, are compared as strings).
  // Everything else (the listing by alias, the Map, the stop) is what AWS runs; the runs start through
  // the environment's alias, as every flowc start does.
  async function deployOwn(policy: string): Promise<string> {
    const result = compileText(
      `apiVersion: flowc/v1
name: busy-${policy}
schedule: { cron: "0 * * * *", concurrency: ${policy} }
steps:
  start: { command: [a], next: end }
  end: { command: [a] }
`,
      rig.env("prod"),
    );
    const definition = asl(result);
    const started = definition.States["Concurrency.Earlier"].ItemProcessor.States["Concurrency.Same"].Choices[0].And[1];
    started.StringLessThanPath = started.TimestampLessThanPath;
    delete started.TimestampLessThanPath;
    return await rig.deploy({ ...result, files: [{ name: result.files[0]!.name, content: JSON.stringify(definition) }] }, "prod");
  }
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("WHEN a forbid flow starts again THEN the new run stops itself before any step and the old one finishes", async () => {
    const arn = await deployOwn("forbid");
    writeFileSync(join(rig.dir, "behaviour.json"), JSON.stringify({ sleep: { start: 6 } }));
    const first = await startExecution(rig.sfn, arn, {}, "first");
    await sleep(1500);
    const second = await waitForExecution(rig.sfn, await startExecution(rig.sfn, arn, {}, "second"), 30_000);
    expect(second.status).toBe("ABORTED");
    expect(eventTypes(second.history)).not.toContain("TaskSubmitted");
    expect((await waitForExecution(rig.sfn, first, 30_000)).status).toBe("SUCCEEDED");
  }, 60_000);

  it("WHEN a replace flow starts again THEN the old run is stopped and the new one finishes", async () => {
    const arn = await deployOwn("replace");
    writeFileSync(join(rig.dir, "behaviour.json"), JSON.stringify({ sleep: { start: 6 } }));
    const first = await startExecution(rig.sfn, arn, {}, "first");
    await sleep(1500);
    const second = await startExecution(rig.sfn, arn, {}, "second");
    expect((await waitForExecution(rig.sfn, first, 30_000)).status).toBe("ABORTED");
    expect((await waitForExecution(rig.sfn, second, 30_000)).status).toBe("SUCCEEDED");
  }, 60_000);
});
