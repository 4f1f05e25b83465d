// Flows written for these tests only (test/deploy/sfn/fixtures): each is deployed, redeployed with
// zero writes, checked for what it should have created, and deleted without a trace.
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { DescribeStateMachineCommand } from "@aws-sdk/client-sfn";
import { ACCOUNT, FIXTURES, REGION, danglingTargets, fixture, flowc, localAws, objectExists, project, recordCalls, snapshot, writeFlow, writes, type LocalAws, type Project } from "./helpers.ts";

let aws: LocalAws;
let p: Project;
beforeAll(async () => {
  aws = await localAws();
  p = await project(aws.endpoint);
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

const SFN = ["--target", "sfn", "--env", "test"];
const files = readdirSync(FIXTURES).filter((f) => /\.(ya?ml|ts)$/.test(f)).sort();

/** What each fixture must create besides the machine and alias. */
const EXPECT: Record<string, { schedule: boolean; rules: number; codePackage: boolean }> = {
  "ab-release.yaml": { schedule: true, rules: 0, codePackage: false },
  "fanout-scoring.yaml": { schedule: false, rules: 2, codePackage: false },
  "invoice-sync.ts": { schedule: true, rules: 0, codePackage: true },
  "nightly-report.yaml": { schedule: true, rules: 0, codePackage: false },
};

describe.each(files)("GIVEN the flow %s, new to flowc", (file) => {
  let flow: { file: string; name: string };
  beforeAll(() => {
    flow = writeFlow(p, fixture(file), file);
  });

  it("WHEN deployed THEN it creates what the flow says, all aimed at the alias; a redeploy writes nothing; diff exits 0", async () => {
    const want = EXPECT[file]!;
    expect(want).toBeDefined();
    const r = await flowc(p, ["deploy", flow.file, ...SFN]);
    expect(r.stderr).not.toMatch(/^flowc: /m);
    expect(r.code).toBe(0);
    const snap = (await snapshot(p, flow.name, ["test"])) as { machine: { aliases: Record<string, unknown> }; test: Record<string, unknown> };
    expect(Object.keys(snap.machine.aliases)).toEqual(["test"]);
    expect(Object.keys(snap.test).filter((k) => k.startsWith("schedule")).length).toBe(want.schedule ? 1 : 0);
    expect(Object.keys(snap.test).filter((k) => k.startsWith("rule")).length).toBe(want.rules);
    expect(await danglingTargets(p, flow.name, ["test"])).toEqual([]);

    const m = await p.aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${flow.name}` }));
    const specKey = JSON.parse(m.definition!).States.Context.Parameters.env.find((e: { Name: string }) => e.Name === "FLOWC_SPEC").Value as string;
    expect(await objectExists(p, `test/${specKey}`)).toBe(true);
    const spec = JSON.parse(await (await p.aws.s3.send(new GetObjectCommand({ Bucket: p.bucket, Key: `test/${specKey}` }))).Body!.transformToString());
    expect(spec.flow.name).toBe(flow.name);
    if (want.codePackage) {
      expect(spec.package).toMatch(/^packages\/[0-9a-f]{64}\.mjs$/);
      expect(await objectExists(p, `test/${spec.package}`)).toBe(true);
    } else expect(spec.package).toBeUndefined();

    const again = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(again.result.code).toBe(0);
    expect(writes(again.calls)).toEqual([]);
    expect((await flowc(p, ["diff", flow.file, ...SFN])).code).toBe(0);
  });

  it("WHEN deleted THEN nothing of it is left, and deleting again writes nothing", async () => {
    const r = await flowc(p, ["delete", flow.file, ...SFN]);
    expect(r.code).toBe(0);
    expect(await snapshot(p, flow.name, ["test"])).toEqual({ test: {} });
    const again = await recordCalls(() => flowc(p, ["delete", flow.file, ...SFN]));
    expect(writes(again.calls)).toEqual([]);
  });
});
