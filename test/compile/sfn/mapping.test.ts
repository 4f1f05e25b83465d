// How each flow shape becomes states: whole states compared with toStrictEqual, so a change in the
// mapping shows up here, not only in the golden files.
import { describe, expect, it } from "vitest";
import { LIST_PAGE, LISTING_BYTES } from "../../../src/compile/sfn/concurrency.ts";
import { compileSfn } from "../../../src/compile/sfn/index.ts";
import { SFN_LIMITS } from "../../../src/compile/sfn/limits.ts";
import type { EnvConfig } from "../../../src/config/types.ts";
import { loadYamlFlow } from "../../../src/flow/load/yaml.ts";
import { buildSpec } from "../../../src/flow/spec.ts";
import { validateFlow } from "../../../src/flow/validate/index.ts";
import { analyzeGraph } from "../../../src/graph/analyze.ts";
import { asl, compileText, file, testEnv } from "./helpers.ts";

const flow = (steps: string, head = "") => `apiVersion: flowc/v1
name: f
${head}steps:
${steps}`;
const states = (yaml: string, env?: EnvConfig) => asl(compileText(yaml, env)).States as Record<string, any>;
// Retriers carry only what differs from ASL's defaults (IntervalSeconds 1, MaxAttempts 3, BackoffRate 2, JitterStrategy NONE).
const SDK_RETRY = [{ ErrorEquals: ["States.ALL"], JitterStrategy: "FULL" }];
const BATCH_RETRY = {
  ErrorEquals: ["Batch.TooManyRequestsException", "Batch.AWSBatchException", "Batch.ServerException"],
  IntervalSeconds: 2,
  MaxAttempts: 30,
  MaxDelaySeconds: 60,
  JitterStrategy: "FULL",
};
const CONTEXT = { "runId.$": "$.runId", "index.$": "$.index", "params.$": "$.params", "env.$": "$.env", "compute.$": "$.compute" };

describe("GIVEN a linear flow", () => {
  const yaml = flow(`  start: { command: [a], next: end }
  end: { command: [a] }
`);
  it("WHEN compiled THEN the context is built first and each step is a Batch Task that runs `flowc step`", () => {
    const def = asl(compileText(yaml));
    expect(def.StartAt).toBe("Context");
    expect(Object.keys(def.States)).toEqual(["Context", "Resumed", "Resumed.run", "start", "end"]);
    expect(def.States.Context).toStrictEqual({
      Type: "Pass",
      Comment: "The context every state passes on: run id, foreach index, parameters, the task environment and what every task runs on.",
      Parameters: {
        "runId.$": "$$.Execution.Name",
        index: "",
        "params.$": "$",
        env: [
          { Name: "FLOWC_ROOT", Value: "s3://acme-flowc/prod" },
          { Name: "FLOWC_SPEC", Value: expect.stringMatching(/^packages\/[0-9a-f]{64}\.json$/) },
          { Name: "FLOWC_PARAMS", "Value.$": "States.JsonToString($)" },
          { Name: "FLOWC_RUN_STARTED_AT", "Value.$": "$$.Execution.StartTime" },
        ],
        compute: {
          JobQueue: "ml-queue",
          JobDefinition: "flowc-job",
          ResourceRequirements: [
            { Type: "VCPU", Value: "1" },
            { Type: "MEMORY", Value: "4096" },
          ],
        },
      },
      Next: "Resumed",
    });
    // flowc resume's new execution of a run carries the run's id in the run context.
    expect(def.States.Resumed).toStrictEqual({
      Type: "Choice",
      Comment: "A new execution that resumes a run carries that run's id.",
      Choices: [{ Variable: "$.params._flowc.runId", IsPresent: true, Next: "Resumed.run" }],
      Default: "start",
    });
    expect(def.States["Resumed.run"]).toStrictEqual({
      Type: "Pass",
      Parameters: { "runId.$": "$.params._flowc.runId", "index.$": "$.index", "params.$": "$.params", "env.$": "$.env", "compute.$": "$.compute" },
      Next: "start",
    });
    expect(def.States.start).toStrictEqual({
      Type: "Task",
      Resource: "arn:aws:states:::batch:submitJob.sync",
      Parameters: {
        JobName: "f-start",
        "JobQueue.$": "$.compute.JobQueue",
        "JobDefinition.$": "$.compute.JobDefinition",
        ContainerOverrides: {
          "Command.$": "States.Array('flowc','step','--run-id',$.runId,'--step','start','--index',$.index,'--attempt',States.Format('{}',$$.State.RetryCount))",
          "Environment.$": "$.env",
          "ResourceRequirements.$": "$.compute.ResourceRequirements",
        },
        RetryStrategy: { Attempts: 1 },
      },
      ResultPath: null,
      Retry: [BATCH_RETRY],
      Next: "end",
    });
    expect(def.States.end.End).toBe(true);
  });
});

