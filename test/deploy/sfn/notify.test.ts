// Notifications deployed to Step Functions on moto (docs/operating.md, "Notifications"): the rules,
// the webhook's connection and API destination, the targets naming its real ARN; a redeploy writes
// nothing; a changed URL replaces the destination after the rule moved; delete removes them all. The
// deployed rule's pattern is run through EventBridge's matcher (moto's) on this flow's events.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DescribeApiDestinationCommand, DescribeConnectionCommand, DescribeRuleCommand, ListApiDestinationsCommand, ListConnectionsCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { matchedBy } from "../../e2e/events.ts";
import { ACCOUNT, REGION, flowc, project, recordCalls, writeFlow, writes, type Project, useLocalAws } from "./helpers.ts";

const aws = useLocalAws();
const SFN = ["--target", "sfn", "--env", "test"];
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:data-alerts`;
const HOOK = "https://hooks.example.com/services/T000/B000/first";
const FLOW = `apiVersion: flowc/v1
name: nightly
steps:
  start: { command: [a], next: end }
  end: { command: [b] }
`;

const notifyYaml = (url: string) => `notify: { onFailure: [{ sns: "${TOPIC}" }, { webhook: "${url}" }], onSuccess: [{ sns: "${TOPIC}" }] }`;

describe("GIVEN an environment that notifies an SNS topic and a webhook", () => {
  let p: Project;
  let flow: { file: string; name: string };
  const rule = (outcome: string) => `${flow.name}-test-notify-${outcome}`;
  const hooks = async () => (await p.aws.events.send(new ListApiDestinationsCommand({ NamePrefix: `${flow.name}-test-hook-` }))).ApiDestinations ?? [];
  const connections = async () => (await p.aws.events.send(new ListConnectionsCommand({ NamePrefix: `${flow.name}-test-hook-` }))).Connections ?? [];
  const setUrl = (url: string) => {
    const f = join(p.dir, "flowc.config.yaml");
    writeFileSync(f, readFileSync(f, "utf8").replace(/notify: .*/, notifyYaml(url)));
  };

  beforeAll(async () => {
    p = await project(aws.endpoint, [{ name: "test", envExtra: notifyYaml(HOOK) }]);
    flow = writeFlow(p, FLOW);
  });

  it("WHEN deployed THEN a rule per outcome exists, and the failure rule's targets are the topic and the webhook's API destination", async () => {
    const dry = await flowc(p, ["deploy", flow.file, ...SFN, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`+ create rule ${rule("failure")}`);
    expect(dry.stdout).toMatch(/\+ create api-destination \S+-test-hook-[0-9a-f]{8}/);
    // The URL's path is its token: the plan shows the host and a hash.
    expect(dry.stdout + dry.stderr).not.toContain("/services/T000");

    const r = await flowc(p, ["deploy", flow.file, ...SFN]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("/services/T000");
    expect(r.stdout + r.stderr).toContain(`it needs the eventsRolePolicy statement of ${flow.name}.notify.json`);
    const [dest, ...more] = await hooks();
    expect(more).toEqual([]);
    const described = await p.aws.events.send(new DescribeApiDestinationCommand({ Name: dest!.Name! }));
    expect(described).toMatchObject({ InvocationEndpoint: HOOK, HttpMethod: "POST", Description: `flowc: notifications of ${flow.name} (test)` });
    const conn = await p.aws.events.send(new DescribeConnectionCommand({ Name: dest!.Name! }));
    expect(described.ConnectionArn).toBe(conn.ConnectionArn);
    const targets = (await p.aws.events.send(new ListTargetsByRuleCommand({ Rule: rule("failure") }))).Targets ?? [];
    expect(targets.map((t) => t.Arn)).toEqual([TOPIC, dest!.ApiDestinationArn]);
    expect(targets[1]!.RoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/flowc-events`);
    expect(((await p.aws.events.send(new ListTargetsByRuleCommand({ Rule: rule("success") }))).Targets ?? []).map((t) => t.Arn)).toEqual([TOPIC]);
  });

  it("WHEN deployed again THEN nothing is written and diff exits 0", async () => {
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code, result.stderr).toBe(0);
    expect(writes(calls).map((c) => c.operation)).toEqual([]);
    expect((await flowc(p, ["diff", flow.file, ...SFN])).code).toBe(0);
  });

  it("WHEN this flow's run fails in this environment THEN the deployed failure rule matches it; not a success, another environment's run, or another flow's", async () => {
    const pattern = (await p.aws.events.send(new DescribeRuleCommand({ Name: rule("failure") }))).EventPattern!;
    const machine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${flow.name}`;
    const event = (status: string, alias: string, m = machine) => ({
      source: "aws.states",
      "detail-type": "Step Functions Execution Status Change",
      detail: { status, name: `${status}-${alias}`, stateMachineArn: m, stateMachineAliasArn: `${m}:${alias}`, executionArn: `${m}:x` },
    });
    const config = { endpoint: aws.endpoint, region: REGION, credentials: { accessKeyId: "test", secretAccessKey: "test" }, forcePathStyle: true };
    const got = await matchedBy(config, pattern, [event("FAILED", "test"), event("TIMED_OUT", "test"), event("SUCCEEDED", "test"), event("FAILED", "prod"), event("FAILED", "test", `${machine}-other`)]);
    expect(got.map((e) => e.detail.name).sort()).toEqual(["FAILED-test", "TIMED_OUT-test"]);
  });

  it("WHEN the webhook's URL changes THEN a new destination is created, the rule moves to it, and the old one goes last", async () => {
    const [old] = await hooks();
    setUrl("https://hooks.example.com/services/T000/B000/second");
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code, result.stderr).toBe(0);
    const ops = writes(calls).map((c) => c.operation);
    expect(ops.indexOf("CreateApiDestination")).toBeLessThan(ops.indexOf("PutTargets"));
    expect(ops.indexOf("PutTargets")).toBeLessThan(ops.indexOf("DeleteApiDestination"));
    const now = await hooks();
    expect(now.map((h) => h.Name)).not.toContain(old!.Name);
    expect(now).toHaveLength(1);
    expect((await connections()).map((c) => c.Name)).toEqual([now[0]!.Name]);
    const targets = (await p.aws.events.send(new ListTargetsByRuleCommand({ Rule: rule("failure") }))).Targets ?? [];
    expect(targets[1]!.Arn).toBe(now[0]!.ApiDestinationArn);
  });

  it("WHEN the flow is deleted THEN its notification rules, API destination and connection go too", async () => {
    const r = await flowc(p, ["delete", flow.file, ...SFN]);
    expect(r.code, r.stderr).toBe(0);
    expect(await hooks()).toEqual([]);
    expect(await connections()).toEqual([]);
    await expect(p.aws.events.send(new DescribeRuleCommand({ Name: rule("failure") }))).rejects.toThrow();
  });
});
