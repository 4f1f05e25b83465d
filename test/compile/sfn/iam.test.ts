import { describe, expect, it } from "vitest";
import { UNSCOPABLE_ACTIONS, type Statement } from "../../../src/compile/sfn/iam.ts";
import { compileFile, compileText, EXAMPLES, file, testEnv } from "./helpers.ts";

const policy = (r: Awaited<ReturnType<typeof compileFile>>) => JSON.parse(file(r, ".iam.json")!.content) as { Version: string; Statement: Statement[] };

describe("GIVEN every example in every test environment", () => {
  it.each(["prod", "inline", "fargate", "china"])("WHEN the %s policy is generated THEN no action is a wildcard and every resource is scoped to this flow", async (env) => {
    for (const f of EXAMPLES) {
      const r = await compileFile(f, testEnv(env));
      if (!r.files.length) continue;
      const p = policy(r);
      const e = testEnv(env);
      const flow = r.manifest.flow;
      expect(p.Version).toBe("2012-10-17");
      for (const s of p.Statement) {
        for (const a of s.Action) expect(a, `${f}: ${s.Sid}`).not.toContain("*");
        if (s.Resource.includes("*")) {
          // Only actions IAM cannot scope, alone in their statement, and named as such.
          expect(s.Resource, s.Sid).toEqual(["*"]);
          expect(s.Sid).toMatch(/Unscopable$/);
          for (const a of s.Action) expect(UNSCOPABLE_ACTIONS.has(a), a).toBe(true);
          continue;
        }
        for (const arn of s.Resource) {
          if (arn.startsWith(`arn:${e.sfn!.partition}:s3:::`)) {
            const prefix = e.datastore.replace(/^s3:\/\//, "").replace(/\/?$/, "/");
            expect(arn, "S3: only this flow's folder of the datastore").toBe(`arn:${e.sfn!.partition}:s3:::${prefix}${flow}/*`);
          } else {
            expect(arn, `${s.Sid}: region and account`).toMatch(new RegExp(`^arn:${e.sfn!.partition}:[a-z]+:(${e.sfn!.region})?:${e.sfn!.account}:`));
            if (arn.includes(":states:")) expect(arn).toMatch(new RegExp(`(stateMachine|execution):${flow}([:/]|$)`));
          }
        }
      }
    }
  });
});

describe("GIVEN flows using more or less of Step Functions", () => {
  const actions = (yaml: string) => policy(compileText(yaml)).Statement.flatMap((s) => s.Action);
  it("WHEN a linear flow is compiled THEN its role may run Batch jobs and nothing of S3 or Step Functions", () => {
    expect(actions(`apiVersion: flowc/v1
name: lin
steps:
  start: { command: [a], next: end }
  end: { command: [a] }
`)).toEqual(["batch:SubmitJob", "batch:TerminateJob", "batch:DescribeJobs", "events:PutTargets", "events:PutRule", "events:DescribeRule"]);
  });

  it("WHEN a flow has a foreach THEN its role may read the datastore and start, watch and stop its own Distributed Map runs", () => {
    const p = policy(compileText(`apiVersion: flowc/v1
name: fan
steps:
  start: { command: [a], foreach: true, next: body }
  body: { command: [a], next: j }
  j: { command: [a], join: true, next: end }
  end: { command: [a] }
`));
    expect(p.Statement.find((s) => s.Sid === "FlowDatastore")).toEqual({ Sid: "FlowDatastore", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::acme-flowc/prod/fan/*"] });
    expect(p.Statement.find((s) => s.Sid === "StartForeachRuns")!.Resource).toEqual(["arn:aws:states:eu-west-1:123456789012:stateMachine:fan", "arn:aws:states:eu-west-1:123456789012:stateMachine:fan:*"]);
    expect(p.Statement.find((s) => s.Sid === "WatchForeachRuns")!.Action).toEqual(["states:DescribeExecution", "states:StopExecution"]);
  });

  it("WHEN a step catches failures THEN its role may write failed.json in the flow's folder", () => {
    expect(actions(`apiVersion: flowc/v1
name: c
steps:
  start: { command: [a], catch: true, next: end }
  end: { command: [a] }
`)).toContain("s3:PutObject");
  });
});
