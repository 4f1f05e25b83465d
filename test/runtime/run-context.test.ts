// The run context (scheduled time, trigger, upstream run) as every target hands it to `flowc step`,
// and `flowc run --scheduled-time`: the same expansion of a schedule's or trigger's parameters
// everywhere (docs/step-contract.md, "Run context").
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LocalDatastore } from "../../src/datastore/local.ts";
import { publishSpec } from "../../src/datastore/publish.ts";
import { isValid, readFlow } from "../../src/flow/read.ts";
import { EXAMPLES, ensureBuilt, FIXTURES, flowc, tempDir } from "./helpers.ts";

const cwd = tempDir();
const root = join(cwd, "store");
const specs: Record<string, string> = {};

async function publish(file: string): Promise<string> {
  const f = await readFlow(join(FIXTURES, file));
  if (!isValid(f)) throw new Error(JSON.stringify(f.diagnostics));
  return (await publishSpec(new LocalDatastore(root), f)).key;
}

const step = (spec: string, runId: string, stepName: string, params: unknown, env: NodeJS.ProcessEnv = {}) =>
  flowc(["step", "--run-id", runId, "--step", stepName], { cwd, env: { FLOWC_ROOT: root, FLOWC_SPEC: spec, FLOWC_PARAMS: JSON.stringify(params), ...env } });