describe("GIVEN parameters with defaults and required ones", () => {
  it("WHEN compiled THEN defaults are merged under the input and each missing required parameter fails the run by name, before any task", () => {
    const s = states(flow(`  start: { command: [a], next: end }
  end: { command: [a] }
`, `parameters: { a: { type: integer, default: 1 }, b: { type: string, required: true }, c: { type: json, required: true } }
`));
    expect(Object.keys(s).slice(0, 7)).toEqual(["Defaults", "Context", "Resumed", "Resumed.run", "Required", "Missing.b", "Missing.c"]);
    expect(s.Defaults.Parameters).toStrictEqual({ "input.$": "$", defaults: { a: 1 } });
    expect(s.Context.Parameters["params.$"]).toBe("States.JsonMerge($.defaults, $.input, false)");
    expect(s.Required).toStrictEqual({
      Type: "Choice",
      Comment: "Required parameters must be in the execution input.",
      Choices: [
        { Not: { Variable: "$.params.b", IsPresent: true }, Next: "Missing.b" },
        { Not: { Variable: "$.params.c", IsPresent: true }, Next: "Missing.c" },
      ],
      Default: "start",
    });
    expect(s["Missing.b"]).toStrictEqual({ Type: "Fail", Error: "flowc.MissingParameter", Cause: "the required parameter `b` (string) is missing from the execution input" });
  });
});

describe("GIVEN a split", () => {
  const yaml = flow(`  start: { command: [a], next: [x, y, j] }
  x: { command: [a], next: x2 }
  x2: { command: [a], next: j }
  y: { command: [a], next: j }
  j: { command: [a], join: true, next: end }
  end: { command: [a] }
`);
  it("WHEN compiled THEN it is a Parallel with a branch per child up to the join, a Pass for the branch that goes straight there, and branch ends output {}", () => {
    const s = states(yaml);
    expect(Object.keys(s)).toEqual(["Context", "Resumed", "Resumed.run", "start", "start.split", "j", "end"]);
    expect(s.start.Next).toBe("start.split");
    const p = s["start.split"];
    expect(p.Type).toBe("Parallel");
    expect(p.ResultPath).toBeNull();
    expect(p.Next).toBe("j");
    expect(p.Branches.map((b: any) => [b.StartAt, Object.keys(b.States)])).toEqual([
      ["x", ["x", "x2"]],
      ["y", ["y"]],
      ["start.to-j", ["start.to-j"]],
    ]);
    expect(p.Branches[0].States.x.Next).toBe("x2");
    expect(p.Branches[0].States.x2).toMatchObject({ End: true, OutputPath: null });
    expect(p.Branches[2].States["start.to-j"]).toStrictEqual({ Type: "Pass", Comment: "This branch of start goes straight to j.", OutputPath: null, End: true });
  });
});

