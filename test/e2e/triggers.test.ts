// Triggers and schedules of deployed flows. EventBridge does not start Step Functions targets here, so:
// - an afterFlow rule's deployed pattern is tested against the "Step Functions Execution Status Change"
//   event of a real upstream execution, built as AWS documents it, through moto's own EventBridge
//   matcher (a probe rule with the same pattern; ./events.ts); its target is then started with the
//   input its InputTransformer makes of that event, and the downstream run is checked;
// - an event rule likewise, with matching and non-matching events;
// - a schedule's expression and time zone are read back from EventBridge Scheduler and its next 10
//   fire times, computed by an AWS cron evaluator written for the tests (./aws-cron.ts), are compared
//   with cron-parser's for the 5-field expression the flow asked for.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CronExpressionParser } from "cron-parser";
import { DescribeRuleCommand, ListRulesCommand, ListTargetsByRuleCommand, type Target } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { DescribeExecutionCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCronFires } from "./aws-cron.ts";
import { matchedBy, targetInput, type BusEvent } from "./events.ts";
import { ACCOUNT, EXAMPLES, FIXTURES, REGION, Rig, ensureBuilt, tasksOf } from "./helpers.ts";

const rig = new Rig();
let env: string;
/** A second environment on the same account and region: the flows' state machines are shared with `env`. */
let other: string;
const INGEST = join(FIXTURES, "ingest.yaml");
const REPORT = join(FIXTURES, "report.ts");
const TRAIN = join(EXAMPLES, "train.yaml");
const HANDOFF = join(FIXTURES, "handoff.yaml");
/** What a schedule without parameters passes: the run context, with the tick for Scheduler to fill in. */
const SCHEDULED_INPUT = '{"_flowc":{"trigger":"schedule","scheduledTime":"<aws.scheduler.scheduled-time>"}}';
const alias = (machine: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${machine}:${env}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

beforeAll(async () => {
  ensureBuilt();
  await rig.start();
  env = rig.env("triggers");
  other = rig.env("trig-other");
  await Promise.all([rig.deploy(INGEST, env), rig.deploy(REPORT, env), rig.deploy(TRAIN, env), rig.deploy(HANDOFF, env)]);
  await Promise.all([rig.deploy(INGEST, other), rig.deploy(REPORT, other)]);
}, 180_000);
afterAll(() => rig.stop());

/** The one rule deploy made for a trigger, with its target. */
async function rule(name: string): Promise<{ pattern: string; target: Target }> {
  const listed = await rig.events.send(new ListRulesCommand({ NamePrefix: name }));
  expect(listed.Rules?.map((r) => r.Name)).toEqual([name]);
  const r = await rig.events.send(new DescribeRuleCommand({ Name: name }));
  expect(r.State).toBe("ENABLED");
  const targets = await rig.events.send(new ListTargetsByRuleCommand({ Rule: name }));
  expect(targets.Targets).toHaveLength(1);
  return { pattern: r.EventPattern!, target: targets.Targets![0]! };
}

/** Starts a rule's target as EventBridge would, with the transformed event as input; waits for the run. */
async function fire(target: Target, input: string, name: string, flow = "e2e-report") {
  const started = await rig.sfn.send(new StartExecutionCommand({ stateMachineArn: target.Arn, input, name }));
  rig.runIds.add(name);
  const ex = await rig.wait(started.executionArn!);
  return { ex, run: tasksOf(await rig.s3Files(`${env}/${flow}/${name}`)) };
}

/**
 * The "Step Functions Execution Status Change" event of a finished execution (EventBridge reference,
 * "Step Functions events"): its detail is what DescribeExecution says of the run, the alias and
 * version it was started through included (null when none: AWS sends the keys either way).
 */
async function statusChange(executionArn: string): Promise<BusEvent> {
  const d = await rig.sfn.send(new DescribeExecutionCommand({ executionArn }));
  return {
    source: "aws.states",
    "detail-type": "Step Functions Execution Status Change",
    resources: [executionArn],
    detail: {
      executionArn,
      stateMachineArn: d.stateMachineArn,
      stateMachineVersionArn: d.stateMachineVersionArn ?? null,
      stateMachineAliasArn: d.stateMachineAliasArn ?? null,
      name: d.name,
      status: d.status,
      startDate: d.startDate!.getTime(),
      stopDate: d.stopDate!.getTime(),
      input: d.input,
      inputDetails: { included: true },
      output: d.output ?? null,
      outputDetails: { included: true },
    },
  };
}

describe("GIVEN fixtures/report.ts (afterFlow: ingest, an event trigger, a schedule), its upstream fixtures/ingest.yaml and examples/train.yaml, deployed (ingest and report also to a second environment that shares their state machines)", () => {
  it("WHEN ingest runs and succeeds THEN report's and train's afterFlow rules match its Step Functions Execution Status Change event (not a FAILED one, nor another flow's), and report's target, given the transformed event, runs report with ingest's run id", async () => {
    // GIVEN a real upstream execution
    const up = await rig.trigger(INGEST, env);
    expect((await rig.wait(up.arn)).status).toBe("SUCCEEDED");
    const succeeded = await statusChange(up.arn);
    expect(succeeded.detail.status).toBe("SUCCEEDED");
    expect(succeeded.detail.stateMachineArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ingest`);
    expect(succeeded.detail.stateMachineAliasArn).toBe(alias("ingest"));
    const failed = { ...succeeded, detail: { ...succeeded.detail, name: "failed-run", status: "FAILED" } };
    const running = { ...succeeded, detail: { ...succeeded.detail, name: "running-run", status: "RUNNING", stopDate: null } };
    const otherFlow = { ...succeeded, detail: { ...succeeded.detail, name: "other-run", stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ingest-other` } };
    const sent = [failed, running, otherFlow, succeeded];

    // WHEN the deployed rules see these events THEN only the success of ingest matches
    const report = await rule(`e2e-report-${env}-after-ingest`);
    const train = await rule(`train-model-${env}-after-ingest`);
    for (const r of [report, train]) {
      const got = await matchedBy(rig.moto.clientConfig, r.pattern, sent);
      expect(got.map((e) => e.detail.name)).toEqual([up.runId]);
    }
    expect(train.target.Arn).toBe(alias("train-model"));

    // AND report's target, started with what its transformer makes of the delivered event, runs report
    expect(report.target).toMatchObject({ Arn: alias("e2e-report"), RoleArn: role("flowc-e2e-events") });
    const [delivered] = await matchedBy(rig.moto.clientConfig, report.pattern, [succeeded]);
    const input = targetInput(delivered!, report.target);
    // The mapping passes a template and the run context; flowc step expands it in every task.
    expect(JSON.parse(input)).toEqual({
      upstream: "{upstream.runId}",
      retries: "2",
      _flowc: { trigger: "after-ingest", scheduledTime: delivered!.time, upstream: { flow: "ingest", runId: up.runId }, templates: ["upstream"] },
    });
    const { ex, run } = await fire(report.target, input, `${env}-after-${up.runId.slice(-6)}`);
    expect(ex.status, `${ex.error}: ${ex.cause}`).toBe("SUCCEEDED");
    expect(run["start/_"]?.outputs).toEqual({ upstream: `${up.runId}\n`, file: "none\n", retries: "2\n" });
    expect(run["end/_"]?.stdout).toBe(`report after ${up.runId} for none\n`);
  }, 180_000);

  it("WHEN ingest succeeds in another environment sharing its state machine (or on the bare machine ARN) THEN report's rule in this environment does not match it, and that environment's own rule does", async () => {
    // GIVEN one real upstream run per environment, the same machine, told apart only by the alias
    const [here, there] = await Promise.all([rig.trigger(INGEST, env), rig.trigger(INGEST, other)]);
    const bare = await rig.sfn.send(new StartExecutionCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ingest`, name: `${env}-bare-${Date.now()}` }));
    rig.runIds.add(bare.executionArn!.split(":").pop()!);
    for (const arn of [here.arn, there.arn, bare.executionArn!]) expect((await rig.wait(arn)).status).toBe("SUCCEEDED");
    const events = [await statusChange(here.arn), await statusChange(there.arn), await statusChange(bare.executionArn!)];
    expect(new Set(events.map((e) => e.detail.stateMachineArn)).size).toBe(1);
    expect(events.map((e) => e.detail.stateMachineAliasArn)).toEqual([alias("ingest"), alias("ingest").replace(`:${env}`, `:${other}`), null]);

    // WHEN each environment's deployed afterFlow rule sees all three THEN it matches its own environment's run only
    const mine = await rule(`e2e-report-${env}-after-ingest`);
    const theirs = await rule(`e2e-report-${other}-after-ingest`);
    expect(mine.pattern).not.toBe(theirs.pattern);
    expect((await matchedBy(rig.moto.clientConfig, mine.pattern, events)).map((e) => e.detail.name)).toEqual([here.runId]);
    expect((await matchedBy(rig.moto.clientConfig, theirs.pattern, events)).map((e) => e.detail.name)).toEqual([there.runId]);
    expect(theirs.target.Arn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:e2e-report:${other}`);
  }, 180_000);

  it("WHEN ingest succeeds with --param day=2026-12-01 THEN fixtures/handoff.yaml (afterFlow: { flow: ingest, parameters: { day: \"{upstream.params.day}\" } }) runs with day=2026-12-01, ingest's own parameter, for the time ingest ended", async () => {
    // One meaning on both targets: {upstream.params.NAME} is the upstream run's parameter as that run
    // resolved it, read from the record its first task wrote (<flow>/<run>/context.json).
    const up = await rig.trigger(INGEST, env, { day: "2026-12-01" });
    expect((await rig.wait(up.arn)).status).toBe("SUCCEEDED");
    const event = await statusChange(up.arn);
    const handoff = await rule(`e2e-handoff-${env}-after-ingest`);
    const [delivered] = await matchedBy(rig.moto.clientConfig, handoff.pattern, [event]);
    expect(delivered, "the afterFlow rule matches ingest's success").toBeDefined();
    const input = targetInput(delivered!, handoff.target);
    const { ex, run } = await fire(handoff.target, input, `${env}-handoff-${up.runId.slice(-6)}`, "e2e-handoff");
    expect(ex.status, `${ex.error}: ${ex.cause}`).toBe("SUCCEEDED");
    expect(run["start/_"]?.outputs.day).toBe("2026-12-01\n");
    const context = JSON.parse((await rig.s3Files(`${env}/e2e-handoff/${env}-handoff-${up.runId.slice(-6)}`)).get("context.json")!.toString());
    expect(context).toMatchObject({ trigger: "after-ingest", scheduledTime: `${new Date(delivered!.time).toISOString().slice(0, 19)}Z`, upstream: { flow: "ingest", runId: up.runId }, params: { day: "2026-12-01" } });
  }, 180_000);

  it("WHEN a FileLanded event arrives THEN report's event rule matches it only for source e2e.app and bucket `landing`, and its target runs report with the file's key; train's event rule turns `detail.day` into its `day` parameter", async () => {
    const landed = (over: Partial<BusEvent> & { key: string; bucket?: string }): BusEvent => ({
      source: over.source ?? "e2e.app",
      "detail-type": over["detail-type"] ?? "FileLanded",
      detail: { bucket: over.bucket ?? "landing", key: over.key },
    });
    const report = await rule(`e2e-report-${env}-event-1`);
    const got = await matchedBy(rig.moto.clientConfig, report.pattern, [
      landed({ key: "elsewhere.csv", bucket: "other" }),
      landed({ key: "other-source.csv", source: "other.app" }),
      landed({ key: "deleted.csv", "detail-type": "FileDeleted" }),
      landed({ key: "2026/11/29/sales.csv" }),
    ]);
    expect(got.map((e) => e.detail.key)).toEqual(["2026/11/29/sales.csv"]);
    const input = targetInput(got[0]!, report.target);
    expect(JSON.parse(input)).toEqual({ file: "2026/11/29/sales.csv", _flowc: { trigger: "event-1", scheduledTime: got[0]!.time } });
    const { ex, run } = await fire(report.target, input, `${env}-landed-${Date.now()}`);
    expect(ex.status, `${ex.error}: ${ex.cause}`).toBe("SUCCEEDED");
    expect(run["start/_"]?.outputs).toEqual({ upstream: "none\n", file: "2026/11/29/sales.csv\n", retries: "0\n" });

    // examples/train.yaml: event { source: [my.app], detailType: [FileLanded], parameters: { day: $.detail.day } }
    const train = await rule(`train-model-${env}-event-1`);
    const day: BusEvent = { source: "my.app", "detail-type": "FileLanded", detail: { day: "2026-11-30" } };
    const matched = await matchedBy(rig.moto.clientConfig, train.pattern, [{ ...day, source: "e2e.app" }, day]);
    expect(matched.map((e) => e.source)).toEqual(["my.app"]);
    expect(JSON.parse(targetInput(matched[0]!, train.target))).toEqual({ day: "2026-11-30", _flowc: { trigger: "event-1", scheduledTime: matched[0]!.time } });
    expect(train.target).toMatchObject({ Arn: alias("train-model"), RoleArn: role("flowc-e2e-events") });
  }, 180_000);

  it("WHEN the schedules are read back THEN each targets its alias with the run context as input and the scheduler role, in the flow's time zone, with the flow's cron; and report's target starts a run with the defaults", async () => {
    const get = (flow: string) => rig.scheduler.send(new GetScheduleCommand({ Name: `${flow}-${env}`, GroupName: "default" }));
    const report = await get("e2e-report");
    expect(report).toMatchObject({
      ScheduleExpression: "cron(30 6 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Amsterdam",
      State: "ENABLED",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: alias("e2e-report"), RoleArn: role("flowc-e2e-scheduler"), Input: SCHEDULED_INPUT },
    });
    expect(sameFires("30 6 * * 1-5", report.ScheduleExpression!, report.ScheduleExpressionTimezone!)).toBe(true);
    const train = await get("train-model");
    expect(train).toMatchObject({
      ScheduleExpression: "cron(0 6 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Amsterdam",
      Target: { Arn: alias("train-model"), Input: '{"day":"{date}","_flowc":{"trigger":"schedule","scheduledTime":"<aws.scheduler.scheduled-time>","templates":["day"]}}' },
    });
    expect(sameFires("0 6 * * 1-5", train.ScheduleExpression!, train.ScheduleExpressionTimezone!)).toBe(true);

    // Scheduler fills in the tick; report ran as its 06:30 Amsterdam run of 4 December.
    const tick = report.Target!.Input!.replace("<aws.scheduler.scheduled-time>", "2026-12-04T05:30:00Z");
    const { ex, run } = await fire(report.Target! as Target, tick, `${env}-scheduled-${Date.now()}`);
    expect(ex.status, `${ex.error}: ${ex.cause}`).toBe("SUCCEEDED");
    expect(run["start/_"]?.outputs).toEqual({ upstream: "none\n", file: "none\n", retries: "0\n" });
  }, 180_000);
});

