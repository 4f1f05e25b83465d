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

const FAN = `apiVersion: flowc/v1
name: fan
steps:
  start: { command: [a], foreach: true, next: body }
  body: { command: [a], next: j }
  j: { command: [a], join: true, next: end }
  end: { command: [a] }
`;

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
    const p = policy(compileText(FAN));
    // It reads foreach.json and its Map Run writes its results (ResultWriter, multipart) next to it.
    expect(p.Statement.find((s) => s.Sid === "FlowDatastore")).toEqual({
      Sid: "FlowDatastore",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
      Resource: ["arn:aws:s3:::acme-flowc/prod/fan/*"],
    });
    expect(p.Statement.find((s) => s.Sid === "StartForeachRuns")!.Resource).toEqual(["arn:aws:states:eu-west-1:123456789012:stateMachine:fan", "arn:aws:states:eu-west-1:123456789012:stateMachine:fan:*"]);
    expect(p.Statement.find((s) => s.Sid === "WatchForeachRuns")!.Action).toEqual(["states:DescribeExecution", "states:StopExecution"]);
  });

  it("WHEN a flow has a foreach THEN its role may redrive the Map Run's child runs (a redriven run redrives its failed foreach), and only those", () => {
    const p = policy(compileText(FAN));
    const redrive = p.Statement.filter((s) => s.Action.includes("states:RedriveExecution"));
    // AWS's Distributed Map policy: RedriveExecution on execution:<machine>/<map run label>:*; the label
    // part is a wildcard so that the children of nested Maps (deeper labels) are covered too.
    expect(redrive).toEqual([{ Sid: "RedriveForeachRuns", Effect: "Allow", Action: ["states:RedriveExecution"], Resource: ["arn:aws:states:eu-west-1:123456789012:execution:fan/*"] }]);
  });

  it("WHEN a foreach is nested in a foreach THEN the child runs of the outer Map may start the inner Map's runs on stateMachine:<machine>/<label>, in distributed mode only", () => {
    const nested = `apiVersion: flowc/v1
name: grid
steps:
  start: { command: [a], foreach: true, next: row }
  row: { command: [a], foreach: true, next: cell }
  cell: { command: [a], next: rj }
  rj: { command: [a], join: true, next: gj }
  gj: { command: [a], join: true, next: end }
  end: { command: [a] }
`;
    const start = policy(compileText(nested)).Statement.find((s) => s.Sid === "StartForeachRuns")!;
    expect(start.Resource).toEqual([
      "arn:aws:states:eu-west-1:123456789012:stateMachine:grid",
      "arn:aws:states:eu-west-1:123456789012:stateMachine:grid:*",
      "arn:aws:states:eu-west-1:123456789012:stateMachine:grid/*",
    ]);
    expect(policy(compileText(nested, testEnv("inline"))).Statement.some((s) => s.Action.some((a) => a.startsWith("states:")))).toBe(false);
  });

  it("WHEN steps run on ECS with PropagateTags (flowc's template) THEN RunTask may tag the task it creates, on this cluster's tasks and only at creation; without tags it may not", () => {
    const yaml = `apiVersion: flowc/v1
name: tagged
steps:
  start: { command: [a], next: end }
  end: { command: [a] }
`;
    const tagging = (env: ReturnType<typeof testEnv>) => policy(compileText(yaml, env)).Statement.filter((s) => s.Action.includes("ecs:TagResource"));
    expect(tagging(testEnv("fargate"))).toEqual([
      {
        Sid: "TagStepTasksOnRun",
        Effect: "Allow",
        Action: ["ecs:TagResource"],
        Resource: ["arn:aws:ecs:eu-west-1:123456789012:task/ml/*"],
        Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
      },
    ]);
    const untagged = testEnv("fargate");
    untagged.templates = { ...untagged.templates, "sfn/ecs-task.json": { PropagateTags: "NONE" } };
    expect(tagging(untagged)).toEqual([]);
    const ownTags = testEnv("fargate");
    ownTags.templates = { ...ownTags.templates, "sfn/ecs-task.json": { Tags: [{ Key: "team", Value: "recs" }] } };
    expect(tagging(ownTags)).toHaveLength(1);
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