describe("GIVEN foreaches", () => {
  const nested = flow(`  start: { command: [a], foreach: true, parallelism: 7, next: row }
  row: { command: [a], foreach: true, next: cell }
  cell: { command: [a], next: rj }
  rj: { command: [a], join: true, next: gj }
  gj: { command: [a], join: true, next: end }
  end: { command: [a] }
`);
  it("WHEN compiled THEN each is a Distributed Map reading foreach.json, whose items are the child index paths, nested Map in Map", () => {
    const s = states(nested);
    expect(s["start.foreach"]).toStrictEqual({
      Type: "Map",
      Comment: "start: row once per item of foreach.json; gj joins them.",
      ItemReader: {
        Resource: "arn:aws:states:::s3:getObject",
        ReaderConfig: { InputType: "JSON" },
        Parameters: { Bucket: "acme-flowc", "Key.$": "States.Format('prod/f/{}/start/_/foreach.json', $.runId)" },
      },
      ItemSelector: { ...CONTEXT, "index.$": "$$.Map.Item.Value" },
      ItemProcessor: expect.objectContaining({ ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "row" }),
      MaxConcurrency: 7,
      Label: "start",
      ResultWriter: { Resource: "arn:aws:states:::s3:putObject", Parameters: { Bucket: "acme-flowc", "Prefix.$": "States.Format('prod/f/{}/start/_/map-run', $.runId)" } },
      ResultPath: null,
      Next: "gj",
    });
    const outer = s["start.foreach"].ItemProcessor.States;
    expect(Object.keys(outer)).toEqual(["row", "row.foreach", "rj"]);
    expect(outer["row.foreach"].ItemReader.Parameters["Key.$"]).toBe("States.Format('prod/f/{}/row/{}/foreach.json', $.runId, $.index)");
    expect(outer["row.foreach"].ResultWriter.Parameters["Prefix.$"]).toBe("States.Format('prod/f/{}/row/{}/map-run', $.runId, $.index)");
    // Without parallelism or sfn.foreach.maxConcurrency, not AWS's 10,000 at once but the documented default.
    expect(outer["row.foreach"].MaxConcurrency).toBe(100);
    expect(outer["row.foreach"].ItemProcessor.States.cell).toMatchObject({ End: true, OutputPath: null });
    expect(outer.rj).toMatchObject({ End: true, OutputPath: null });
  });

  it("WHEN the environment asks for inline Maps THEN foreach.json is read with an S3 SDK call and fed to an inline Map", () => {
    const s = states(nested, testEnv("inline"));
    expect(s["start.items"]).toStrictEqual({
      Type: "Task",
      Comment: "Read start's foreach.json: the child index paths.",
      Resource: "arn:aws:states:::aws-sdk:s3:getObject",
      Parameters: { Bucket: "acme-flowc", "Key.$": "States.Format('f/{}/start/_/foreach.json', $.runId)" },
      ResultSelector: { "items.$": "States.StringToJson($.Body)" },
      ResultPath: "$.foreach",
      Retry: SDK_RETRY,
      Next: "start.foreach",
    });
    expect(s["start.foreach"]).toMatchObject({
      Type: "Map",
      ItemsPath: "$.foreach.items",
      ItemProcessor: { ProcessorConfig: { Mode: "INLINE" } },
      MaxConcurrency: 7,
      ResultSelector: { "count.$": "States.ArrayLength($)" },
      ResultPath: "$.foreach",
    });
    expect(s["start.foreach"].ItemProcessor.States["row.foreach"].MaxConcurrency).toBe(8);
  });
});

describe("GIVEN a switch", () => {
  const yaml = flow(`  start: { command: [a], next: [w, side] }
  w: { command: [a], switch: { big: big, small: j } }
  big: { command: [a], next: j }
  side: { command: [a], next: j }
  j: { command: [a], join: true, next: end }
  end: { command: [a] }
`);
  it("WHEN compiled THEN the case is read from switch.json, a Choice picks the step, a case that goes straight to the join ends the branch, and an unknown case fails naming both", () => {
    const branch = states(yaml)["start.split"].Branches[0].States;
    expect(Object.keys(branch)).toEqual(["w", "w.switch", "w.case", "w.case.small", "w.unknown-case", "big"]);
    expect(branch["w.switch"]).toStrictEqual({
      Type: "Task",
      Comment: "Read the case w chose (switch.json).",
      Resource: "arn:aws:states:::aws-sdk:s3:getObject",
      Parameters: { Bucket: "acme-flowc", "Key.$": "States.Format('prod/f/{}/w/_/switch.json', $.runId)" },
      ResultSelector: { "value.$": "States.StringToJson($.Body)" },
      ResultPath: "$.switch",
      Retry: SDK_RETRY,
      Next: "w.case",
    });
    expect(branch["w.case"]).toStrictEqual({
      Type: "Choice",
      Choices: [
        { Variable: "$.switch.value.case", StringEquals: "big", Next: "big" },
        { Variable: "$.switch.value.case", StringEquals: "small", Next: "w.case.small" },
      ],
      Default: "w.unknown-case",
    });
    expect(branch["w.case.small"]).toStrictEqual({ Type: "Pass", Comment: "Case small goes straight to j.", OutputPath: null, End: true });
    expect(branch["w.unknown-case"]).toStrictEqual({
      Type: "Fail",
      Error: "flowc.UnknownCase",
      CausePath: "States.Format('switch step w chose case {}, which is not one of: big, small', $.switch.value.case)",
    });
  });

  it("WHEN cases meet again at a merge step THEN both lead to that one state", () => {
    const s = states(flow(`  start: { command: [a], switch: { a: p, b: q } }
  p: { command: [a], next: m }
  q: { command: [a], next: m }
  m: { command: [a], next: end }
  end: { command: [a] }
`));
    expect([s.p.Next, s.q.Next]).toEqual(["m", "m"]);
    expect(Object.keys(s).filter((k) => k === "m")).toHaveLength(1);
  });
});

