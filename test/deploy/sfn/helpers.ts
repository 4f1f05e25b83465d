// Shared by the sfn deploy suites: a local AWS (the CI's moto when FLOWC_MOTO_ENDPOINT is set, else
// one of our own), a throw-away project (config, bucket, role, flows with unique names so suites can
// share one moto), the CLI run in-process, and a normalized snapshot of everything flowc owns.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { EventBridgeClient, ListRulesCommand, ListTagsForResourceCommand as ListRuleTags, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll } from "vitest";
import { setAwsTestHook, type AwsCall, type Fault } from "../../../src/aws/testing.ts";
import { main } from "../../../src/cli/main.ts";
import { MOTO_CONFIG, startMoto } from "../../harness/moto.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
const CREDS = { accessKeyId: "test", secretAccessKey: "test" };

export interface LocalAws {
  endpoint: string;
  stop(): Promise<void>;
}

/** The CI's shared moto, or our own. Suites never reset it: every name they create is unique. */
export async function localAws(): Promise<LocalAws> {
  const shared = process.env.FLOWC_MOTO_ENDPOINT;
  if (shared) {
    // The interpreter (execution mode) keeps state machines in a store of its own: every suite that
    // shares this moto turns it on, as the harness does, before creating anything.
    await fetch(`${shared}/moto-api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(MOTO_CONFIG) });
    return { endpoint: shared, stop: async () => {} };
  }
  const moto = await startMoto();
  return { endpoint: moto.endpoint, stop: () => moto.stop() };
}

/** The test file's local AWS: started before its tests, stopped after them (`endpoint` is set by then). */
export function useLocalAws(): LocalAws {
  const handle: LocalAws = { endpoint: "", stop: async () => {} };
  beforeAll(async () => {
    Object.assign(handle, await localAws());
  }, 60_000);
  afterAll(() => handle.stop());
  return handle;
}

export const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

export const uid = () => randomBytes(4).toString("hex");

export interface Clients {
  sfn: SFNClient;
  scheduler: SchedulerClient;
  events: EventBridgeClient;
  s3: S3Client;
  iam: IAMClient;
}

export function clients(endpoint: string): Clients {
  const cfg = { endpoint, region: REGION, credentials: CREDS };
  return { sfn: new SFNClient(cfg), scheduler: new SchedulerClient(cfg), events: new EventBridgeClient(cfg), s3: new S3Client({ ...cfg, forcePathStyle: true }), iam: new IAMClient(cfg) };
}

export interface Project {
  dir: string;
  endpoint: string;
  bucket: string;
  role: string;
  aws: Clients;
}

export interface EnvSpec {
  name: string;
  datastore?: string;
  tags?: Record<string, string>;
  stateMachineName?: string;
  extra?: string;
  /** YAML lines of the environment itself (beside `sfn:`), e.g. `notify:`. */
  envExtra?: string;
}

/** A folder with flowc.config.yaml (environments as given), and the bucket and role it names. */
export async function project(endpoint: string, envs: EnvSpec[] = [{ name: "test" }]): Promise<Project> {
  const id = uid();
  const dir = mkdtempSync(join(tmpdir(), "flowc-deploy-sfn-"));
  const bucket = `flowc-deploy-${id}`;
  const role = `flowc-sfn-${id}`;
  const aws = clients(endpoint);
  await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await aws.iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
  const lines = ["environments:"];
  for (const e of envs) {
    lines.push(
      `  ${e.name}:`,
      `    datastore: ${e.datastore ?? `s3://${bucket}/${e.name}`}`,
      "    image: local/flowc:1",
      `    tags: ${JSON.stringify(e.tags ?? { team: "recs" })}`,
      ...(e.envExtra ? e.envExtra.split("\n").map((l) => `    ${l}`) : []),
      "    sfn:",
      `      region: ${REGION}`,
      `      account: "${ACCOUNT}"`,
      `      stateMachineRoleArn: arn:aws:iam::${ACCOUNT}:role/${role}`,
      `      schedulerRoleArn: arn:aws:iam::${ACCOUNT}:role/flowc-scheduler`,
      `      eventsRoleArn: arn:aws:iam::${ACCOUNT}:role/flowc-events`,
      "      batch: { jobQueue: flowc-q, jobDefinition: flowc-jd }",
      ...(e.stateMachineName ? [`      stateMachineName: ${e.stateMachineName}`] : []),
      ...(e.extra ? e.extra.split("\n").map((l) => `      ${l}`) : []),
    );
  }
  writeFileSync(join(dir, "flowc.config.yaml"), `${lines.join("\n")}\n`);
  return { dir, endpoint, bucket, role, aws };
}

/** Writes a flow into the project under a unique name (`<base>-<id>`); returns its file and name. */
export function writeFlow(p: Project, text: string, file = "flow.yaml"): { file: string; name: string } {
  const m = /^name:\s*(\S+)/m.exec(text) ?? /name:\s*"([^"]+)"/.exec(text);
  if (!m) throw new Error("the flow has no name");
  const name = `${m[1]}-${uid()}`;
  writeFileSync(join(p.dir, file), text.replace(m[0], m[0].replace(m[1]!, name)));
  return { file, name };
}

/** Rewrites a flow file in place, keeping its (unique) name. */
export function rewriteFlow(p: Project, flow: { file: string; name: string }, text: string): void {
  const m = /^name:\s*(\S+)/m.exec(text) ?? /name:\s*"([^"]+)"/.exec(text);
  writeFileSync(join(p.dir, flow.file), text.replace(m![0], m![0].replace(m![1]!, flow.name)));
}

export const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The CLI, in-process (so the test hook sees its AWS calls), in the project's folder. */
export async function flowc(p: Project, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: false,
    env: { PATH: process.env.PATH, AWS_ENDPOINT_URL: p.endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    cwd: p.dir,
  });
  return { code, stdout, stderr };
}

/** Records every AWS attempt flowc makes while `fn` runs; `fault` may inject one at a position. */
export async function recordCalls<T>(fn: () => Promise<T>, fault?: (call: AwsCall) => Fault | undefined): Promise<{ result: T; calls: AwsCall[] }> {
  const calls: AwsCall[] = [];
  setAwsTestHook({
    retryBaseMs: 1,
    beforeCall: (c) => {
      calls.push({ ...c });
      return fault?.(c);
    },
  });
  try {
    return { result: await fn(), calls };
  } finally {
    setAwsTestHook(undefined);
  }
}

export const writes = (calls: AwsCall[]) => calls.filter((c) => c.write);

async function orNone<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (/NotFound|DoesNotExist|NoSuch/.test((e as Error).name) || status === 404) return undefined;
    throw e;
  }
}

const sortKeys = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sortKeys) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v;

/**
 * Everything flowc owns for a flow in some environments, read with the SDK (not flowc's own code),
 * normalized: the unique flow name and content hashes are replaced, times and ARNs of versions
 * dropped. Two deploys of the same flow leave equal snapshots.
 */
export async function snapshot(p: Project, flow: string, envs: string[], machine = flow): Promise<unknown> {
  const { sfn, scheduler, events, s3, iam } = p.aws;
  const out: Record<string, unknown> = {};
  const d = await orNone(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn(machine) })));
  if (d) {
    const tags = await sfn.send(new ListTagsForResourceCommand({ resourceArn: machineArn(machine) }));
    const versions = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: machineArn(machine) }));
    const defs = [];
    for (const v of versions.stateMachineVersions ?? []) {
      const vd = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: v.stateMachineVersionArn }));
      defs.push({ definition: JSON.parse(vd.definition!), roleArn: vd.roleArn, description: vd.description });
    }
    const aliases = await sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn: machineArn(machine) }));
    const aliasViews: Record<string, unknown> = {};
    for (const a of aliases.stateMachineAliases ?? []) {
      const ad = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: a.stateMachineAliasArn }));
      const v = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: ad.routingConfiguration![0]!.stateMachineVersionArn }));
      aliasViews[ad.name!] = { runs: JSON.parse(v.definition!), description: ad.description };
    }
    out.machine = {
      definition: JSON.parse(d.definition!),
      roleArn: d.roleArn,
      logging: d.loggingConfiguration,
      tracing: d.tracingConfiguration,
      tags: Object.fromEntries((tags.tags ?? []).map((t) => [t.key, t.value])),
      versions: defs.map((x) => normalize(JSON.stringify(sortKeys(x)), flow)).sort(),
      aliases: aliasViews,
    };
  }
  for (const env of envs) {
    const e: Record<string, unknown> = {};
    const name = `${flow}-${env}`;
    const listed = await scheduler.send(new ListSchedulesCommand({ NamePrefix: name }));
    for (const s of listed.Schedules ?? []) {
      if (s.Name !== name) continue;
      const g = await scheduler.send(new GetScheduleCommand({ Name: s.Name, GroupName: s.GroupName }));
      e[`schedule ${s.GroupName}/${s.Name}`] = { ...g, Arn: undefined, CreationDate: undefined, LastModificationDate: undefined, $metadata: undefined };
    }
    const rules = await events.send(new ListRulesCommand({ NamePrefix: `${flow}-${env}-` }));
    for (const r of rules.Rules ?? []) {
      const tags = await events.send(new ListRuleTags({ ResourceARN: r.Arn }));
      const targets = await events.send(new ListTargetsByRuleCommand({ Rule: r.Name }));
      e[`rule ${r.Name}`] = { pattern: JSON.parse(r.EventPattern!), state: r.State, description: r.Description, tags: Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key, t.Value])), targets: targets.Targets };
    }
    const policy = await orNone(iam.send(new GetRolePolicyCommand({ RoleName: p.role, PolicyName: `flowc-${flow}-${env}` })));
    if (policy) e.policy = JSON.parse(decodeURIComponent(policy.PolicyDocument!));
    out[env] = e;
  }
  void s3;
  return JSON.parse(normalize(JSON.stringify(sortKeys(out)), flow));
}

/** The unique flow name and content hashes out, so snapshots of two flows of the same text compare equal. */
const normalize = (text: string, flow: string) => text.replaceAll(flow, "FLOW").replace(/[0-9a-f]{64}/g, "SHA").replace(/hash=[0-9a-f]{12}/g, "hash=HASH");

export async function objectExists(p: Project, key: string): Promise<boolean> {
  return !!(await orNone(p.aws.s3.send(new HeadObjectCommand({ Bucket: p.bucket, Key: key }))));
}

/**
 * The safety invariant: every schedule and trigger rule of the flow starts an alias that exists.
 * Returns the targets that do not.
 */
export async function danglingTargets(p: Project, flow: string, envs: string[]): Promise<string[]> {
  const { sfn, scheduler, events } = p.aws;
  const targets: string[] = [];
  for (const env of envs) {
    const listed = await scheduler.send(new ListSchedulesCommand({ NamePrefix: `${flow}-${env}` }));
    for (const s of listed.Schedules ?? []) targets.push(s.Target!.Arn!);
    const rules = await events.send(new ListRulesCommand({ NamePrefix: `${flow}-${env}-` }));
    for (const r of rules.Rules ?? []) {
      const t = await events.send(new ListTargetsByRuleCommand({ Rule: r.Name }));
      targets.push(...(t.Targets ?? []).map((x) => x.Arn!));
    }
  }
  const missing: string[] = [];
  for (const arn of targets) if (!(await orNone(sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: arn }))))) missing.push(arn);
  return missing;
}