const envOf = (flow: string, runId: string) =>
  Object.fromEntries(
    readFileSync(join(root, flow, runId, "start/_/attempt-0/outputs/env"), "utf8")
      .trim()
      .split("\n")
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
const contextOf = (flow: string, runId: string) => JSON.parse(readFileSync(join(root, flow, runId, "context.json"), "utf8"));

beforeAll(async () => {
  ensureBuilt();
  specs.yaml = await publish("scheduled.yaml");
  specs.ts = await publish("scheduled.ts");
});

describe("GIVEN flows whose schedule maps `day: {date}` (Europe/Amsterdam) and whose afterFlow trigger maps the upstream's day and run", () => {
  it("WHEN Step Functions starts a task the way its Scheduler input says (the tick, the template) THEN the command sees the scheduled time, the trigger and the Amsterdam date", async () => {
    const r = await step(specs.yaml!, "sched-1", "start", { day: "{date}", _flowc: { trigger: "schedule", scheduledTime: "2026-12-03T23:30:00Z", templates: ["day"] } });
    expect(r.code, r.stderr).toBe(0);
    expect(envOf("scheduled", "sched-1")).toEqual({ FLOWC_PARAM_DAY: "2026-12-04", FLOWC_PARAM_UP: "none", FLOWC_SCHEDULED_TIME: "2026-12-03T23:30:00Z", FLOWC_TRIGGER: "schedule" });
    expect(contextOf("scheduled", "sched-1")).toMatchObject({ scheduledTime: "2026-12-03T23:30:00Z", trigger: "schedule", params: { day: "2026-12-04", up: "none" } });
    // Every other task of the run expands the same template to the same value.
    const end = await step(specs.yaml!, "sched-1", "end", { day: "{date}", _flowc: { trigger: "schedule", scheduledTime: "2026-12-03T23:30:00Z", templates: ["day"] } });
    expect(end.stdout).toBe("for 2026-12-04\n");
  });

  it("WHEN Argo's CronWorkflow starts it (parameters as [{name, value}], the tick only in {{workflow.scheduledTime}}) THEN the same values arrive", async () => {
    const params = [
      { name: "day", value: "{date}" },
      { name: "up", value: "none" },
      { name: "_flowc", value: '{"trigger":"schedule","templates":["day"]}' },
    ];
    const r = await step(specs.yaml!, "cron-1", "start", params, { FLOWC_CRON_TIME: "2026-12-04T00:30:00+01:00", FLOWC_RUN_STARTED_AT: "2026-12-04T00:30:02Z" });
    expect(r.code, r.stderr).toBe(0);
    expect(envOf("scheduled", "cron-1")).toMatchObject({ FLOWC_PARAM_DAY: "2026-12-04", FLOWC_SCHEDULED_TIME: "2026-12-03T23:30:00Z", FLOWC_TRIGGER: "schedule" });
  });

  it("WHEN a run is started by hand with none of it THEN it is for the time the target says it started, and a literal {date} is left alone", async () => {
    const r = await step(specs.yaml!, "manual-1", "start", { day: "{date}" }, { FLOWC_RUN_STARTED_AT: "2026-12-04T10:11:12.345Z" });
    expect(r.code, r.stderr).toBe(0);
    expect(envOf("scheduled", "manual-1")).toMatchObject({ FLOWC_PARAM_DAY: "{date}", FLOWC_SCHEDULED_TIME: "2026-12-04T10:11:12Z", FLOWC_TRIGGER: "manual" });
  });

  it("WHEN its afterFlow trigger starts it THEN {upstream.params.day} is the upstream run's resolved day, read from that run's record", async () => {
    mkdirSync(join(root, "ingest/up-7"), { recursive: true });
    writeFileSync(join(root, "ingest/up-7/context.json"), JSON.stringify({ flow: "ingest", runId: "up-7", scheduledTime: "2026-12-01T05:00:00Z", trigger: "manual", params: { day: "2026-11-30" }, spec: "x" }));
    const params = { day: "{upstream.params.day}", up: "{upstream.flow}:{upstream.runId}", _flowc: { trigger: "after-ingest", scheduledTime: "2026-12-01T06:07:08Z", upstream: { flow: "ingest", runId: "up-7" }, templates: ["day", "up"] } };
    const r = await step(specs.yaml!, "after-1", "start", params);
    expect(r.code, r.stderr).toBe(0);
    expect(envOf("scheduled", "after-1")).toEqual({
      FLOWC_PARAM_DAY: "2026-11-30",
      FLOWC_PARAM_UP: "ingest:up-7",
      FLOWC_SCHEDULED_TIME: "2026-12-01T06:07:08Z",
      FLOWC_TRIGGER: "after-ingest",
      FLOWC_UPSTREAM_FLOW: "ingest",
      FLOWC_UPSTREAM_RUN_ID: "up-7",
    });
  });

  it("WHEN the upstream run left no record THEN the task refuses with exit 2 naming the missing record, and runs nothing", async () => {
    const params = { day: "{upstream.params.day}", _flowc: { trigger: "after-ingest", upstream: { flow: "ingest", runId: "gone" }, templates: ["day"] } };
    const r = await step(specs.yaml!, "after-2", "start", params);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ingest/gone/context.json is missing");
  });

  it("WHEN a TypeScript step runs THEN ctx.scheduledTime, ctx.trigger and ctx.upstream carry the same context", async () => {
    const r = await step(specs.ts!, "ts-1", "start", { day: "{date}", _flowc: { trigger: "schedule", scheduledTime: "2026-07-06T04:00:00Z", templates: ["day"] } });
    expect(r.code, r.stderr).toBe(0);
    const done = JSON.parse(readFileSync(join(root, "scheduled-ts/ts-1/start/_/done.json"), "utf8"));
    const seen = JSON.parse(readFileSync(join(root, "scheduled-ts/ts-1/start/_/attempt-0/outputs/seen"), "utf8"));
    expect(done.artifacts).toEqual(["seen"]);
    expect(seen).toEqual({ scheduledTime: "2026-07-06T04:00:00Z", trigger: "schedule", upstream: null, day: "2026-07-06" });
  });
});

describe("GIVEN examples/train.yaml (day: {date} on a weekday schedule in Amsterdam)", () => {
  const ds = join(cwd, "runs");
  it("WHEN run with --scheduled-time THEN every task sees that time and the mapped day; --param wins over the mapping; a resume keeps the context", async () => {
    const r = await flowc(["run", join(EXAMPLES, "train.yaml"), "--scheduled-time", "2026-12-04T06:00", "--datastore", ds, "--run-id", "tick-1"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(ds, "train-model/tick-1/start/_/attempt-0/stdout"), "utf8")).toBe("preparing 2026-12-04\n");
    expect(JSON.parse(readFileSync(join(ds, "train-model/tick-1/context.json"), "utf8"))).toMatchObject({ scheduledTime: "2026-12-04T05:00:00Z", trigger: "schedule", params: { day: "2026-12-04", alpha: 0.5 } });

    const given = await flowc(["run", join(EXAMPLES, "train.yaml"), "--scheduled-time", "2026-12-04T06:00", "--param", "day=2026-01-01", "--datastore", ds, "--run-id", "tick-2"], { cwd });
    expect(given.code, given.stderr).toBe(0);
    expect(readFileSync(join(ds, "train-model/tick-2/start/_/attempt-0/stdout"), "utf8")).toBe("preparing 2026-01-01\n");

    const resumed = await flowc(["run", join(EXAMPLES, "train.yaml"), "--datastore", ds, "--run-id", "tick-1"], { cwd });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(ds, "train-model/tick-1/run.json"), "utf8")).context).toEqual({ scheduledTime: "2026-12-04T05:00:00Z", trigger: "schedule" });
    const moved = await flowc(["run", join(EXAMPLES, "train.yaml"), "--datastore", ds, "--run-id", "tick-1", "--scheduled-time", "2026-12-05"], { cwd });
    expect(moved.code).toBe(2);
    expect(moved.stderr).toContain("a resumed run keeps its scheduled time");
  }, 60_000);

  it("WHEN run without a scheduled time THEN the required day is still required (manual runs map nothing)", async () => {
    const r = await flowc(["run", join(EXAMPLES, "train.yaml"), "--datastore", ds], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required parameter `day`");
  });

  it("WHEN --scheduled-time is not a time THEN it is a usage error and nothing runs", async () => {
    const r = await flowc(["run", join(EXAMPLES, "train.yaml"), "--datastore", ds, "--scheduled-time", "next friday"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--scheduled-time \"next friday\" is not a time");
  });
});

