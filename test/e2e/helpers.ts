// The end-to-end rig (docs/e2e.md): a local AWS (a moto of the suite's own, with test/e2e/moto_e2e.py's
// fixes) where Step Functions runs deployed state machines and every Batch job runs `flowc step` as a
// real process,
// a throw-away project (config, bucket, role, queue, job definitions) with unique names, the CLI in
// process for deploy/trigger, the built CLI as a subprocess for `flowc run`, and the datastore of a
// run read back (S3 or a folder) as one normalized view per task, so two runs compare with toEqual.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeExecutionCommand, type HistoryEvent, SFNClient } from "@aws-sdk/client-sfn";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { main } from "../../src/cli/main.ts";
import { batchApi, setupBatch } from "../harness/batch.ts";
import { MOTO_CONFIG, startMoto, useMoto, type MotoHandle } from "../harness/moto.ts";
import { executionHistory } from "../harness/sfn.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export const ROOT = join(import.meta.dirname, "../..");
export const BIN = join(ROOT, "bin/flowc");
export const EXAMPLES = join(ROOT, "examples");
export const FIXTURES = join(import.meta.dirname, "fixtures");
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export const uid = () => randomBytes(4).toString("hex");
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `npm test` builds first; a bare `vitest run test/e2e` rebuilds dist/ when src/ is newer (bin/flowc runs dist/cli.js). */
export { ensureBuilt } from "../runtime/helpers.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface EnvOptions {
  /** Extra YAML lines under `sfn:` (indented by the caller's two spaces). */
  sfn?: string[];
  /** Extra YAML lines of the environment itself, e.g. its `secrets:` (indented by the caller's two spaces). */
  lines?: string[];
}

/**
 * One per test file: a moto whose Batch jobs find bin/flowc on their PATH and run in the repo, and a
 * project on it whose every name is unique (`…-<id>`), so a shared server (never reset) works too.
 */
export class Rig {
  readonly id = uid();
  readonly bucket = `flowc-e2e-${this.id}`;
  readonly queue = `flowc-e2e-${this.id}`;
  readonly jobDefinition = `flowc-e2e-${this.id}`;
  readonly role = `flowc-e2e-sfn-${this.id}`;
  readonly dir = mkdtempSync(join(tmpdir(), "flowc-e2e-"));
  readonly config = join(this.dir, "flowc.config.yaml");
  moto!: MotoHandle & { shared: boolean };
  s3!: S3Client;
  sfn!: SFNClient;
  events!: EventBridgeClient;
  scheduler!: SchedulerClient;
  private envs = new Map<string, EnvOptions>();
  private definitions = new Set<string>();

  /**
   * Each rig runs its own moto with test/e2e/moto_e2e.py's fixes on top of the harness's launcher (the
   * shared CI server lacks them: DescribeJobs races SubmitJob under load, Choice rejects fractional
   * timestamps). FLOWC_E2E_SHARED_MOTO=1 makes rigs use `useMoto()`
   * instead — the CI server when there is one — for the day the harness has those fixes, except
   * rigs made with `{ ownMoto: true }` (a proof that needs a fix itself). FLOWC_E2E_MOTO_DEBUG=1 logs
   * why Distributed Map items fail.
   */
  constructor(private readonly opts: { ownMoto?: boolean } = {}) {}

