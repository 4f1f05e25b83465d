// Runs compiled state machines on the moto harness (test/harness), with a fake `flowc` in every Batch
// job that records how it was called (see ./fake-flowc/flowc).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateStateMachineAliasCommand, CreateStateMachineCommand, SFNClient } from "@aws-sdk/client-sfn";
import type { CompileResult } from "../../../src/compile/types.ts";
import type { EnvConfig } from "../../../src/config/types.ts";
import type { FlowIR } from "../../../src/flow/ir.ts";
import type { Graph } from "../../../src/graph/types.ts";
import { setupBatch } from "../../harness/batch.ts";
import { startMoto, type MotoHandle } from "../../harness/moto.ts";
import { runExecution, type ExecutionResult } from "../../harness/sfn.ts";
import { asl, testEnv } from "./helpers.ts";

export const BUCKET = "flowc-moto";
export const QUEUE = "flowc-q";
export const JOBDEF = "flowc-jd";

export interface Call {
  step: string;
  index: string;
  attempt: number;
  runId: string;
  env: Record<string, string>;
}

export interface Behaviour {
  fail?: string[];
  flaky?: string[];
  sleep?: Record<string, number>;
}

/** One moto for a test file: S3 bucket, Batch queue, and the fake flowc on the jobs' PATH. */
export class MotoRig {
  moto!: MotoHandle;
  sfn!: SFNClient;
  s3!: S3Client;
  dir = mkdtempSync(join(tmpdir(), "flowc-sfn-moto-"));
  private machines = 0;
  private definitions = new Set<string>();

  async start(): Promise<void> {
    this.moto = await startMoto({ env: { FAKE_FLOWC_DIR: this.dir }, pathPrepend: [fileURLToPath(new URL("./fake-flowc", import.meta.url))] });
    this.sfn = new SFNClient(this.moto.clientConfig);
    this.s3 = new S3Client(this.moto.clientConfig);
    await this.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await this.jobDefinition(JOBDEF);
  }

