// Proves the local-AWS harness with hand-written ASL: moto runs the state
// machines and every Batch job runs its command on this machine.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
  PublishStateMachineVersionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  DeleteStateMachineVersionCommand,
} from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listBatchJobs, setupBatch } from "./batch.ts";
import { startMoto, type MotoHandle } from "./moto.ts";
import {
  createMachine,
  eventTypes,
  runDefinition,
  runExecution,
  SFN_ROLE_ARN,
  startExecution,
  waitForExecution,
} from "./sfn.ts";

const QUEUE = "flowc-test-queue";
const JOBDEF = "flowc-test-jobdef";
const BUCKET = "flowc-harness";

let moto: MotoHandle;
let sfn: SFNClient;
let s3: S3Client;
let work: string;

beforeAll(async () => {
  moto = await startMoto();
  sfn = new SFNClient(moto.clientConfig);
  s3 = new S3Client(moto.clientConfig);
  await setupBatch(moto.clientConfig, { jobQueue: QUEUE, jobDefinition: JOBDEF, environment: { FROM_JOBDEF: "jd" } });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  work = mkdtempSync(join(tmpdir(), "flowc-harness-test-"));
}, 30_000);

afterAll(async () => {
  sfn?.destroy();
  s3?.destroy();
  await moto?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A Task state running `command` as a Batch job through the .sync integration. */
function batchTask(
  command: string[] | { "Command.$": string },
  extra: Record<string, unknown> = {},
  environment: Record<string, string> = {},
): Record<string, unknown> {
  const overrides: Record<string, unknown> = Array.isArray(command) ? { Command: command } : { ...command };
  overrides.Environment = Object.entries(environment).map(([Name, Value]) => ({ Name, Value }));
  return {
    Type: "Task",
    Resource: "arn:aws:states:::batch:submitJob.sync",
    Parameters: { JobName: "harness-job", JobQueue: QUEUE, JobDefinition: JOBDEF, ContainerOverrides: overrides },
    ...extra,
  };
}

function single(state: Record<string, unknown>): object {
  return { StartAt: "Only", States: { Only: { ...state, End: true } } };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function s3Text(key: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return await res.Body!.transformToString();
}

describe("Batch jobs run their command as a local process", () => {
  it("GIVEN a submitJob.sync Task with Command and Environment overrides WHEN it runs THEN the command really ran and the execution SUCCEEDED", async () => {
    // GIVEN
    const definition = single(
      batchTask(["sh", "-c", 'echo "hi $FROM_JOBDEF" > "$OUT/x"; echo to-stdout'], {}, { OUT: work }),
    );
    // WHEN
    const r = await runDefinition(sfn, definition);
    // THEN
    expect(r.status, moto.logTail()).toBe("SUCCEEDED");
    expect(readFileSync(join(work, "x"), "utf8")).toBe("hi jd\n");
    const job = r.output as Record<string, any>;
    expect(job.Status).toBe("SUCCEEDED");
    expect(job.Container.ExitCode).toBe(0);
    expect(job.Container.Command).toEqual(["sh", "-c", 'echo "hi $FROM_JOBDEF" > "$OUT/x"; echo to-stdout']);
    const logDir = readdirSync(moto.jobLogDir).find((d) => d.endsWith(job.JobId));
    expect(logDir).toBeDefined();
    expect(readFileSync(join(moto.jobLogDir, logDir!, "stdout"), "utf8")).toBe("to-stdout\n");
  }, 15_000);

  it("GIVEN a job that exits 1 and a Retry on States.TaskFailed (MaxAttempts 2) WHEN it runs THEN it fails with States.TaskFailed after two retries and the Cause is the job description", async () => {
    const retry = [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }];
    const r = await runDefinition(sfn, single(batchTask(["sh", "-c", "echo broken >&2; exit 1"], { Retry: retry })));

    expect(r.status).toBe("FAILED");
    expect(r.error).toBe("States.TaskFailed");
    const types = eventTypes(r.history);
    expect(types.filter((t) => t === "TaskScheduled")).toHaveLength(3);
    expect(types.filter((t) => t === "TaskFailed")).toHaveLength(3);
    const failed = r.history.filter((e) => e.type === "TaskFailed").map((e) => e.taskFailedEventDetails!);
    expect(failed.every((d) => d.error === "States.TaskFailed")).toBe(true);
    const cause = JSON.parse(r.cause!);
    expect(cause).toMatchObject({
      Status: "FAILED",
      StatusReason: "Essential container in task exited",
      Container: { ExitCode: 1 },
    });
    expect(cause.Container.Reason).toContain("stderr: broken");
    // IntervalSeconds 1, BackoffRate 2: waits of 1 s and 2 s between the attempts.
    expect(r.elapsedMs).toBeGreaterThan(2_900);
  }, 20_000);

  it("GIVEN a job that fails twice then succeeds WHEN it runs with Retry THEN the execution SUCCEEDED after 2 retries and $$.State.RetryCount counted 0,1,2", async () => {
    const counter = join(work, "flaky-counter");
    const script = `echo "$ATTEMPT" >> ${counter}; test "$(wc -l < ${counter})" -ge 3`;
    const state = batchTask(["sh", "-c", script], {
      Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 1 }],
    });
    // The attempt number comes from the context object, as flowc passes it.
    (state.Parameters as any).ContainerOverrides.Environment = [
      { Name: "ATTEMPT", "Value.$": "States.Format('{}', $$.State.RetryCount)" },
    ];

    const r = await runDefinition(sfn, single(state));

    expect(r.status, r.cause).toBe("SUCCEEDED");
    expect(eventTypes(r.history).filter((t) => t === "TaskFailed")).toHaveLength(2);
    expect(readFileSync(counter, "utf8")).toBe("0\n1\n2\n");
  }, 20_000);

  it("GIVEN a Task with TimeoutSeconds 1 whose command sleeps longer and a Retry on States.Timeout WHEN it runs THEN it fails with States.Timeout and each job's process group is killed", async () => {
    const pids = join(work, "timeout-pids");
    const marker = join(work, "timeout-marker");
    const state = batchTask(["sh", "-c", `echo $$ >> ${pids}; sleep 2.5; touch ${marker}`], {
      TimeoutSeconds: 1,
      Retry: [{ ErrorEquals: ["States.Timeout"], IntervalSeconds: 1, MaxAttempts: 1 }],
    });

    const r = await runDefinition(sfn, single(state));

    expect(r.status).toBe("FAILED");
    expect(r.error).toBe("States.Timeout");
    expect(eventTypes(r.history).filter((t) => t === "TaskTimedOut")).toHaveLength(2);
    expect(eventTypes(r.history)).not.toContain("TaskSucceeded");
    await sleep(2_500); // long enough for an unkilled job to write the marker
    expect(existsSync(marker)).toBe(false);
    const jobPids = readFileSync(pids, "utf8").trim().split("\n").map(Number);
    expect(jobPids).toHaveLength(2);
    expect(jobPids.filter(pidAlive)).toEqual([]);
    const jobs = (await listBatchJobs(moto.clientConfig, QUEUE)).filter((j) => j.status === "FAILED");
    expect(jobs.some((j) => j.statusReason?.startsWith("Terminated by AWS Step Functions"))).toBe(true);
  }, 20_000);

  it("GIVEN a running execution with a long job WHEN StopExecution is called THEN the execution is ABORTED and the job process is killed", async () => {
    const pidFile = join(work, "stop-pid");
    const arn = await createMachine(sfn, single(batchTask(["sh", "-c", `echo $$ > ${pidFile}; exec sleep 30`])));
    const executionArn = await startExecution(sfn, arn);
    const deadline = Date.now() + 5_000;
    while (!existsSync(pidFile) && Date.now() < deadline) await sleep(50);
    const pid = Number(readFileSync(pidFile, "utf8"));
    expect(pidAlive(pid)).toBe(true);

    await sfn.send(new StopExecutionCommand({ executionArn, error: "Stopped", cause: "test" }));

    const r = await waitForExecution(sfn, executionArn, 5_000);
    expect(r.status).toBe("ABORTED");
    const killDeadline = Date.now() + 5_000;
    while (pidAlive(pid) && Date.now() < killDeadline) await sleep(100);
    expect(pidAlive(pid)).toBe(false);
  }, 20_000);
});