  async start(): Promise<void> {
    const jobs = { pathPrepend: [join(ROOT, "bin")], jobCwd: ROOT };
    const debug = process.env.FLOWC_E2E_MOTO_DEBUG === "1";
    if (this.opts.ownMoto || process.env.FLOWC_E2E_SHARED_MOTO !== "1") {
      const wrapper = join(this.dir, "python-e2e");
      writeFileSync(wrapper, `#!/bin/sh\nexec "\${FLOWC_PYTHON:-python3}" ${JSON.stringify(join(import.meta.dirname, "moto_e2e.py"))} "$@"\n`, { mode: 0o755 });
      this.moto = { ...(await startMoto({ ...jobs, python: wrapper, env: debug ? { FLOWC_E2E_MOTO_DEBUG: "1" } : {} })), shared: false };
    } else {
      this.moto = await useMoto(jobs);
    }
    // Execution mode must be on before any machine is created (the shared server has it; a no-op then).
    await fetch(`${this.moto.endpoint}/moto-api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(MOTO_CONFIG) });
    const cfg = this.moto.clientConfig;
    this.s3 = new S3Client(cfg);
    this.sfn = new SFNClient(cfg);
    this.events = new EventBridgeClient(cfg);
    this.scheduler = new SchedulerClient(cfg);
    await this.s3.send(new CreateBucketCommand({ Bucket: this.bucket }));
    const iam = new IAMClient(cfg);
    await iam.send(new CreateRoleCommand({ RoleName: this.role, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
    iam.destroy();
    await this.registerDefinition(this.jobDefinition);
  }

  /** Run ids this rig started (trigger), so stop() can end anything their tasks left running. */
  readonly runIds = new Set<string>();

  async stop(): Promise<void> {
    // A task's command outlives a terminated `flowc step` (see the timeout test): do not leave any behind.
    for (const runId of this.runIds) for (const { pid } of processesOfRun(runId)) killQuietly(pid);
    this.s3?.destroy();
    this.sfn?.destroy();
    this.events?.destroy();
    this.scheduler?.destroy();
    await this.moto?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * CPU seconds used so far by moto itself and by the job processes it has reaped (Linux, private
   * moto only: the shared server's pid is unknown). For the timings in docs/e2e.md.
   */
  cpu(): { moto: number; jobs: number } | undefined {
    if (this.moto.pid <= 0) return undefined;
    try {
      const f = readFileSync(`/proc/${this.moto.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      const tick = 100; // USER_HZ
      return { moto: (Number(f[11]) + Number(f[12])) / tick, jobs: (Number(f[13]) + Number(f[14])) / tick };
    } catch {
      return undefined;
    }
  }

  /** A Batch job definition on the rig's queue (the launcher runs whatever command the Task gives). */
  async registerDefinition(name: string): Promise<void> {
    if (this.definitions.has(name)) return;
    this.definitions.add(name);
    await setupBatch(this.moto.clientConfig, { jobQueue: this.queue, jobDefinition: name, computeEnvironment: `flowc-e2e-ce-${this.id}` });
  }

  /**
   * Adds an environment to the rig's flowc.config.yaml: datastore s3://<bucket>/<env>, the rig's
   * queue and definition. Environment names are unique (`<base>-<id>`), so aliases, schedules and
   * rules never meet those of another suite on a shared moto.
   */
  env(base: string, opts: EnvOptions = {}): string {
    const name = `${base}-${this.id}`.slice(0, 20);
    this.envs.set(name, opts);
    const lines = ["environments:"];
    for (const [env, o] of this.envs) {
      lines.push(
        `  ${env}:`,
        `    datastore: s3://${this.bucket}/${env}`,
        "    image: flowc-e2e/local:1",
        ...(o.lines ?? []).map((l) => `    ${l}`),
        "    sfn:",
        `      region: ${REGION}`,
        `      account: "${ACCOUNT}"`,
        `      stateMachineRoleArn: arn:aws:iam::${ACCOUNT}:role/${this.role}`,
        `      schedulerRoleArn: arn:aws:iam::${ACCOUNT}:role/flowc-e2e-scheduler`,
        `      eventsRoleArn: arn:aws:iam::${ACCOUNT}:role/flowc-e2e-events`,
        `      batch: { jobQueue: ${this.queue}, jobDefinition: ${this.jobDefinition} }`,
        ...(o.sfn ?? []).map((l) => `      ${l}`),
      );
    }
    writeFileSync(this.config, `${lines.join("\n")}\n`);
    return name;
  }

  /** The CLI in this process, with the rig's config and moto's endpoint and credentials. */
  async cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    let stdout = "";
    let stderr = "";
    const code = await main([...args, "--config", this.config], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      isTTY: false,
      env: {
        PATH: process.env.PATH,
        AWS_ENDPOINT_URL: this.moto.endpoint,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: REGION,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        ...env,
      },
      cwd: ROOT,
    });
    return { code, stdout, stderr };
  }

  async ok(args: string[], env?: Record<string, string>): Promise<CliResult> {
    const r = await this.cli(args, env);
    if (r.code !== 0) throw new Error(`flowc ${args.join(" ")} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  /**
   * `flowc compile` (for the manifest: spec key, per-image job definitions), then `flowc deploy
   * --target sfn`. A step whose image is not the environment's runs on a job definition of its own
   * (`<definition>-<image>-<hash>`); if deploy did not register one (it only warns, in the builds
   * that cannot), the rig registers it, before anything starts the flow.
   */
  async deploy(flow: string, env: string): Promise<Manifest> {
    const out = join(this.dir, `bundle-${env}-${uid()}`);
    await this.ok(["compile", flow, "--target", "sfn", "--env", env, "--out", out]);
    const manifestFile = readdirSync(out).find((f) => f.endsWith(".manifest.json"))!;
    const manifest = JSON.parse(readFileSync(join(out, manifestFile), "utf8")) as Manifest;
    await this.ok(["deploy", flow, "--target", "sfn", "--env", env]);
    for (const name of Object.keys(manifest.resources.jobDefinitions ?? {})) {
      const found = await batchApi<{ jobDefinitions: unknown[] }>(this.moto.clientConfig, "DescribeJobDefinitions", { jobDefinitionName: name, status: "ACTIVE" });
      if (!found.jobDefinitions.length) await this.registerDefinition(name);
    }
    return manifest;
  }

  /** `flowc deploy` only (for flows whose tasks all use the environment's image). */
  async deployOnly(flow: string, env: string): Promise<CliResult> {
    return await this.ok(["deploy", flow, "--target", "sfn", "--env", env]);
  }

  /** `flowc trigger` with `--param k=v`; returns the execution ARN and its name (the run id). */
  async trigger(flow: string, env: string, params: Record<string, string> = {}): Promise<{ arn: string; runId: string }> {
    const args = ["trigger", flow, "--target", "sfn", "--env", env, "--format", "json"];
    for (const [k, v] of Object.entries(params)) args.push("--param", `${k}=${v}`);
    const r = await this.ok(args);
    const run = JSON.parse(r.stdout) as { id: string; name: string };
    this.runIds.add(run.name);
    return { arn: run.id, runId: run.name };
  }

  /** Polls DescribeExecution until the execution has ended; then reads its whole history. */
  async wait(executionArn: string, timeoutMs = 120_000): Promise<Execution> {
    const started = Date.now();
    for (;;) {
      const d = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== "RUNNING") {
        return { arn: executionArn, status: d.status!, error: d.error, cause: d.cause, startDate: d.startDate, stopDate: d.stopDate, history: await executionHistory(this.sfn, executionArn) };
      }
      if (Date.now() - started > timeoutMs) throw new Error(`execution ${executionArn} still RUNNING after ${timeoutMs} ms\n${this.moto.logTail(40)}`);
      await sleep(150);
    }
  }

  /** Every object under s3://<bucket>/<prefix>/, keyed by the path below it. */
  async s3Files(prefix: string): Promise<Map<string, Buffer>> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${prefix}/`, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys.push(o.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const files = new Map<string, Buffer>();
    for (let i = 0; i < keys.length; i += 32) {
      await Promise.all(
        keys.slice(i, i + 32).map(async (key) => {
          const o = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
          files.set(key.slice(prefix.length + 1), Buffer.from(await o.Body!.transformToByteArray()));
        }),
      );
    }
    return files;
  }

  /**
   * The Batch jobs of one run, read back with ListJobs + DescribeJobs on the rig's own queue: the
   * `flowc step` command each job ran (run id, step, index, attempt), its status and exit code.
   * Finished jobs are cached (they never change).
   */
  async jobsOfRun(runId: string): Promise<BatchJob[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await batchApi<{ jobSummaryList: { jobId: string }[]; nextToken?: string }>(this.moto.clientConfig, "ListJobs", {
        jobQueue: this.queue,
        filters: [{ name: "JOB_NAME", values: ["*"] }],
        ...(nextToken ? { nextToken } : {}),
      });
      ids.push(...r.jobSummaryList.map((j) => j.jobId));
      nextToken = r.nextToken;
    } while (nextToken);
    const unknown = ids.filter((id) => !this.jobs.has(id));
    for (let i = 0; i < unknown.length; i += 100) {
      const r = await batchApi<{ jobs: RawJob[] }>(this.moto.clientConfig, "DescribeJobs", { jobs: unknown.slice(i, i + 100) });
      for (const j of r.jobs) {
        const cmd = j.container?.command ?? [];
        const opt = (name: string) => {
          const k = cmd.indexOf(name);
          return k >= 0 ? cmd[k + 1] : undefined;
        };
        const job: BatchJob = {
          jobId: j.jobId,
          jobName: j.jobName,
          status: j.status,
          statusReason: j.statusReason,
          exitCode: j.container?.exitCode,
          reason: j.container?.reason,
          command: cmd,
          runId: opt("--run-id"),
          step: opt("--step"),
          index: opt("--index"),
          attempt: opt("--attempt") === undefined ? undefined : Number(opt("--attempt")),
        };
        if (j.status === "SUCCEEDED" || j.status === "FAILED") this.jobs.set(j.jobId, job);
        else this.pending.set(j.jobId, job);
      }
    }
    const all = [...this.jobs.values(), ...this.pending.values()];
    this.pending.clear();
    return all.filter((j) => j.runId === runId);
  }
  private jobs = new Map<string, BatchJob>();
  private pending = new Map<string, BatchJob>();
}