describe("GIVEN retry, timeout and catch", () => {
  it("WHEN a step retries THEN task failures (and timeouts, when asked) get its delay, backoff, cap and jitter after the API retrier", () => {
    const s = states(flow(`  start: { command: [a], retry: { times: 4, onTimeout: true, backoff: { delay: 30s, factor: 3, max: 10m, jitter: true } }, next: end }
  end: { command: [a], retry: { times: 1 } }
`));
    expect(s.start.Retry).toStrictEqual([
      BATCH_RETRY,
      { ErrorEquals: ["States.TaskFailed", "States.Timeout"], IntervalSeconds: 30, MaxAttempts: 4, BackoffRate: 3, MaxDelaySeconds: 600, JitterStrategy: "FULL" },
    ]);
    // Defaults (BackoffRate 2, JitterStrategy NONE) are left out.
    expect(s.end.Retry[1]).toStrictEqual({ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 10, MaxAttempts: 1 });
  });

  it("WHEN a step and the run have timeouts THEN the Task and the Batch attempt get the step's, and the machine the run's", () => {
    const def = asl(compileText(flow(`  start: { command: [a], timeout: 30s, next: end }
  end: { command: [a], timeout: 2h }
`, "timeout: 1d\n")));
    expect(def.TimeoutSeconds).toBe(86400);
    expect(def.States.start.TimeoutSeconds).toBe(30);
    expect(def.States.start.Parameters.Timeout).toEqual({ AttemptDurationSeconds: 60 });
    expect(def.States.end.TimeoutSeconds).toBe(7200);
    expect(def.States.end.Parameters.Timeout).toEqual({ AttemptDurationSeconds: 7200 });
  });

  it("WHEN a step catches THEN a failure is shaped into failed.json, written to the step's folder, and the flow carries on", () => {
    const s = states(flow(`  start: { command: [a], catch: true, next: end }
  end: { command: [a], catch: true }
`));
    expect(s.start.Catch).toStrictEqual([{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "start.catch" }]);
    expect(s["start.catch"]).toStrictEqual({
      Type: "Pass",
      Comment: "start failed: keep the context, shape the failure record.",
      Parameters: {
        context: CONTEXT,
        failed: { "error.$": "$.failure.Error", "cause.$": "$.failure.Cause" },
      },
      Next: "start.catch.write",
    });
    expect(s["start.catch.write"]).toStrictEqual({
      Type: "Task",
      Comment: "Write start's failed.json: the steps after it see the failure there.",
      Resource: "arn:aws:states:::aws-sdk:s3:putObject",
      Parameters: { Bucket: "acme-flowc", "Key.$": "States.Format('prod/f/{}/start/_/failed.json', $.context.runId)", "Body.$": "$.failed", ContentType: "application/json" },
      ResultPath: null,
      OutputPath: "$.context",
      Retry: SDK_RETRY,
      Next: "end",
    });
    expect(s["end.catch.write"].End).toBe(true);
  });

  it("WHEN a foreach catches THEN a failure skips its items and goes to the join", () => {
    const s = states(flow(`  start: { command: [a], foreach: true, catch: true, next: body }
  body: { command: [a], next: j }
  j: { command: [a], join: true, next: end }
  end: { command: [a] }
`));
    expect(s["start.catch.write"].Next).toBe("j");
  });

  it("WHEN a switch step catches (the validator refuses it; an IR built by hand may not) THEN there is no Catch and a warning says why", () => {
    const v = validateFlow(loadYamlFlow("f.yaml", flow(`  start: { command: [a], switch: { a: end } }
  end: { command: [a] }
`)));
    const ir = structuredClone(v.ir!);
    ir.steps.find((x) => x.name === "start")!.catch = true;
    const r = compileSfn({ ir, graph: analyzeGraph(ir.steps).graph, env: testEnv(), spec: buildSpec(ir), flowcVersion: "t" });
    expect(asl(r).States.start.Catch).toBeUndefined();
    expect(r.problems).toMatchObject([{ code: "TARGET_UNSUPPORTED", severity: "warning", path: ["steps", "start", "catch"] }]);
  });
});