  async stop(): Promise<void> {
    this.sfn?.destroy();
    this.s3?.destroy();
    await this.moto?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The environment compiled flows run in: moto's region and account, its queue and bucket. */
  env(name = "prod"): EnvConfig {
    const e = testEnv(name);
    const compute = e.sfn!.compute.kind === "batch" ? { kind: "batch" as const, jobQueue: QUEUE, jobDefinition: JOBDEF } : e.sfn!.compute;
    return { ...e, datastore: `s3://${BUCKET}/runs`, sfn: { ...e.sfn!, region: "us-east-1", account: "123456789012", compute } };
  }

  async jobDefinition(name: string): Promise<void> {
    if (this.definitions.has(name)) return;
    this.definitions.add(name);
    await setupBatch(this.moto.clientConfig, { jobQueue: QUEUE, jobDefinition: name });
  }

  /**
   * Creates the machine (published, with the environment's alias, as deploy does) and returns the alias
   * ARN. A flow split into a family: children first, each parent's references pinned to the version
   * its child got, as `flowc deploy` does.
   */
  async deploy(result: CompileResult, envName: string): Promise<string> {
    const jobDefinitions = (result.manifest.resources.jobDefinitions ?? {}) as Record<string, string>;
    for (const name of Object.keys(jobDefinitions)) await this.jobDefinition(name);
    const resources = result.manifest.resources as Record<string, Record<string, string>>;
    const name = String(resources[`${result.manifest.flow}.asl.json`]!.stateMachine);
    // One machine name per deploy: a flow is deployed in several tests. Children's names start with the parent's.
    const machine = `${name}-${++this.machines}`;
    const rename = (text: string) => text.replaceAll(`:stateMachine:${name}`, `:stateMachine:${machine}`);
    const family = result.files.filter((f) => f.name.endsWith(".asl.json")).map((f) => ({ file: f.name, text: JSON.stringify(JSON.parse(f.content)), stateMachine: resources[f.name]!.stateMachine! }));
    const depth = (file: string): number => (resources[file]!.parent ? 1 + depth(resources[file]!.parent!) : 0);
    const pinned = new Map<string, string>();
    let created: { stateMachineVersionArn?: string } = {};
    for (const m of family.sort((a, b) => depth(b.file) - depth(a.file))) {
      let definition = rename(m.text);
      for (const [arn, version] of pinned) definition = definition.replaceAll(`"${arn}"`, `"${version}"`);
      const own = rename(`:stateMachine:${m.stateMachine}`).slice(":stateMachine:".length);
      created = await this.sfn.send(new CreateStateMachineCommand({ name: own, definition, roleArn: "arn:aws:iam::123456789012:role/flowc-sfn", publish: true }));
      pinned.set(created.stateMachineVersionArn!.replace(/:\d+$/, ""), created.stateMachineVersionArn!);
    }
    const alias = await this.sfn.send(
      new CreateStateMachineAliasCommand({ name: envName, routingConfiguration: [{ stateMachineVersionArn: created.stateMachineVersionArn!, weight: 100 }] }),
    );
    return alias.stateMachineAliasArn!;
  }

  async put(key: string, body: unknown): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `runs/${key}`, Body: JSON.stringify(body) }));
  }

  async get(key: string): Promise<unknown> {
    try {
      const o = await this.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `runs/${key}` }));
      return JSON.parse(await o.Body!.transformToString());
    } catch {
      return undefined;
    }
  }

  /** Runs one execution with a fresh call log; returns the result and the calls flowc step received. */
  async run(aliasArn: string, runId: string, input: unknown, behaviour: Behaviour = {}, timeoutMs = 60_000): Promise<{ result: ExecutionResult; calls: Call[] }> {
    const log = join(this.dir, "calls.jsonl");
    if (existsSync(log)) rmSync(log);
    writeFileSync(join(this.dir, "behaviour.json"), JSON.stringify(behaviour));
    const result = await runExecution(this.sfn, aliasArn, input, { name: runId, timeoutMs });
    const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Call) : [];
    return { result, calls };
  }
}

const ITEMS = 2;

/**
 * What a run does when every foreach has two items and every switch takes its first case: the
 * (step, index) tasks, and the datastore files (foreach.json, switch.json) the steps would have written.
 */
export function plan(ir: FlowIR, graph: Graph, runId: string, caseOf: (step: string) => string = () => ""): { tasks: string[]; files: Record<string, unknown> } {
  const tasks = new Set<string>();
  const files: Record<string, unknown> = {};
  const key = (step: string, index: string, file: string) => `${ir.name}/${runId}/${step}/${index || "_"}/${file}`;
  const visit = (step: string, index: string, closer: string | undefined): void => {
    if (step === closer || tasks.has(`${step}@${index}`)) return;
    tasks.add(`${step}@${index}`);
    const node = graph.nodes.get(step)!;
    const t = node.step.transition;
    if (t.kind === "linear") visit(t.next, index, closer);
    else if (t.kind === "split") {
      for (const c of t.next) visit(c, index, node.closedBy);
      visit(node.closedBy!, index, closer);
    } else if (t.kind === "foreach") {
      const items = Array.from({ length: ITEMS }, (_, i) => (index ? `${index}.${i}` : String(i)));
      files[key(step, index, "foreach.json")] = items;
      for (const item of items) visit(t.next, item, node.closedBy);
      visit(node.closedBy!, index, closer);
    } else if (t.kind === "switch") {
      const chosen = t.cases.find((c) => c.value === caseOf(step)) ?? t.cases[0]!;
      files[key(step, index, "switch.json")] = { case: chosen.value };
      visit(chosen.next, index, closer);
    }
  };
  visit("start", "", undefined);
  return { tasks: [...tasks].sort(), files };
}