interface RawJob {
  jobId: string;
  jobName: string;
  status: string;
  statusReason?: string;
  container?: { command?: string[]; exitCode?: number; reason?: string };
}

export interface BatchJob {
  jobId: string;
  jobName: string;
  status: string;
  statusReason?: string;
  exitCode?: number;
  /** The harness puts the job's log folder and the end of its stderr here. */
  reason?: string;
  command: string[];
  runId?: string;
  step?: string;
  index?: string;
  attempt?: number;
}

export interface Manifest {
  flow: string;
  env: string;
  spec: { key: string; sha256: string };
  package?: { key: string };
  resources: Record<string, unknown> & { jobDefinitions?: Record<string, string> };
}

export interface Execution {
  arn: string;
  status: string;
  error?: string;
  cause?: string;
  startDate?: Date;
  stopDate?: Date;
  history: HistoryEvent[];
}

// ---------------------------------------------------------------------------------------------------
// Local runs
// ---------------------------------------------------------------------------------------------------

export interface LocalRunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  runId?: string;
  ms: number;
}

/** `flowc run` (the built CLI, as users run it) into a local datastore, from the repo root. */
export async function flowcRun(flow: string, datastore: string, params: Record<string, string> = {}, timeoutMs = 120_000): Promise<LocalRunResult> {
  const args = [BIN, "run", flow, "--datastore", datastore];
  for (const [k, v] of Object.entries(params)) args.push("--param", `${k}=${v}`);
  const started = Date.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
  child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  clearTimeout(timer);
  const runId = /run (\S+) of flow/.exec(stdout)?.[1];
  return { code, stdout, stderr, runId, ms: Date.now() - started };
}