describe("Parallel and Map run many jobs at once", () => {
  it("GIVEN a Parallel of 2 jobs then a Distributed Map over 20 S3 items, each a job followed by a nested Distributed Map of 3 jobs WHEN it runs THEN all 82 jobs ran and everything SUCCEEDED", async () => {
    const out = join(work, "fanout");
    const items = Array.from({ length: 20 }, (_, i) => `i${i}`);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "fan/items.json", Body: JSON.stringify(items) }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "fan/inner.json", Body: JSON.stringify(["a", "b", "c"]) }));
    const touch = (name: string) => batchTask(["sh", "-c", `mkdir -p ${out} && touch ${out}/${name}`], { End: true, ResultPath: null });
    const reader = (key: string) => ({
      Resource: "arn:aws:states:::s3:getObject",
      ReaderConfig: { InputType: "JSON" },
      Parameters: { Bucket: BUCKET, Key: key },
    });
    const definition = {
      StartAt: "Init",
      States: {
        Init: { Type: "Pass", Parameters: { "runId.$": "$$.Execution.Name", index: "", "params.$": "$" }, Next: "Split" },
        Split: {
          Type: "Parallel",
          ResultPath: null,
          Next: "Foreach",
          Branches: [
            { StartAt: "B1", States: { B1: touch("b1") } },
            { StartAt: "B2", States: { B2: touch("b2") } },
          ],
        },
        Foreach: {
          Type: "Map",
          ResultPath: null,
          End: true,
          MaxConcurrency: 10,
          ItemReader: reader("fan/items.json"),
          ItemSelector: { "runId.$": "$.runId", "index.$": "$$.Map.Item.Value", "params.$": "$.params" },
          ItemProcessor: {
            ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
            StartAt: "Body",
            States: {
              Body: {
                ...batchTask({
                  "Command.$": `States.Array('sh', '-c', States.Format('mkdir -p ${out} && touch ${out}/{}-{}', $.runId, $.index))`,
                }),
                ResultPath: null,
                Next: "Inner",
              },
              Inner: {
                Type: "Map",
                ResultPath: null,
                End: true,
                ItemReader: reader("fan/inner.json"),
                ItemSelector: { "runId.$": "$.runId", "index.$": "States.Format('{}.{}', $.index, $$.Map.Item.Value)" },
                ItemProcessor: {
                  ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
                  StartAt: "Leaf",
                  States: {
                    Leaf: {
                      ...batchTask({
                        "Command.$": `States.Array('sh', '-c', States.Format('touch ${out}/leaf-{}', $.index))`,
                      }),
                      ResultPath: null,
                      End: true,
                    },
                  },
                },
              },
            },
          },
        },
      },
    };

    const r = await runDefinition(sfn, definition, { p: 1 }, { name: "fanrun", timeoutMs: 45_000 });

    expect(r.status, r.cause).toBe("SUCCEEDED");
    expect(r.output).toEqual({ runId: "fanrun", index: "", params: { p: 1 } });
    const files = readdirSync(out);
    expect(files).toHaveLength(2 + 20 + 60);
    expect(files).toContain("fanrun-i7");
    expect(files).toContain("leaf-i19.c");
    expect(eventTypes(r.history)).toEqual(expect.arrayContaining(["MapRunStarted", "MapRunSucceeded"]));
  }, 60_000);

  it("GIVEN a Distributed Map over 100 items WHEN each item is a Batch job THEN all 100 jobs run", async () => {
    const out = join(work, "hundred");
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: "hundred.json",
        Body: JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ n: i }))),
      }),
    );
    const definition = single({
      Type: "Map",
      ResultPath: null,
      ItemReader: {
        Resource: "arn:aws:states:::s3:getObject",
        ReaderConfig: { InputType: "JSON" },
        Parameters: { Bucket: BUCKET, Key: "hundred.json" },
      },
      ItemSelector: { "n.$": "$$.Map.Item.Value.n" },
      ItemProcessor: {
        ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
        StartAt: "Job",
        States: {
          Job: {
            ...batchTask({
              "Command.$": `States.Array('sh', '-c', States.Format('mkdir -p ${out} && touch ${out}/{}', $.n))`,
            }),
            End: true,
          },
        },
      },
    });

    const r = await runDefinition(sfn, definition, {}, { timeoutMs: 45_000 });

    expect(r.status, r.cause).toBe("SUCCEEDED");
    expect(readdirSync(out)).toHaveLength(100);
  }, 60_000);

  it("GIVEN a Distributed Map with MaxConcurrency 2 over 6 items WHEN each job sleeps THEN at most 2 jobs ever run at once", async () => {
    const running = join(work, "mc-running");
    const seen = join(work, "mc-seen");
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "mc.json", Body: JSON.stringify([0, 1, 2, 3, 4, 5]) }));
    const script =
      `mkdir -p ${running}; touch ${running}/$N; ls ${running} | wc -l >> ${seen}; sleep 0.6; rm ${running}/$N`;
    const job = batchTask(["sh", "-c", script], { End: true, ResultPath: null });
    (job.Parameters as any).ContainerOverrides.Environment = [{ Name: "N", "Value.$": "States.Format('{}', $.n)" }];
    const definition = single({
      Type: "Map",
      ResultPath: null,
      MaxConcurrency: 2,
      ItemReader: {
        Resource: "arn:aws:states:::s3:getObject",
        ReaderConfig: { InputType: "JSON" },
        Parameters: { Bucket: BUCKET, Key: "mc.json" },
      },
      ItemSelector: { "n.$": "$$.Map.Item.Value" },
      ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Job", States: { Job: job } },
    });

    const r = await runDefinition(sfn, definition);

    expect(r.status, r.cause).toBe("SUCCEEDED");
    const counts = readFileSync(seen, "utf8").trim().split("\n").map(Number);
    expect(counts).toHaveLength(6);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
  }, 20_000);

  it("GIVEN a Distributed Map where one of 4 jobs fails WHEN it runs THEN the Map fails with States.ExceedToleratedFailureThreshold, unless ToleratedFailureCount allows it", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "four.json", Body: JSON.stringify([0, 1, 2, 3]) }));
    const map = (extra: Record<string, unknown>) =>
      single({
        Type: "Map",
        ResultPath: null,
        ItemReader: {
          Resource: "arn:aws:states:::s3:getObject",
          ReaderConfig: { InputType: "JSON" },
          Parameters: { Bucket: BUCKET, Key: "four.json" },
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
          StartAt: "Job",
          States: { Job: { ...batchTask({ "Command.$": "States.Array('sh', '-c', States.Format('test {} -ne 1', $))" }), End: true } },
        },
        ...extra,
      });

    const strict = await runDefinition(sfn, map({}));
    const tolerant = await runDefinition(sfn, map({ ToleratedFailureCount: 1 }));

    expect(strict.status).toBe("FAILED");
    expect(strict.error).toBe("States.ExceedToleratedFailureThreshold");
    expect(eventTypes(strict.history)).toEqual(expect.arrayContaining(["MapRunFailed", "MapStateFailed"]));
    expect(tolerant.status).toBe("SUCCEEDED");
  }, 20_000);

  it("GIVEN a Parallel whose branch job fails while the other branch's job still runs WHEN a Catch on States.TaskFailed handles it THEN the error is the branch's States.TaskFailed and the other job is terminated", async () => {
    const pidFile = join(work, "parallel-long-pid");
    const definition = {
      StartAt: "Split",
      States: {
        Split: {
          Type: "Parallel",
          Next: "Done",
          Catch: [{ ErrorEquals: ["States.TaskFailed"], ResultPath: "$.failure", Next: "Caught" }],
          Branches: [
            { StartAt: "Fails", States: { Fails: { ...batchTask(["sh", "-c", "sleep 0.5; exit 4"]), End: true } } },
            {
              StartAt: "Long",
              States: { Long: { ...batchTask(["sh", "-c", `echo $$ > ${pidFile}; exec sleep 30`]), End: true } },
            },
          ],
        },
        Caught: { Type: "Pass", End: true },
        Done: { Type: "Succeed" },
      },
    };

    const r = await runDefinition(sfn, definition);

    expect(r.status, r.cause).toBe("SUCCEEDED");
    const failure = (r.output as { failure: { Error: string; Cause: string } }).failure;
    expect(failure.Error).toBe("States.TaskFailed");
    expect(JSON.parse(failure.Cause)).toMatchObject({ Container: { ExitCode: 4 } });
    const pid = Number(readFileSync(pidFile, "utf8"));
    const deadline = Date.now() + 5_000;
    while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
    expect(pidAlive(pid)).toBe(false);
  }, 20_000);
});