// ---------------------------------------------------------------------------------------------------

/** Two starting points: the spring and the autumn DST changes (EU last Sundays; US, Sydney nearby). */
const FROM = [new Date("2026-03-25T00:00:00Z"), new Date("2026-10-21T00:00:00Z")];

function parserFires(unix: string, tz: string, from: Date): string[] {
  const it = CronExpressionParser.parse(unix, { tz, currentDate: from });
  return Array.from({ length: 10 }, () => it.next().toDate().toISOString());
}

function sameFires(unix: string, aws: string, tz: string): boolean {
  for (const from of FROM) expect(awsCronFires(aws, tz, from, 10).map((d) => d.toISOString())).toEqual(parserFires(unix, tz, from));
  return true;
}

const CRONS: { cron: string; tz?: string; aws: string }[] = [
  { cron: "*/15 9-17 * * 1-5", tz: "America/New_York", aws: "cron(0/15 9-17 ? * MON-FRI *)" },
  { cron: "0 12 1,15 * *", aws: "cron(0 12 1,15 * ? *)" },
  { cron: "5 4 * * 7", tz: "Asia/Tokyo", aws: "cron(5 4 ? * SUN *)" },
  { cron: "0 9 * * 5-7", tz: "Australia/Sydney", aws: "cron(0 9 ? * FRI,SAT,SUN *)" },
  { cron: "0 9 * * 1#2", tz: "Europe/London", aws: "cron(0 9 ? * 2#2 *)" },
  { cron: "30 18 * * 5L", tz: "Europe/Amsterdam", aws: "cron(30 18 ? * 6L *)" },
  { cron: "0 0 L * *", aws: "cron(0 0 L * ? *)" },
  { cron: "0 */4 * 1-6 *", tz: "Europe/Amsterdam", aws: "cron(0 0/4 * 1-6 ? *)" },
  { cron: "0 0 */2 * *", aws: "cron(0 0 1/2 * ? *)" },
  { cron: "@daily", tz: "Asia/Kolkata", aws: "cron(0 0 * * ? *)" },
];