/** Every file under a folder, keyed by its path below it (with `/`). */
export function localFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p).split(sep).join("/"), readFileSync(p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return files;
}

export const localRun = (datastore: string, flowName: string, runId: string): RunView => tasksOf(localFiles(join(datastore, flowName, runId)));

// ---------------------------------------------------------------------------------------------------
// What "the same run" means
// ---------------------------------------------------------------------------------------------------

/**
 * One task's results, as the step contract defines them, without what legitimately differs between
 * two runs of the same flow (docs/e2e.md, "What match means"):
 * - `done`: done.json without startedAt/finishedAt/durationMs and the attempt numbers (in `attempt`
 *   and in `inherited[*].at`), which depend on who counts retries;
 * - `outputs`: every artifact of the attempt that counts (done.json's attempt), by name → bytes as text;
 * - `items`: that attempt's items.json; `foreach`, `switch`, `failed` (the error without Step
 *   Functions' `States.` prefix; the cause is each platform's own text) — the control files the
 *   orchestrator reads;
 * - `stdout`: the log of the attempt that counts. stderr, meta.json (times, host, pid) and the
 *   attempt folders of failed attempts are left out.
 */
export interface TaskView {
  done?: Record<string, unknown>;
  outputs: Record<string, string>;
  items?: unknown;
  foreach?: unknown;
  switch?: unknown;
  failed?: string;
  stdout?: string;
}

export type RunView = Record<string, TaskView>;