describe("aws-sdk integrations and error handling", () => {
  it("GIVEN switch.json in S3 WHEN an aws-sdk:s3:getObject Task parses it with States.StringToJson in ResultSelector THEN a Choice routes on the case", async () => {
    const definition = {
      StartAt: "Read",
      States: {
        Read: {
          Type: "Task",
          Resource: "arn:aws:states:::aws-sdk:s3:getObject",
          Parameters: { Bucket: BUCKET, "Key.$": "$.key" },
          ResultSelector: { "doc.$": "States.StringToJson($.Body)" },
          ResultPath: "$.switch",
          Next: "Route",
        },
        Route: {
          Type: "Choice",
          Choices: [{ Variable: "$.switch.doc.case", StringEquals: "big", Next: "Big" }],
          Default: "Small",
        },
        Big: { Type: "Pass", Result: "big", ResultPath: "$.went", End: true },
        Small: { Type: "Pass", Result: "small", ResultPath: "$.went", End: true },
      },
    };
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "sw/big.json", Body: '{"case":"big"}' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "sw/small.json", Body: '{"case":"small"}' }));
    const arn = await createMachine(sfn, definition);

    const big = await runExecution(sfn, arn, { key: "sw/big.json" });
    const small = await runExecution(sfn, arn, { key: "sw/small.json" });

    expect(big.output).toEqual({ key: "sw/big.json", switch: { doc: { case: "big" } }, went: "big" });
    expect(small.output).toMatchObject({ went: "small" });
  }, 15_000);

  it("GIVEN a failing job with Catch States.ALL WHEN it fails THEN an aws-sdk:s3:putObject records failed.json and the execution Succeeds", async () => {
    const definition = {
      StartAt: "Step",
      States: {
        Step: batchTask(["sh", "-c", "exit 7"], {
          ResultPath: null,
          Next: "Done",
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "Record" }],
        }),
        Record: {
          Type: "Task",
          Resource: "arn:aws:states:::aws-sdk:s3:putObject",
          Parameters: {
            Bucket: BUCKET,
            "Key.$": "States.Format('runs/{}/step/_/failed.json', $$.Execution.Name)",
            "Body.$": "$.failure",
          },
          ResultPath: null,
          Next: "Done",
        },
        Done: { Type: "Succeed" },
      },
    };

    const r = await runDefinition(sfn, definition, {}, { name: "catchrun" });

    expect(r.status).toBe("SUCCEEDED");
    const failed = JSON.parse(await s3Text("runs/catchrun/step/_/failed.json"));
    expect(failed.Error).toBe("States.TaskFailed");
    expect(JSON.parse(failed.Cause)).toMatchObject({ Status: "FAILED", Container: { ExitCode: 7 } });
  }, 15_000);

  it("GIVEN a machine that calls aws-sdk:sfn:listExecutions on $$.StateMachine.Id WHEN it runs THEN it sees itself RUNNING", async () => {
    const definition = single({
      Type: "Task",
      Resource: "arn:aws:states:::aws-sdk:sfn:listExecutions",
      Parameters: { "StateMachineArn.$": "$$.StateMachine.Id", StatusFilter: "RUNNING" },
      ResultSelector: { "count.$": "States.ArrayLength($.Executions)", "first.$": "$.Executions[0].Name" },
      ResultPath: "$.running",
    });

    const r = await runDefinition(sfn, definition, {}, { name: "self-listing" });

    expect(r.status, r.cause).toBe("SUCCEEDED");
    expect(r.output).toEqual({ running: { count: 1, first: "self-listing" } });
  }, 15_000);

  it("GIVEN a child machine WHEN a parent runs it with states:startExecution.sync:2 THEN the parent gets the child's output as JSON", async () => {
    const child = await createMachine(sfn, single({ Type: "Pass", Parameters: { "doubled.$": "States.MathAdd($.n, $.n)" } }));
    const definition = single({
      Type: "Task",
      Resource: "arn:aws:states:::states:startExecution.sync:2",
      Parameters: { StateMachineArn: child, Input: { "n.$": "$.n" } },
      ResultSelector: { "output.$": "$.Output", "status.$": "$.Status", "start.$": "$.StartDate" },
    });

    const r = await runDefinition(sfn, definition, { n: 21 });

    expect(r.status, r.cause).toBe("SUCCEEDED");
    expect(r.output).toMatchObject({ output: { doubled: 42 }, status: "SUCCEEDED" });
    expect(typeof (r.output as { start: unknown }).start).toBe("number"); // epoch ms, as on AWS
  }, 15_000);

  it("GIVEN a missing S3 key WHEN aws-sdk:s3:getObject reads it THEN the error is S3.NoSuchKeyException and a Catch on it routes", async () => {
    const definition = {
      StartAt: "Read",
      States: {
        Read: {
          Type: "Task",
          Resource: "arn:aws:states:::aws-sdk:s3:getObject",
          Parameters: { Bucket: BUCKET, Key: "no/such/key.json" },
          Catch: [{ ErrorEquals: ["S3.NoSuchKeyException"], ResultPath: "$.err", Next: "Missing" }],
          End: true,
        },
        Missing: { Type: "Pass", End: true },
      },
    };

    const r = await runDefinition(sfn, definition);

    expect(r.status).toBe("SUCCEEDED");
    expect((r.output as { err: { Error: string } }).err.Error).toBe("S3.NoSuchKeyException");
  }, 15_000);
});