describe("GIVEN examples/train.yaml and `flowc backfill --local`", () => {
  const ds = join(cwd, "backfill");
  it("WHEN three weekdays are backfilled THEN three runs named by their ticks each ran for their own day; again, none runs", async () => {
    const args = ["backfill", join(EXAMPLES, "train.yaml"), "--local", "--datastore", ds, "--from", "2026-11-04", "--to", "2026-11-06"];
    const first = await flowc(args, { cwd, timeoutMs: 120_000 });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("3 ticks: 3 started (3 succeeded), 0 existed (0 succeeded)\n");
    for (const day of ["04", "05", "06"]) {
      const stdout = readFileSync(join(ds, `train-model/at-202611${day}T050000Z/start/_/attempt-0/stdout`), "utf8");
      expect(stdout).toBe(`preparing 2026-11-${day}\n`);
    }
    const second = await flowc(args, { cwd });
    expect(second.stdout).toBe("3 ticks: 0 started (0 succeeded), 3 existed (3 succeeded)\n");
  }, 120_000);

  it("WHEN it is given --env too, or neither THEN it is a usage error", async () => {
    const both = await flowc(["backfill", join(EXAMPLES, "train.yaml"), "--local", "--env", "prod", "--from", "2026-11-04", "--to", "2026-11-06"], { cwd });
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining("takes no --env")]);
    const neither = await flowc(["backfill", join(EXAMPLES, "train.yaml"), "--from", "2026-11-04", "--to", "2026-11-06"], { cwd });
    expect([neither.code, neither.stderr]).toEqual([2, expect.stringContaining("--env ENV (a deployed flow) or --local")]);
  });
});
