// flowc deploy / diff --target sfn against moto: create, no-op with zero writes, updates of the
// definition, schedule and triggers (added, changed, removed), dry-run, bad input, ownership.
import { beforeAll, describe, expect, it } from "vitest";
import { DescribeStateMachineAliasCommand, DescribeStateMachineCommand, ListTagsForResourceCommand } from "@aws-sdk/client-sfn";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { DescribeRuleCommand, ListTargetsByRuleCommand, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand } from "@aws-sdk/client-scheduler";
import { ownerToken } from "../../../src/deploy/ownership.ts";
import { ACCOUNT, REGION, danglingTargets, fixture, flowc, objectExists, project, recordCalls, rewriteFlow, snapshot, writeFlow, writes, type Project, machineArn, useLocalAws } from "./helpers.ts";

const aws = useLocalAws();
const SFN = ["--target", "sfn", "--env", "test"];

describe("GIVEN a flow never deployed", () => {
  let p: Project;
  let flow: { file: string; name: string };
  beforeAll(async () => {
    p = await project(aws.endpoint);
    flow = writeFlow(p, fixture("nightly-report.yaml"));
  });

  it("WHEN diffed THEN everything shows as to be created, states by name, and the exit code is 1", async () => {
    const r = await flowc(p, ["diff", flow.file, ...SFN]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`+ create state-machine ${flow.name}`);
    expect(r.stdout).toMatch(/\+ state aggregate: \{"Type":"Task"/);
    expect(r.stdout).toContain(`+ create schedule default/${flow.name}-test`);
    const json = JSON.parse((await flowc(p, ["diff", flow.file, ...SFN, "--format", "json"])).stdout);
    expect(json.changed).toBe(true);
    expect(json.actions.map((a: { op: string; kind: string }) => `${a.op} ${a.kind}`)).toEqual([
      "create datastore-object",
      "create role-policy",
      "create state-machine",
      "create version",
      "create alias",
      "create schedule",
    ]);
  });

  it("WHEN deployed with --dry-run THEN the plan is printed and no write call is made", async () => {
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN, "--dry-run"]));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("8 to create".replace("8", "6"));
    expect(result.stdout).toContain("Dry run: no changes were made (0 write calls)");
    expect(calls.length).toBeGreaterThan(0);
    expect(writes(calls)).toEqual([]);
    expect(await snapshot(p, flow.name, ["test"])).toEqual({ test: {} });
  });

  it("WHEN deployed THEN machine, version 1, alias, schedule on the alias, spec and policy exist, tagged, and the console link is printed", async () => {
    const r = await flowc(p, ["deploy", flow.file, ...SFN]);
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Deployed");
    expect(r.stdout).toContain("version 1");
    expect(r.stdout).toMatch(/Console: https:\/\/us-east-1\.console\.aws\.amazon\.com\/states\/home\?region=us-east-1#\/aliases\/view\/arn%3Aaws%3Astates/);

    const m = await p.aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn(flow.name) }));
    expect(JSON.parse(m.definition!).States.aggregate.Type).toBe("Task");
    const tags = Object.fromEntries(((await p.aws.sfn.send(new ListTagsForResourceCommand({ resourceArn: machineArn(flow.name) }))).tags ?? []).map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({
      "flowc.dev/managed-by": "flowc",
      "flowc.dev/flow": flow.name,
      "flowc.dev/env": "test",
      "flowc.dev/flowc-version": expect.any(String),
      "flowc.dev/hash": expect.stringMatching(/^[0-9a-f]{64}$/),
      "flowc.dev/owner": expect.stringMatching(/^[0-9a-f]{16}$/),
      team: "recs",
      "cost-center": "4711",
    });
    const alias = await p.aws.sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${machineArn(flow.name)}:test` }));
    expect(alias.routingConfiguration).toEqual([{ stateMachineVersionArn: `${machineArn(flow.name)}:1`, weight: 100 }]);
    const s = await p.aws.scheduler.send(new GetScheduleCommand({ Name: `${flow.name}-test`, GroupName: "default" }));
    expect(s.Target?.Arn).toBe(`${machineArn(flow.name)}:test`);
    expect(s.ScheduleExpression).toBe("cron(30 2 * * ? *)");
    expect(s.ScheduleExpressionTimezone).toBe("Europe/Berlin");
    expect(s.Description).toMatch(/\[flowc\.dev flow=\S+ env=test owner=[0-9a-f]{16}\]$/);
    expect(await objectExists(p, `test/${JSON.parse(m.definition!).States.Context.Parameters.env.find((e: { Name: string }) => e.Name === "FLOWC_SPEC").Value}`)).toBe(true);
    expect(await danglingTargets(p, flow.name, ["test"])).toEqual([]);
  });

  it("WHEN deployed again with no change THEN zero write calls are made and it says so; diff exits 0", async () => {
    const before = await snapshot(p, flow.name, ["test"]);
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(0);
    expect(writes(calls)).toEqual([]);
    expect(result.stdout).toContain("No changes");
    expect(result.stdout).toContain("Nothing to do: made 0 write calls.");
    expect(await snapshot(p, flow.name, ["test"])).toEqual(before);
    const json = JSON.parse((await flowc(p, ["deploy", flow.file, ...SFN, "--format", "json"])).stdout);
    expect(json).toMatchObject({ writes: 0, changed: false, version: "1" });
    expect(json.calls.writes).toBe(0);
    const d = await flowc(p, ["diff", flow.file, ...SFN]);
    expect([d.code, d.stdout.trim()]).toEqual([0, `No changes: ${flow.name} (test, sfn) is up to date.`]);
  });
});

describe("GIVEN a deployed flow WHEN it changes", () => {
  let p: Project;
  let flow: { file: string; name: string };
  const base = fixture("nightly-report.yaml");
  const deploy = async () => {
    const r = await flowc(p, ["deploy", flow.file, ...SFN]);
    expect(r.stderr + r.stdout).not.toMatch(/^flowc: /m);
    expect(r.code).toBe(0);
    return r;
  };
  beforeAll(async () => {
    p = await project(aws.endpoint);
    flow = writeFlow(p, base);
    await deploy();
  });

  it("WHEN a step's timeout and retries change THEN diff shows those fields of that state, and deploy publishes version 2 and moves the alias", async () => {
    rewriteFlow(p, flow, base.replace("    resources: { cpu: 2, memory: 8Gi }", "    resources: { cpu: 2, memory: 8Gi }\n    timeout: 45m\n    retry: { times: 5, backoff: { delay: 5s, factor: 2 } }"));
    const d = await flowc(p, ["diff", flow.file, ...SFN]);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`~ update state-machine ${flow.name}`);
    expect(d.stdout).toContain("~ state aggregate: TimeoutSeconds: 1200 → 2700");
    expect(d.stdout).toMatch(/~ state aggregate: Retry\[1\]\.MaxAttempts: 2 → 5/);
    expect(d.stdout).toContain("~ update alias");
    expect(d.stdout).not.toMatch(/state start:/);
    const json = JSON.parse((await flowc(p, ["diff", flow.file, ...SFN, "--format", "json"])).stdout);
    const sm = json.actions.find((a: { kind: string }) => a.kind === "state-machine");
    expect(sm.changes).toContainEqual({ op: "changed", path: ["states", "aggregate", "TimeoutSeconds"], before: 1200, after: 2700 });

    const r = await deploy();
    expect(r.stdout).toContain("version 2");
    const alias = await p.aws.sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${machineArn(flow.name)}:test` }));
    expect(alias.routingConfiguration?.[0]?.stateMachineVersionArn).toBe(`${machineArn(flow.name)}:2`);
    expect((await flowc(p, ["diff", flow.file, ...SFN])).code).toBe(0);
  });

  it("WHEN the schedule changes THEN the schedule is updated in place (same name, still on the alias)", async () => {
    const changed = base.replace('schedule: { cron: "30 2 * * *", timezone: Europe/Berlin }', 'schedule: { cron: "0 4 * * 1-5", timezone: America/New_York }');
    rewriteFlow(p, flow, changed.replace("    resources: { cpu: 2, memory: 8Gi }", "    resources: { cpu: 2, memory: 8Gi }\n    timeout: 45m\n    retry: { times: 5, backoff: { delay: 5s, factor: 2 } }"));
    const d = await flowc(p, ["diff", flow.file, ...SFN]);
    expect(d.stdout).toContain(`~ update schedule default/${flow.name}-test`);
    expect(d.stdout).toContain('~ ScheduleExpression: "cron(30 2 * * ? *)" → "cron(0 4 ? * MON-FRI *)"');
    expect(d.stdout).toContain('~ ScheduleExpressionTimezone: "Europe/Berlin" → "America/New_York"');
    const { calls } = await recordCalls(deploy);
    // The schedule is part of the flow, so the spec (and the key the definition names) changes too.
    const ops = writes(calls).map((c) => c.operation);
    expect(ops).toContain("UpdateSchedule");
    expect(ops).not.toContain("CreateSchedule");
    expect(ops).not.toContain("DeleteSchedule");
    expect(ops.indexOf("UpdateStateMachineAlias")).toBeLessThan(ops.indexOf("UpdateSchedule"));
    const s = await p.aws.scheduler.send(new GetScheduleCommand({ Name: `${flow.name}-test`, GroupName: "default" }));
    expect([s.ScheduleExpression, s.ScheduleExpressionTimezone, s.Target?.Arn]).toEqual(["cron(0 4 ? * MON-FRI *)", "America/New_York", `${machineArn(flow.name)}:test`]);
  });

  it("WHEN the schedule is removed THEN the schedule is deleted; WHEN a trigger is added THEN its rule targets the alias", async () => {
    const noSchedule = base.replace(/^schedule: .*\n/m, "").replace("tags: { cost-center", 'triggers:\n  - event: { source: [acme.sales], detailType: [DayClosed], parameters: { region: $.detail.region } }\ntags: { cost-center');
    rewriteFlow(p, flow, noSchedule);
    const d = await flowc(p, ["diff", flow.file, ...SFN]);
    expect(d.stdout).toContain(`- delete schedule default/${flow.name}-test (the flow has no schedule any more)`);
    expect(d.stdout).toContain(`+ create rule ${flow.name}-test-event-1`);
    await deploy();
    expect(await snapshot(p, flow.name, ["test"])).toMatchObject({ test: { [`rule FLOW-test-event-1`]: { state: "ENABLED", targets: [{ Id: "flowc", Arn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:FLOW:test` }] } } });
    const snap = (await snapshot(p, flow.name, ["test"])) as { test: Record<string, unknown> };
    expect(Object.keys(snap.test).filter((k) => k.startsWith("schedule"))).toEqual([]);
    const rule = await p.aws.events.send(new DescribeRuleCommand({ Name: `${flow.name}-test-event-1` }));
    expect(JSON.parse(rule.EventPattern!)).toEqual({ source: ["acme.sales"], "detail-type": ["DayClosed"] });
    const targets = await p.aws.events.send(new ListTargetsByRuleCommand({ Rule: `${flow.name}-test-event-1` }));
    expect(targets.Targets?.[0]?.InputTransformer).toEqual({
      InputPathsMap: { region: "$.detail.region", FlowcTime: "$.time" },
      InputTemplate: '{"region":<region>,"_flowc":{"trigger":"event-1","scheduledTime":<FlowcTime>}}',
    });
    expect(await danglingTargets(p, flow.name, ["test"])).toEqual([]);
  });

  it("WHEN the trigger is removed THEN its rule is deleted, and a rule flowc did not create is left alone", async () => {
    // Someone else's rule, named like flowc's and targeting the same alias.
    await p.aws.events.send(new PutRuleCommand({ Name: `${flow.name}-test-theirs`, EventPattern: JSON.stringify({ source: ["x"] }) }));
    rewriteFlow(p, flow, base.replace(/^schedule: .*\n/m, ""));
    const d = await flowc(p, ["diff", flow.file, ...SFN]);
    expect(d.stdout).toContain(`- delete rule ${flow.name}-test-event-1 (trigger removed from the flow)`);
    expect(d.stdout).not.toContain("theirs");
    await deploy();
    const snap = (await snapshot(p, flow.name, ["test"])) as { test: Record<string, unknown> };
    expect(Object.keys(snap.test).filter((k) => k.startsWith("rule"))).toEqual(["rule FLOW-test-theirs"]);
    const again = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(writes(again.calls)).toEqual([]);
  });
});

describe("GIVEN bad input", () => {
  let p: Project;
  beforeAll(async () => {
    p = await project(aws.endpoint);
  });

  it("WHEN the flow is invalid THEN deploy prints file:line:col with the code, exits 1, and makes no AWS call at all", async () => {
    const flow = writeFlow(p, fixture("nightly-report.yaml").replace("    next: end\n  end:", "    next: ending\n  end:"));
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/flow\.yaml:\d+:\d+: error UNKNOWN_TARGET: /);
    expect(result.stderr).toContain("nothing was deployed or changed");
    expect(calls).toEqual([]);
    const d = await flowc(p, ["diff", flow.file, ...SFN]);
    expect(d.code).toBe(2);
  });

  it("WHEN the flow has a schedule but the environment no scheduler role THEN it is a config error before any call", async () => {
    const q = await project(aws.endpoint, [{ name: "test" }]);
    const text = (await import("node:fs")).readFileSync(`${q.dir}/flowc.config.yaml`, "utf8").replace(/ {6}schedulerRoleArn: .*\n/, "");
    (await import("node:fs")).writeFileSync(`${q.dir}/flowc.config.yaml`, text);
    const flow = writeFlow(q, fixture("nightly-report.yaml"));
    const { result, calls } = await recordCalls(() => flowc(q, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/flow\.yaml:\d+:\d+: error CONFIG_INVALID: the flow has a schedule, but environment `test` sets no `sfn.schedulerRoleArn`/);
    expect(calls).toEqual([]);
  });

  it("WHEN the datastore bucket does not exist THEN the deploy stops at its first write and nothing is deployed", async () => {
    const q = await project(aws.endpoint, [{ name: "test", datastore: "s3://flowc-no-such-bucket-x1/data" }]);
    const flow = writeFlow(q, fixture("nightly-report.yaml"));
    const { result, calls } = await recordCalls(() => flowc(q, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error DEPLOY_PRECONDITION: the datastore bucket `flowc-no-such-bucket-x1` does not exist");
    expect(writes(calls).map((c) => c.operation)).toEqual(["PutObject"]);
    expect(await snapshot(q, flow.name, ["test"])).toEqual({ test: {} });
  });

  it("WHEN a resource with the schedule's name exists but flowc did not create it THEN deploy refuses before writing", async () => {
    const flow = writeFlow(p, fixture("nightly-report.yaml"));
    await p.aws.scheduler.send(
      new CreateScheduleCommand({ Name: `${flow.name}-test`, GroupName: "default", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: "arn:aws:sqs:us-east-1:123456789012:q", RoleArn: "arn:aws:iam::123456789012:role/x" } }),
    );
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error DEPLOY_REFUSED: nothing was changed: schedule default/${flow.name}-test exists but was not created by flowc`);
    expect(writes(calls)).toEqual([]);
  });
});

describe("GIVEN a flow deployed by one owner", () => {
  let p: Project;
  let flow: { file: string; name: string };
  beforeAll(async () => {
    p = await project(aws.endpoint);
    flow = writeFlow(p, fixture("fanout-scoring.yaml"));
    const r = await flowc(p, ["deploy", flow.file, ...SFN, "--owner", "team-a"]);
    expect(r.code).toBe(0);
  });

  it("WHEN another owner deploys a change THEN it is refused with no write, naming the token to authorize", async () => {
    rewriteFlow(p, flow, fixture("fanout-scoring.yaml").replace("parallelism: 4", "parallelism: 8"));
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN, "--owner", "team-b"]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error DEPLOY_REFUSED: nothing was changed: state machine ${flow.name}: this deployment belongs to another owner (token ${ownerToken("team-a")})`);
    expect(result.stderr).toContain(`hint: if you mean to take it over, rerun with --authorize ${ownerToken("team-a")}`);
    expect(writes(calls)).toEqual([]);
    // FLOWC_OWNER is the same as --owner.
    const viaEnv = await flowc(p, ["deploy", flow.file, ...SFN], { FLOWC_OWNER: "team-b" });
    expect(viaEnv.code).toBe(1);
  });

  it("WHEN the same owner deploys THEN it goes through", async () => {
    rewriteFlow(p, flow, fixture("fanout-scoring.yaml"));
    const r = await flowc(p, ["deploy", flow.file, ...SFN], { FLOWC_OWNER: "team-a" });
    expect([r.code, r.stdout]).toEqual([0, expect.stringContaining("No changes")]);
  });

  it("WHEN the other owner passes --authorize with the owner's token THEN it takes the deployment over", async () => {
    rewriteFlow(p, flow, fixture("fanout-scoring.yaml").replace("parallelism: 4", "parallelism: 8"));
    const r = await flowc(p, ["deploy", flow.file, ...SFN, "--owner", "team-b", "--authorize", ownerToken("team-a")]);
    expect(r.code).toBe(0);
    const tags = Object.fromEntries(((await p.aws.sfn.send(new ListTagsForResourceCommand({ resourceArn: machineArn(flow.name) }))).tags ?? []).map((t) => [t.key, t.value]));
    expect(tags["flowc.dev/owner"]).toBe(ownerToken("team-b"));
    const snap = (await snapshot(p, flow.name, ["test"])) as { test: Record<string, { tags: Record<string, string> }> };
    expect(Object.values(snap.test).filter((v) => v.tags).map((v) => v.tags["flowc.dev/owner"])).toEqual([ownerToken("team-b"), ownerToken("team-b")]);
    const a = await flowc(p, ["deploy", flow.file, ...SFN, "--owner", "team-a"]);
    expect(a.code).toBe(1);
  });
});

describe("GIVEN logging and tracing in the environment's configuration", () => {
  it("WHEN deployed THEN the machine has them; a redeploy writes nothing; turning tracing off updates the machine's settings and policy, no version", async () => {
    const extra = "logging: { logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/flowc/runs:*', level: ALL, includeExecutionData: true }\ntracing: true";
    const p = await project(aws.endpoint, [{ name: "test", extra }]);
    const flow = writeFlow(p, fixture("ab-release.yaml"));
    expect((await flowc(p, ["deploy", flow.file, ...SFN])).code).toBe(0);
    const m = await p.aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn(flow.name) }));
    expect(m.loggingConfiguration).toEqual({ level: "ALL", includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: "arn:aws:logs:us-east-1:123456789012:log-group:/flowc/runs:*" } }] });
    expect(m.tracingConfiguration).toEqual({ enabled: true });
    expect(writes((await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]))).calls)).toEqual([]);

    const { readFileSync, writeFileSync } = await import("node:fs");
    writeFileSync(`${p.dir}/flowc.config.yaml`, readFileSync(`${p.dir}/flowc.config.yaml`, "utf8").replace("tracing: true", "tracing: false"));
    const d = await flowc(p, ["diff", flow.file, ...SFN]);
    expect(d.stdout).toContain("~ tracing: true → false");
    const { calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    // The role's policy loses its X-Ray statement; the definition is the same, so no new version.
    expect(writes(calls).map((c) => c.operation)).toEqual(["PutRolePolicy", "UpdateStateMachine"]);
  });
});