describe("GIVEN steps with their own environment, resources and image", () => {
  it("WHEN compiled THEN env every step shares rides in the context, a step's own env is spelled out, and another image gets its own job definition", () => {
    const r = compileText(flow(`  start: { command: [a], next: gpu }
  gpu: { command: [a], image: "my.registry/train:2", env: { EXTRA: "1" }, resources: { cpu: 4, memory: 16Gi, gpu: 2 }, next: end }
  end: { command: [a] }
`, "defaults: { env: { LOG_LEVEL: info } }\n"));
    const s = asl(r).States;
    expect(s.Context.Parameters.env.slice(4)).toEqual([{ Name: "LOG_LEVEL", Value: "info" }]);
    expect(s.start.Parameters.ContainerOverrides["Environment.$"]).toBe("$.env");
    // The shared variables are read from the context's copy, whatever the Context state made them from.
    expect(s.gpu.Parameters.ContainerOverrides.Environment).toEqual([
      { Name: "FLOWC_ROOT", "Value.$": "$.env[0].Value" },
      { Name: "FLOWC_SPEC", "Value.$": "$.env[1].Value" },
      { Name: "FLOWC_PARAMS", "Value.$": "$.env[2].Value" },
      { Name: "FLOWC_RUN_STARTED_AT", "Value.$": "$.env[3].Value" },
      { Name: "EXTRA", Value: "1" },
      { Name: "LOG_LEVEL", Value: "info" },
    ]);
    expect(s.Context.Parameters.env.slice(0, 3).map((v: { Name: string }) => v.Name)).toEqual(["FLOWC_ROOT", "FLOWC_SPEC", "FLOWC_PARAMS"]);
    expect(s.start.Parameters.ContainerOverrides["ResourceRequirements.$"]).toBe("$.compute.ResourceRequirements");
    expect(s.gpu.Parameters.ContainerOverrides.ResourceRequirements).toEqual([
      { Type: "VCPU", Value: "4" },
      { Type: "MEMORY", Value: "16384" },
      { Type: "GPU", Value: "2" },
    ]);
    expect(s.gpu.Parameters.JobDefinition).toMatch(/^flowc-job-train-2-[0-9a-f]{8}$/);
    expect(r.manifest.resources.jobDefinitions).toEqual({ [s.gpu.Parameters.JobDefinition]: "my.registry/train:2" });
  });

  it("WHEN the environment runs steps on ECS Fargate and a step wants a GPU THEN compiling fails naming the step", () => {
    const r = compileText(flow(`  start: { command: [a], resources: { gpu: 1 }, next: end }
  end: { command: [a] }
`), testEnv("fargate"));
    expect(r.files).toEqual([]);
    expect(r.problems).toMatchObject([{ code: "TARGET_UNSUPPORTED", path: ["steps", "start", "resources", "gpu"] }]);
  });
});