/** `attempts`, when given, receives each finished task's counted attempt (left out of the views). */
export function tasksOf(files: Map<string, Buffer>, attempts?: Record<string, number>): RunView {
  const tasks: RunView = {};
  const task = (key: string): TaskView => (tasks[key] ??= { outputs: {} });
  const json = (b: Buffer) => JSON.parse(b.toString("utf8")) as unknown;
  // <step>/<idx>/<file>  or  <step>/<idx>/attempt-<n>/...
  for (const [path, body] of files) {
    const parts = path.split("/");
    if (parts.length < 3) continue; // run.json
    const key = `${parts[0]}/${parts[1]}`;
    if (parts.length === 3) {
      const t = task(key);
      if (parts[2] === "done.json") {
        const d = json(body) as Record<string, unknown>;
        const inherited = Object.fromEntries(
          Object.entries((d.inherited ?? {}) as Record<string, { at: string; enc?: string }>).map(([n, v]) => [n, { ...v, at: v.at.replace(/\/attempt-\d+$/, "") }]),
        );
        t.done = { step: d.step, index: d.index, artifacts: d.artifacts, encodings: d.encodings, inherited };
      } else if (parts[2] === "foreach.json") t.foreach = json(body);
      else if (parts[2] === "switch.json") t.switch = json(body);
      // Step Functions names errors States.TaskFailed / States.Timeout, flowc run TaskFailed / Timeout.
      else if (parts[2] === "failed.json") t.failed = String((json(body) as { error?: unknown }).error).replace(/^States\./, "");
    }
  }
  for (const [key, t] of Object.entries(tasks)) {
    const attempt = t.done ? (JSON.parse(files.get(`${key}/done.json`)!.toString("utf8")) as { attempt: number }).attempt : undefined;
    if (attempt === undefined) continue;
    if (attempts) attempts[key] = attempt;
    const base = `${key}/attempt-${attempt}/`;
    for (const [path, body] of files) {
      if (!path.startsWith(base)) continue;
      const rest = path.slice(base.length);
      if (rest.startsWith("outputs/")) t.outputs[rest.slice("outputs/".length)] = bytes(body);
      else if (rest === "items.json") t.items = json(body);
      else if (rest === "stdout") t.stdout = body.toString("utf8");
    }
  }
  return Object.fromEntries(Object.entries(tasks).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** An artifact's bytes as text when they are UTF-8 (readable diffs), else as base64: either way exact. */
const bytes = (b: Buffer): string => {
  const text = b.toString("utf8");
  return Buffer.from(text, "utf8").equals(b) ? text : `base64:${b.toString("base64")}`;
};

/** Tasks by step: how many tasks each step ran (a task = one (step, index) with a result). */
export function tasksPerStep(view: RunView): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of Object.keys(view)) {
    const step = key.split("/")[0]!;
    counts[step] = (counts[step] ?? 0) + 1;
  }
  return counts;
}