describe("moto bugs patched by the launcher", () => {
  const pass = { StartAt: "P", States: { P: { Type: "Pass", End: true } } };

  it("GIVEN one machine WHEN it is started twice back to back, named and unnamed THEN every execution runs (bugs 2 and 3)", async () => {
    const arn = await createMachine(sfn, pass);

    const first = await runExecution(sfn, arn, { n: 1 }, { name: "first" });
    const second = await runExecution(sfn, arn, { n: 2 }, { name: "second" });
    const unnamed1 = await runExecution(sfn, arn, { n: 3 });
    const unnamed2 = await runExecution(sfn, arn, { n: 4 });

    expect([first, second, unnamed1, unnamed2].map((r) => r.status)).toEqual(Array(4).fill("SUCCEEDED"));
    expect(unnamed1.executionArn).not.toMatch(/:None$/);
    expect(unnamed1.executionArn).not.toBe(unnamed2.executionArn);
    expect(unnamed2.output).toEqual({ n: 4 });
  }, 15_000);

  it("GIVEN an invalid definition WHEN CreateStateMachine is called THEN the SDK throws InvalidDefinition, not a TypeError (bug 4)", async () => {
    const bad = { StartAt: "X", States: { X: { Type: "Nope", End: true } } };
    const err = await createMachine(sfn, bad).then(
      () => undefined,
      (e: unknown) => e as { name: string; $metadata?: { httpStatusCode?: number } },
    );
    expect(err?.name).toBe("InvalidDefinition");
    expect(err?.$metadata?.httpStatusCode).toBe(400);

    const missing = await sfn
      .send(new DescribeExecutionCommand({ executionArn: "arn:aws:states:us-east-1:123456789012:execution:nope:nope" }))
      .then(
        () => undefined,
        (e: unknown) => e as { name: string },
      );
    expect(missing?.name).toBe("ExecutionDoesNotExist");
  });

  it("GIVEN a machine published twice WHEN versions are listed, published, aliased, run and deleted THEN it behaves like AWS (bug 5)", async () => {
    const name = "versioned";
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name,
        definition: JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", Result: 1, End: true } } }),
        roleArn: SFN_ROLE_ARN,
        publish: true,
        versionDescription: "v1",
      }),
    );
    const arn = created.stateMachineArn!;
    const updated = await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: arn,
        definition: JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", Result: 2, End: true } } }),
        publish: true,
        versionDescription: "v2",
      }),
    );
    expect(updated.stateMachineVersionArn).toBe(`${arn}:2`);

    const listed = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }));
    expect(listed.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([`${arn}:2`, `${arn}:1`]);
    // Publishing without a change returns the latest version.
    const again = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn }));
    expect(again.stateMachineVersionArn).toBe(`${arn}:2`);

    const alias = await sfn.send(
      new CreateStateMachineAliasCommand({
        name: "live",
        routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }],
      }),
    );
    const viaAlias = await runExecution(sfn, alias.stateMachineAliasArn!);
    expect(viaAlias.output).toBe(1);
    await sfn.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn: alias.stateMachineAliasArn!,
        routingConfiguration: [{ stateMachineVersionArn: `${arn}:2`, weight: 100 }],
      }),
    );
    expect((await runExecution(sfn, alias.stateMachineAliasArn!)).output).toBe(2);
    expect((await runExecution(sfn, `${arn}:1`)).output).toBe(1);

    const conflict = await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${arn}:2` })).then(
      () => undefined,
      (e: unknown) => e as { name: string },
    );
    expect(conflict?.name).toBe("ConflictException");
    await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${arn}:1` }));
    const after = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }));
    expect(after.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([`${arn}:2`]);

    await sfn.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "flowc:flow", value: "demo" }] }));
    const tags = await sfn.send(new ListTagsForResourceCommand({ resourceArn: arn }));
    expect(tags.tags).toEqual([{ key: "flowc:flow", value: "demo" }]);
  }, 15_000);

  it("GIVEN runs started through two aliases, a version and the bare machine WHEN they are described and listed THEN each reports the alias and version it ran, and listing by an alias ARN returns only its own runs", async () => {
    const created = await sfn.send(new CreateStateMachineCommand({ name: "aliased", definition: JSON.stringify(pass), roleArn: SFN_ROLE_ARN, publish: true }));
    const arn = created.stateMachineArn!;
    const version = created.stateMachineVersionArn!;
    const alias = async (name: string) =>
      (await sfn.send(new CreateStateMachineAliasCommand({ name, routingConfiguration: [{ stateMachineVersionArn: version, weight: 100 }] }))).stateMachineAliasArn!;
    const [staging, prod] = [await alias("staging"), await alias("prod")];
    const runs = {
      staging: await runExecution(sfn, staging, {}, { name: "via-staging" }),
      prod: await runExecution(sfn, prod, {}, { name: "via-prod" }),
      version: await runExecution(sfn, version, {}, { name: "via-version" }),
      bare: await runExecution(sfn, arn, {}, { name: "bare" }),
    };
    const described = async (r: { executionArn: string }) => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: r.executionArn }));
      return { machine: d.stateMachineArn, alias: d.stateMachineAliasArn, version: d.stateMachineVersionArn };
    };
    expect(await described(runs.staging)).toEqual({ machine: arn, alias: staging, version });
    expect(await described(runs.prod)).toEqual({ machine: arn, alias: prod, version });
    expect(await described(runs.version)).toEqual({ machine: arn, alias: undefined, version });
    expect(await described(runs.bare)).toEqual({ machine: arn, alias: undefined, version: undefined });

    const list = async (target: string) => (await sfn.send(new ListExecutionsCommand({ stateMachineArn: target }))).executions!.map((e) => [e.name, e.stateMachineAliasArn]);
    expect(await list(prod)).toEqual([["via-prod", prod]]);
    expect(await list(staging)).toEqual([["via-staging", staging]]);
    expect((await list(arn)).map(([n]) => n).sort()).toEqual(["bare", "via-prod", "via-staging", "via-version"]);
    const paged = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 3 }));
    expect(paged.executions).toHaveLength(3);
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 3, nextToken: paged.nextToken }))).executions).toHaveLength(1);
  }, 30_000);

  it("GIVEN a Distributed Map over 2,500 items with MaxConcurrency 2 (1,250 items per worker, past Python's recursion limit) and a ResultWriter whose Prefix comes from the state input WHEN it runs THEN it SUCCEEDS and the manifest lands under that prefix", async () => {
    const items = Array.from({ length: 2500 }, (_, i) => String(i));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "wide/items.json", Body: JSON.stringify(items) }));
    const r = await runDefinition(
      sfn,
      {
        StartAt: "M",
        States: {
          M: {
            Type: "Map",
            ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "JSON" }, Parameters: { Bucket: BUCKET, Key: "wide/items.json" } },
            ItemSelector: { "item.$": "$$.Map.Item.Value" },
            ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "P", States: { P: { Type: "Pass", OutputPath: null, End: true } } },
            MaxConcurrency: 2,
            ResultWriter: { Resource: "arn:aws:states:::s3:putObject", Parameters: { Bucket: BUCKET, "Prefix.$": "States.Format('wide/{}/map-run', $.run)" } },
            ResultPath: "$.written",
            End: true,
          },
        },
      },
      { run: "r1" },
      { timeoutMs: 120_000 },
    );
    expect(r.status, `${r.error}: ${r.cause}`).toBe("SUCCEEDED");
    const written = (r.output as { written: { ResultWriterDetails: { Bucket: string; Key: string } } }).written.ResultWriterDetails;
    expect(written.Key).toMatch(/^wide\/r1\/map-run\/[^/]+\/manifest\.json$/);
    const manifest = await s3.send(new GetObjectCommand({ Bucket: written.Bucket, Key: written.Key }));
    expect(JSON.parse(await manifest.Body!.transformToString())).toMatchObject({ DestinationBucket: BUCKET });
  }, 150_000);
});