describe("GIVEN template documents", () => {
  const yaml = flow(`  start: { command: [a], next: end }
  end: { command: [a] }
`, `schedule: { cron: "0 1 * * *" }
`);
  it("WHEN an organization overrides them THEN its additions appear in every document and generated values still win", () => {
    const env = testEnv("prod");
    const base = compileText(yaml, env);
    env.templates = {
      ...env.templates,
      "sfn/batch-job.json": { Tags: { "cost-center": "42" }, PropagateTags: true, JobQueue: "ignored" },
      "sfn/schedule.json": { State: "DISABLED" },
      "sfn/state-machine.json": { loggingConfiguration: { level: "ALL" }, tags: { org: "acme" } },
      "sfn/iam.json": { Version: "2008-10-17" },
    };
    const r = compileText(yaml, env);
    const s = asl(r).States;
    // The generated `JobQueue.$` wins over the template's `JobQueue`: no Task carries both.
    expect(s.start.Parameters).toMatchObject({ "JobQueue.$": "$.compute.JobQueue", Tags: { "cost-center": "42" }, PropagateTags: true });
    expect(s.start.Parameters.JobQueue).toBeUndefined();
    expect(s.start.Parameters.RetryStrategy).toBeUndefined();
    expect(JSON.parse(file(r, ".schedule.json")!.content).State).toBe("DISABLED");
    expect((r.manifest as any).stateMachine).toMatchObject({ loggingConfiguration: { level: "ALL" }, tags: { env: "prod", org: "acme", team: "recs" } });
    expect(JSON.parse(file(r, ".iam.json")!.content).Version).toBe("2012-10-17");
    expect(file(r, ".asl.json")!.content).not.toBe(file(base, ".asl.json")!.content);
  });
});

describe("GIVEN triggers", () => {
  const yaml = flow(`  start: { command: [a], next: end }
  end: { command: [a] }
`, `parameters: { day: { type: string, default: "" }, n: { type: integer, default: 1 } }
triggers:
  - afterFlow: ingest
  - event: { source: [my.app], detailType: [FileLanded], detail: { bucket: [b] }, parameters: { day: $.detail.day, n: $.detail.count } }
`);
  it("WHEN compiled THEN afterFlow listens for the SUCCEEDED status change of upstream runs started through this environment's alias, an event rule uses the pattern, and event fields become parameters; both pass the run context", () => {
    const rules = JSON.parse(file(compileText(yaml), ".triggers.json")!.content).rules;
    expect(rules).toStrictEqual([
      {
        Name: "f-prod-after-ingest",
        Description: "flowc: runs f (prod) after ingest succeeds",
        EventPattern: {
          source: ["aws.states"],
          "detail-type": ["Step Functions Execution Status Change"],
          detail: {
            status: ["SUCCEEDED"],
            stateMachineArn: ["arn:aws:states:eu-west-1:123456789012:stateMachine:ingest"],
            stateMachineAliasArn: ["arn:aws:states:eu-west-1:123456789012:stateMachine:ingest:prod"],
          },
        },
        Targets: [
          {
            Id: "flowc",
            Arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:f:prod",
            RoleArn: "arn:aws:iam::123456789012:role/flowc-events",
            // The upstream's end is the run's scheduled time; its execution name is the upstream run id.
            InputTransformer: {
              InputPathsMap: { FlowcTime: "$.time", FlowcRun: "$.detail.name" },
              InputTemplate: '{"_flowc":{"trigger":"after-ingest","scheduledTime":<FlowcTime>,"upstream":{"flow":"ingest","runId":<FlowcRun>}}}',
            },
          },
        ],
        State: "ENABLED",
        EventBusName: "default",
      },
      {
        Name: "f-prod-event-1",
        Description: "flowc: runs f (prod) on my.app events",
        EventPattern: { source: ["my.app"], "detail-type": ["FileLanded"], detail: { bucket: ["b"] } },
        Targets: [
          {
            Id: "flowc",
            Arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:f:prod",
            RoleArn: "arn:aws:iam::123456789012:role/flowc-events",
            InputTransformer: {
              InputPathsMap: { day: "$.detail.day", n: "$.detail.count", FlowcTime: "$.time" },
              InputTemplate: '{"day":<day>,"n":<n>,"_flowc":{"trigger":"event-1","scheduledTime":<FlowcTime>}}',
            },
          },
        ],
        State: "ENABLED",
        EventBusName: "default",
      },
    ]);
  });

  it("WHEN the environment has no events role THEN compiling fails saying which key to add", () => {
    const env = testEnv("prod");
    delete env.sfn!.eventsRoleArn;
    expect(compileText(yaml, env).problems).toMatchObject([{ code: "CONFIG_INVALID", path: ["triggers"], message: expect.stringContaining("sfn.eventsRoleArn") }]);
  });
});