export function tempDir(prefix = "flowc-e2e-local-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Processes still running with FLOWC_RUN_ID=<runId> in their environment: what the tasks of a run
 * started (the command of a container step gets it). Linux /proc; other users' processes are skipped.
 */
export function processesOfRun(runId: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const name of existsSync("/proc") ? readdirSync("/proc") : []) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      if (!env.includes(`FLOWC_RUN_ID=${runId}`)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (/^\d+ \(.*\) Z/.test(stat)) continue; // a zombie runs nothing
      found.push({ pid: Number(name), cmd: readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ").trim() });
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

export function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** History events of one type, with their timestamps in ms. */
export function events(history: HistoryEvent[], ...types: string[]): HistoryEvent[] {
  return history.filter((e) => types.includes(e.type!));
}

// ---------------------------------------------------------------------------------------------------
// The proof: the same flow and parameters, deployed and triggered on Step Functions, and run locally
// ---------------------------------------------------------------------------------------------------

export interface Proof {
  flow: string;
  runId: string;
  execution: Execution;
  /** The deployed run's tasks, read from S3. */
  remote: RunView;
  /** The attempt that counts, per finished task of the deployed run. */
  attempts: Record<string, number>;
  /** Every file of each run, by path below `<flow>/<runId>/`. */
  remoteFiles: Map<string, Buffer>;
  localFiles: Map<string, Buffer>;
  /** `flowc run`'s tasks, read from its local datastore. */
  local: RunView;
  local_: LocalRunResult;
  jobs: BatchJob[];
  manifest: Manifest;
  /** Whether the spec (and code package) the tasks loaded are byte for byte the ones `flowc run` published. */
  samePackages: boolean;
  ms: { deploy: number; execution: number; local: number };
}

const deployed = new Map<string, Promise<{ manifest: Manifest; ms: number }>>();

/** Deploys once per (rig, flow file, environment); later calls reuse the deployment. */
export function deployOnce(rig: Rig, file: string, env: string): Promise<{ manifest: Manifest; ms: number }> {
  const key = `${rig.id} ${file} ${env}`;
  let p = deployed.get(key);
  if (!p) {
    const t = Date.now();
    p = rig.deploy(file, env).then((manifest) => ({ manifest, ms: Date.now() - t }));
    deployed.set(key, p);
  }
  return p;
}

/**
 * `flowc deploy` + `flowc trigger` + wait, and at the same time `flowc run` of the same file with the
 * same parameters into a fresh local datastore; then both runs read back as task views. Whether each
 * run succeeded is for the caller to check (`execution.status`, `local_.code`).
 */
export async function prove(rig: Rig, file: string, env: string, params: Record<string, string> = {}, timeoutMs = 240_000): Promise<Proof> {
  const ds = tempDir();
  try {
    const { manifest, ms: deployMs } = await deployOnce(rig, file, env);
    const cpu0 = rig.cpu();
    const [remote, local_] = await Promise.all([
      (async () => {
        const t = Date.now();
        const { arn, runId } = await rig.trigger(file, env, params);
        const execution = await rig.wait(arn, timeoutMs);
        return { runId, execution, ms: Date.now() - t };
      })(),
      flowcRun(file, ds, params, timeoutMs),
    ]);
    const cpu1 = rig.cpu();
    if (!local_.runId) throw new Error(`flowc run ${file} exited ${local_.code} without a run id\n${local_.stdout}\n${local_.stderr}`);
    const runFiles = await rig.s3Files(`${env}/${manifest.flow}/${remote.runId}`);
    const remotePkgs = await rig.s3Files(`${env}/packages`);
    const localPkgs = localFiles(join(ds, "packages"));
    const pkgs = [manifest.spec.key, ...(manifest.package ? [manifest.package.key] : [])].map((k) => k.slice("packages/".length));
    const samePackages = pkgs.every((k) => {
      const a = remotePkgs.get(k);
      const b = localPkgs.get(k);
      return !!a && !!b && a.equals(b);
    });
    const attempts: Record<string, number> = {};
    const localRunFiles = localFiles(join(ds, manifest.flow, local_.runId));
    const proof: Proof = {
      flow: manifest.flow,
      runId: remote.runId,
      execution: remote.execution,
      remote: tasksOf(runFiles, attempts),
      attempts,
      local: tasksOf(localRunFiles),
      remoteFiles: runFiles,
      localFiles: localRunFiles,
      local_,
      jobs: await rig.jobsOfRun(remote.runId),
      manifest,
      samePackages,
      ms: { deploy: deployMs, execution: remote.ms, local: local_.ms },
    };
    timing(`${file.split("/").slice(-2).join("/")}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ""}: deploy ${s(deployMs)}, trigger→end ${s(remote.ms)} (${proof.jobs.length} Batch jobs), flowc run ${s(local_.ms)}${cpu0 && cpu1 ? `; CPU moto ${(cpu1.moto - cpu0.moto).toFixed(1)}s, jobs ${(cpu1.jobs - cpu0.jobs).toFixed(1)}s` : ""}`);
    return proof;
  } finally {
    rmSync(ds, { recursive: true, force: true });
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** FLOWC_E2E_TIMINGS=1 prints one line per proof (docs/e2e.md's table comes from these). */
export function timing(line: string): void {
  if (process.env.FLOWC_E2E_TIMINGS === "1") process.stderr.write(`[e2e] ${line}\n`);
}

/**
 * Every task of the deployed run was executed by a Batch job that ran `flowc step` for exactly that
 * (run, step, index, attempt) and SUCCEEDED; and no job ran anything else. Returns the problems.
 */
export function unexecutedTasks(p: Pick<Proof, "remote" | "jobs" | "attempts">): string[] {
  const problems: string[] = [];
  const succeeded = new Map<string, number>();
  for (const j of p.jobs) {
    if (j.status !== "SUCCEEDED") continue;
    const key = `${j.step}/${j.index === "" ? "_" : j.index}@${j.attempt}`;
    succeeded.set(key, (succeeded.get(key) ?? 0) + 1);
  }
  const expected = new Set<string>();
  for (const [task, view] of Object.entries(p.remote)) {
    if (!view.done) continue;
    const attempt = p.attempts[task];
    const key = `${task}@${attempt}`;
    expected.add(key);
    if (succeeded.get(key) !== 1) problems.push(`${task} (attempt ${attempt}): ${succeeded.get(key) ?? 0} succeeded Batch jobs`);
  }
  for (const key of succeeded.keys()) if (!expected.has(key)) problems.push(`Batch job ${key} succeeded but the datastore has no result for it`);
  return problems;
}