describe("GIVEN flows with schedules, deployed", () => {
  const deployed = new Map<string, Promise<void>>();
  const flowFor = (i: number) => `e2e-cron-${i}`;
  beforeAll(async () => {
    // One small flow per schedule (a flow has one), deployed side by side.
    await Promise.all(
      CRONS.map(async (c, i) => {
        const file = join(rig.dir, `${flowFor(i)}.yaml`);
        writeFileSync(
          file,
          [
            "apiVersion: flowc/v1",
            `name: ${flowFor(i)}`,
            `schedule: { cron: ${JSON.stringify(c.cron)}${c.tz ? `, timezone: ${c.tz}` : ""} }`,
            "steps:",
            "  start: { command: [\"true\"], next: end }",
            "  end: { command: [\"true\"] }",
            "",
          ].join("\n"),
        );
        deployed.set(flowFor(i), rig.deployOnly(file, env).then(() => undefined));
      }),
    );
    await Promise.all(deployed.values());
  }, 180_000);

  it.each(CRONS.map((c, i) => [c.cron, c.tz ?? "UTC", c.aws, i] as const))(
    "WHEN a flow asks for %s in %s THEN its schedule is %s in that time zone, and the next 10 fire times (from before spring and autumn DST changes) are cron-parser's",
    async (cron, tz, aws, i) => {
      const s = await rig.scheduler.send(new GetScheduleCommand({ Name: `${flowFor(i)}-${env}`, GroupName: "default" }));
      expect(s.ScheduleExpression).toBe(aws);
      expect(s.ScheduleExpressionTimezone).toBe(tz);
      expect(s.Target).toMatchObject({ Arn: alias(flowFor(i)), Input: SCHEDULED_INPUT });
      expect(sameFires(cron, s.ScheduleExpression!, s.ScheduleExpressionTimezone!)).toBe(true);
    },
  );
});