describe("GIVEN an environment Step Functions cannot run", () => {
  const yaml = flow(`  start: { command: [a], next: end }
  end: { command: [a] }
`);
  it("WHEN it has no sfn section THEN compiling fails with CONFIG_INVALID", () => {
    const env = testEnv("prod");
    delete env.sfn;
    expect(compileText(yaml, env).problems).toMatchObject([{ code: "CONFIG_INVALID" }]);
  });
  it("WHEN its datastore is a local folder THEN compiling fails asking for s3://", () => {
    expect(compileText(yaml, { ...testEnv("prod"), datastore: "./data" }).problems).toMatchObject([{ code: "CONFIG_INVALID", message: expect.stringContaining("s3://") }]);
  });
});

describe("GIVEN a schedule with concurrency forbid or replace", () => {
  const yaml = (policy: string) => flow(`  start: { command: [a], next: end }
  end: { command: [a] }
`, `schedule: { cron: "0 * * * *", concurrency: ${policy} }
`);

  it.each(["forbid", "replace"])("WHEN %s is compiled THEN the check lists only this environment's running executions (by its alias), one bounded page, and leaves a small summary in the context, not the list", (policy) => {
    const s = states(yaml(policy));
    expect(s.Concurrency).toStrictEqual({
      Type: "Task",
      Comment: "Running executions started through prod, the newest 100.",
      Resource: "arn:aws:states:::aws-sdk:sfn:listExecutions",
      Parameters: { StateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:f:prod", StatusFilter: "RUNNING", MaxResults: LIST_PAGE },
      ResultSelector: { "running.$": "$.Executions" },
      ResultPath: "$.concurrency",
      Retry: SDK_RETRY,
      Next: "Concurrency.Earlier",
    });
    const earlier = s["Concurrency.Earlier"];
    expect(earlier.ItemsPath).toBe("$.concurrency.running");
    expect(earlier.ResultPath).toBe("$.concurrency");
    expect(earlier.ResultSelector).toStrictEqual(policy === "forbid" ? { "active.$": "States.ArrayContains($, true)" } : { "checked.$": "States.ArrayLength($)" });
  });

  it("WHEN a page is at its largest (the longest partition, region, machine, alias and execution names, every optional field) THEN it stays under the 256 KiB a state may return", () => {
    // ListExecutions' ExecutionListItem as the aws-sdk integration returns it (PascalCase, ISO dates).
    const machine = `arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:${"m".repeat(80)}`;
    const item = {
      ExecutionArn: `arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:${"m".repeat(80)}:${"e".repeat(80)}`,
      StateMachineArn: machine,
      Name: "e".repeat(80),
      Status: "RUNNING",
      StartDate: "2026-12-04T16:34:10.167Z",
      StopDate: "2026-12-04T16:34:10.167Z",
      MapRunArn: `arn:aws-us-gov:states:us-gov-west-1:123456789012:mapRun:${"m".repeat(80)}/${"l".repeat(40)}:${"u".repeat(36)}`,
      ItemCount: 99999999,
      StateMachineVersionArn: `${machine}:99999999`,
      StateMachineAliasArn: `${machine}:${"a".repeat(80)}`,
      RedriveCount: 1000,
      RedriveDate: "2026-12-04T16:34:10.167Z",
    };
    const page = { Executions: Array.from({ length: LIST_PAGE }, () => item), NextToken: "t".repeat(1024) };
    const bytes = Buffer.byteLength(JSON.stringify(page));
    expect(bytes).toBeLessThanOrEqual(LISTING_BYTES); // what the payload check reserves for it
    expect(LISTING_BYTES).toBeLessThan(SFN_LIMITS.payloadBytes / 1.8);
    // The maximum page ListExecutions allows (1,000) would not fit: that is why the page is bounded.
    expect(Buffer.byteLength(JSON.stringify({ Executions: Array.from({ length: 1000 }, () => item) }))).toBeGreaterThan(SFN_LIMITS.payloadBytes);
  });
});