describe("intrinsic functions and the context object in the interpreter", () => {
  it("GIVEN a Batch Command built with States.Array/States.Format from $.runId and $$.Execution.Name WHEN it runs THEN the job gets exactly that argv", async () => {
    const out = join(work, "intrinsic-out");
    const definition = single(
      batchTask({
        "Command.$": "States.Array('sh', '-c', States.Format('echo {} {} > {}', $.runId, $$.Execution.Name, $.out))",
      }),
    );
    (definition as any).States.Only.Parameters.ContainerOverrides.Environment = [
      { Name: "FLOWC_ATTEMPT", "Value.$": "States.Format('{}', $$.State.RetryCount)" },
    ];

    const r = await runDefinition(sfn, definition, { runId: "r-42", out }, { name: "exec-name" });

    expect(r.status, r.cause).toBe("SUCCEEDED");
    expect(readFileSync(out, "utf8")).toBe("r-42 exec-name\n");
    const job = r.output as Record<string, any>;
    expect(job.Container.Command).toEqual(["sh", "-c", `echo r-42 exec-name > ${out}`]);
    expect(job.Container.Environment).toEqual(expect.arrayContaining([{ Name: "FLOWC_ATTEMPT", Value: "0" }]));
  }, 15_000);

  it("GIVEN a Pass state using the context object and every intrinsic family WHEN it runs THEN the values match AWS", async () => {
    const definition = single({
      Type: "Pass",
      Parameters: {
        "name.$": "$$.Execution.Name",
        "id.$": "$$.Execution.Id",
        "input.$": "$$.Execution.Input",
        "start.$": "$$.Execution.StartTime",
        "machine.$": "$$.StateMachine.Id",
        "machineName.$": "$$.StateMachine.Name",
        "state.$": "$$.State.Name",
        "entered.$": "$$.State.EnteredTime",
        "array.$": "States.Array('a', $.n, States.Format('x{}', $.n))",
        "format.$": "States.Format('{} and {}', $.s, $.n)",
        "length.$": "States.ArrayLength($.arr)",
        "json.$": "States.JsonToString($.obj)",
        "parsed.$": "States.StringToJson('{\"k\":1}')",
        "merged.$": "States.JsonMerge($.obj, $.obj2, false)",
        "contains.$": "States.ArrayContains($.arr, 2)",
        "partition.$": "States.ArrayPartition($.arr, 2)",
        "range.$": "States.ArrayRange(1, 5, 2)",
        "item.$": "States.ArrayGetItem($.arr, 1)",
        "unique.$": "States.ArrayUnique($.arr)",
        "sum.$": "States.MathAdd($.n, 1)",
        "split.$": "States.StringSplit('a,b', ',')",
        "b64.$": "States.Base64Encode($.s)",
        "unb64.$": "States.Base64Decode('aGk=')",
        "hash.$": "States.Hash($.s, 'SHA-256')",
        "uuid.$": "States.UUID()",
        "first.$": "$.objs[0].v",
        "all.$": "$.objs[*].v",
      },
    });
    const input = { n: 3, s: "hi", arr: [1, 2, 2, 3], obj: { a: 1 }, obj2: { b: 2 }, objs: [{ v: "only" }] };

    const r = await runDefinition(sfn, definition, input, { name: "ctx-run" });

    expect(r.status, r.cause).toBe("SUCCEEDED");
    const o = r.output as Record<string, any>;
    expect(o).toMatchObject({
      name: "ctx-run",
      input,
      state: "Only",
      array: ["a", 3, "x3"],
      format: "hi and 3",
      length: 4,
      json: '{"a":1}',
      parsed: { k: 1 },
      merged: { a: 1, b: 2 },
      contains: true,
      partition: [
        [1, 2],
        [2, 3],
      ],
      range: [1, 3, 5],
      item: 2,
      unique: [1, 2, 3],
      sum: 4,
      split: ["a", "b"],
      b64: "aGk=",
      unb64: "hi",
      hash: "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4",
      first: "only",
      all: ["only"],
    });
    expect(o.id).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:[^:]+:ctx-run$/);
    expect(o.machine).toBe(o.id.replace(":execution:", ":stateMachine:").replace(/:ctx-run$/, ""));
    expect(o.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(o.entered).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(o.uuid).toMatch(/^[0-9a-f-]{36}$/);
  }, 15_000);

  it("GIVEN $$.State.RetryCount in a Pass state WHEN it runs THEN moto fails with States.Runtime (RetryCount exists only in Task, Parallel and Map states)", async () => {
    const r = await runDefinition(sfn, single({ Type: "Pass", Parameters: { "n.$": "$$.State.RetryCount" } }));
    expect(r.status).toBe("FAILED");
    expect(r.error).toBe("States.Runtime");
  }, 15_000);

  it("GIVEN an execution input WHEN StartExecution carries no name THEN $$.Execution.Name is a generated uuid", async () => {
    const arn = await createMachine(sfn, single({ Type: "Pass", Parameters: { "name.$": "$$.Execution.Name" } }));
    const executionArn = (await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }))).executionArn!;
    const r = await waitForExecution(sfn, executionArn);
    const name = (r.output as { name: string }).name;
    expect(name).toMatch(/^[0-9a-f-]{36}$/);
    expect(executionArn.endsWith(`:${name}`)).toBe(true);
  }, 15_000);
});
