// Runs for a time, on moto's Step Functions interpreter with real `flowc step` tasks: a weekday flow
// started the way EventBridge Scheduler starts it, and `flowc backfill` over two weeks of it
// (docs/scheduling.md). Scheduler does not fire here, so a scheduled start is made with the schedule's
// own Target input after the substitution Scheduler does (`<aws.scheduler.scheduled-time>`).
import { join } from "node:path";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { ListExecutionsCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, Rig, ensureBuilt, tasksOf } from "./helpers.ts";

const rig = new Rig();
let env: string;
const DAILY = join(FIXTURES, "daily.yaml");
/** The weekdays from Monday 2 to Friday 13 November 2026: 14 days, 10 weekday ticks at 06:00 Amsterdam (05:00Z). */
const WEEKDAYS = ["02", "03", "04", "05", "06", "09", "10", "11", "12", "13"].map((d) => `2026-11-${d}`);

beforeAll(async () => {
  ensureBuilt();
  await rig.start();
  env = rig.env("sched");
  await rig.deploy(DAILY, env);
}, 180_000);
afterAll(() => rig.stop());

const runOf = async (runId: string) => {
  const files = await rig.s3Files(`${env}/e2e-daily/${runId}`);
  return { tasks: tasksOf(files), context: JSON.parse(files.get("context.json")?.toString() ?? "null") };
};

describe("GIVEN fixtures/daily.yaml (weekdays 06:00 Europe/Amsterdam, day: {date}) deployed to Step Functions", () => {
  it("WHEN it is started as its schedule starts it THEN every task sees the tick and the mapped day, and the run records both", async () => {
    const schedule = await rig.scheduler.send(new GetScheduleCommand({ Name: `e2e-daily-${env}`, GroupName: "default" }));
    const input = schedule.Target!.Input!.replace("<aws.scheduler.scheduled-time>", "2026-12-04T05:00:00Z");
    const name = `scheduler-${rig.id}`;
    const started = await rig.sfn.send(new StartExecutionCommand({ stateMachineArn: schedule.Target!.Arn!, name, input }));
    rig.runIds.add(name);
    const ex = await rig.wait(started.executionArn!);
    expect(ex.status, `${ex.error}: ${ex.cause}`).toBe("SUCCEEDED");
    const { tasks, context } = await runOf(name);
    expect(tasks["start/_"]!.outputs).toEqual({ day: "2026-12-04\n", at: "2026-12-04T05:00:00Z\n", trigger: "schedule\n" });
    expect(tasks["end/_"]!.stdout).toBe("ran for 2026-12-04 at 2026-12-04T05:00:00Z\n");
    expect(context).toMatchObject({ scheduledTime: "2026-12-04T05:00:00Z", trigger: "schedule", params: { day: "2026-12-04" } });
  }, 120_000);

  it("WHEN two weeks are backfilled (one tick already run by the schedule) THEN exactly the 10 weekday runs exist, each for its own date, and a second backfill starts none", async () => {
    // The live schedule already ran Wednesday 4 November (a run named by Scheduler, at random).
    const schedule = await rig.scheduler.send(new GetScheduleCommand({ Name: `e2e-daily-${env}`, GroupName: "default" }));
    const live = `live-${rig.id}`;
    const started = await rig.sfn.send(new StartExecutionCommand({ stateMachineArn: schedule.Target!.Arn!, name: live, input: schedule.Target!.Input!.replace("<aws.scheduler.scheduled-time>", "2026-11-04T05:00:00Z") }));
    rig.runIds.add(live);
    expect((await rig.wait(started.executionArn!)).status).toBe("SUCCEEDED");

    const first = await rig.cli(["backfill", DAILY, "--target", "sfn", "--env", env, "--from", "2026-11-02", "--to", "2026-11-15", "--max-parallel", "5"]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("10 ticks: 9 started (9 succeeded), 1 existed (1 succeeded)\n");
    expect(first.stderr).toContain(`exists    2026-11-04T05:00:00Z  ${live}  SUCCEEDED`);

    const names = WEEKDAYS.filter((d) => d !== "2026-11-04").map((d) => `${env}-at-${d.replace(/-/g, "")}T050000Z`);
    for (const n of names) rig.runIds.add(n);
    for (const [i, day] of WEEKDAYS.entries()) {
      if (day === "2026-11-04") continue;
      const { tasks, context } = await runOf(`${env}-at-${day.replace(/-/g, "")}T050000Z`);
      expect(tasks["start/_"]!.outputs, day).toEqual({ day: `${day}\n`, at: `${day}T05:00:00Z\n`, trigger: "backfill\n" });
      expect(context.scheduledTime, `tick ${i}`).toBe(`${day}T05:00:00Z`);
    }
    // Nothing else ran: the machine's executions are the two above and the nine backfilled ones.
    const all = (await rig.sfn.send(new ListExecutionsCommand({ stateMachineArn: schedule.Target!.Arn!.replace(/:[^:]+$/, ""), maxResults: 100 }))).executions ?? [];
    expect(all.map((x) => x.name).filter((n) => n?.startsWith(`${env}-at-`)).sort()).toEqual([...names].sort());

    const second = await rig.cli(["backfill", DAILY, "--target", "sfn", "--env", env, "--from", "2026-11-02", "--to", "2026-11-15", "--max-parallel", "5"]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe("10 ticks: 0 started (0 succeeded), 10 existed (10 succeeded)\n");
  }, 300_000);

  it("WHEN a backfill is asked for nonsense THEN it says why, exits 2 and starts nothing", async () => {
    const before = (await rig.sfn.send(new ListExecutionsCommand({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:e2e-daily`, maxResults: 100 }))).executions?.length;
    const backwards = await rig.cli(["backfill", DAILY, "--target", "sfn", "--env", env, "--from", "2026-11-15", "--to", "2026-11-02"]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toContain("is not after --from");
    const many = await rig.cli(["backfill", DAILY, "--target", "sfn", "--env", env, "--from", "2025-01-01", "--to", "2026-01-01"]);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain("more than 100 ticks");
    const after = (await rig.sfn.send(new ListExecutionsCommand({ stateMachineArn: `arn:aws:states:us-east-1:123456789012:stateMachine:e2e-daily`, maxResults: 100 }))).executions?.length;
    expect(after).toBe(before);
  }, 60_000);
});
