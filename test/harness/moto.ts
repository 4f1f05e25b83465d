// A local AWS for tests: moto_server, patched by ./moto_launcher.py, on a free
// loopback port, with Step Functions executing state machines and AWS Batch jobs
// running their container command as local processes. See ./README.md.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export const LAUNCHER = fileURLToPath(new URL("./moto_launcher.py", import.meta.url));

export interface MotoOptions {
  /** Extra environment for moto and hence for every Batch job process (merged over process.env). */
  env?: Record<string, string | undefined>;
  /** Directories put in front of PATH for moto and the job processes (e.g. where `flowc` is). */
  pathPrepend?: string[];
  /** Working directory of the job processes (default: this process's cwd). */
  jobCwd?: string;
  /**
   * Where moto.log and the job logs go. Default: a fresh temp dir, removed by
   * stop() unless FLOWC_MOTO_KEEP=1 is set (then its path is printed).
   */
  workDir?: string;
  /** Python interpreter (default: $FLOWC_PYTHON or python3). */
  python?: string;
  /** How long to wait for moto to answer (default 30 s). */
  startTimeoutMs?: number;
}

export interface MotoCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Spread into any SDK v3 client's constructor; forcePathStyle matters to S3 only. */
export interface MotoClientConfig {
  endpoint: string;
  region: string;
  credentials: MotoCredentials;
  forcePathStyle: boolean;
}

export interface MotoHandle {
  endpoint: string;
  port: number;
  pid: number;
  region: "us-east-1";
  accountId: "123456789012";
  credentials: MotoCredentials;
  clientConfig: MotoClientConfig;
  /** moto's own output (requests, interpreter warnings, job start/exit lines). */
  logFile: string;
  /** One folder per Batch job: stdout, stderr, command.json. */
  jobLogDir: string;
  /** Empties every backend (state machines, buckets, Batch queues...); execution mode stays on. */
  reset(): Promise<void>;
  /** Stops moto (SIGTERM, then SIGKILL) and every job process it started. */
  stop(): Promise<void>;
  /** The last `lines` lines of moto's log, for failure messages. */
  logTail(lines?: number): string;
}

const REGION = "us-east-1" as const;
const CREDENTIALS: MotoCredentials = { accessKeyId: "test", secretAccessKey: "test" };
export const MOTO_CONFIG = {
  stepfunctions: { execute_state_machine: true },
  batch: { use_docker: false },
} as const;

/** Environment for a child process (flowc CLI, a job) that must talk to this moto. */
export function awsEnv(handle: Pick<MotoHandle, "endpoint">): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: handle.endpoint,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
  };
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not get a free port"));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function postJson(url: string, body: unknown): Promise<Response> {
  return await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

export async function startMoto(opts: MotoOptions = {}): Promise<MotoHandle> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const workDir = opts.workDir ?? mkdtempSync(join(tmpdir(), "flowc-moto-"));
  const logFile = join(workDir, "moto.log");
  const jobLogDir = join(workDir, "jobs");

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env })) {
    if (v !== undefined) env[k] = v;
  }
  Object.assign(env, awsEnv({ endpoint }), {
    MOTO_PORT: String(port), // the interpreter calls services back on localhost:$MOTO_PORT
    FLOWC_MOTO_JOB_LOG_DIR: jobLogDir,
    FLOWC_MOTO_EXIT_ON_STDIN_EOF: "1", // dies with us, however we die
    PYTHONUNBUFFERED: "1",
  });
  if (opts.jobCwd) env.FLOWC_MOTO_JOB_CWD = opts.jobCwd;
  if (opts.pathPrepend?.length) env.PATH = [...opts.pathPrepend, env.PATH ?? ""].join(delimiter);

  const logFd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(
      opts.python ?? process.env.FLOWC_PYTHON ?? "python3",
      [LAUNCHER, "-H", "127.0.0.1", "-p", String(port)],
      { env, stdio: ["pipe", logFd, logFd] },
    );
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  // Neither the process nor its stdin pipe may keep this Node process alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let exited = false;
  let spawnError: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
  });
  child.once("error", (err) => {
    spawnError = err;
    exited = true;
  });
  // A test process that exits without stop(): SIGTERM lets the launcher kill its
  // job processes. (If we are SIGKILLed, the launcher sees stdin close.)
  const onExit = () => {
    if (!exited) child.kill("SIGTERM");
  };
  process.on("exit", onExit);

  const fail = async (why: string): Promise<never> => {
    process.off("exit", onExit);
    if (!exited) child.kill("SIGKILL");
    throw new Error(`moto did not start: ${why}\n--- ${logFile} ---\n${tail(logFile, 40)}`);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  for (;;) {
    if (spawnError) return await fail(spawnError.message);
    if (exited) return await fail(`exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/config`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) return await fail("timed out");
    await sleep(100);
  }
  const configured = await postJson(`${endpoint}/moto-api/config`, MOTO_CONFIG);
  if (!configured.ok) return await fail(`POST /moto-api/config: HTTP ${configured.status}`);

  let stopped: Promise<void> | undefined;
  const handle: MotoHandle = {
    endpoint,
    port,
    pid: pid ?? -1,
    region: REGION,
    accountId: "123456789012",
    credentials: { ...CREDENTIALS },
    clientConfig: { endpoint, region: REGION, credentials: { ...CREDENTIALS }, forcePathStyle: true },
    logFile,
    jobLogDir,
    async reset() {
      const res = await postJson(`${endpoint}/moto-api/reset`, {});
      if (!res.ok) throw new Error(`moto reset: HTTP ${res.status}`);
      await postJson(`${endpoint}/moto-api/config`, MOTO_CONFIG);
    },
    stop() {
      stopped ??= (async () => {
        process.off("exit", onExit);
        if (!exited) {
          child.kill("SIGTERM");
          const killed = await Promise.race([exitPromise.then(() => true), sleep(5_000).then(() => false)]);
          if (!killed) {
            child.kill("SIGKILL");
            await exitPromise;
          }
        }
        if (opts.workDir === undefined) {
          if (process.env.FLOWC_MOTO_KEEP === "1") console.error(`moto logs kept in ${workDir}`);
          else rmSync(workDir, { recursive: true, force: true });
        }
      })();
      return stopped;
    },
    logTail(lines = 60) {
      return tail(logFile, lines);
    },
  };
  return handle;
}

/**
 * The moto server `.ci/run` started (FLOWC_MOTO_ENDPOINT), or a private one when there is none (a
 * developer's `npm test`). Suites that share it must use unique resource names and never reset it;
 * `stop()` on a shared server does nothing (CI stops it by its PID).
 */
export async function useMoto(opts: MotoOptions = {}): Promise<MotoHandle & { shared: boolean }> {
  const shared = process.env.FLOWC_MOTO_ENDPOINT;
  if (!shared) return { ...(await startMoto(opts)), shared: false };
  const endpoint = shared.replace(/\/+$/, "");
  const res = await fetch(`${endpoint}/moto-api/config`).catch(() => undefined);
  if (!res?.ok) throw new Error(`FLOWC_MOTO_ENDPOINT=${endpoint} does not answer`);
  const logFile = process.env.FLOWC_MOTO_LOG ?? "";
  return {
    shared: true,
    endpoint,
    port: Number(new URL(endpoint).port),
    pid: -1,
    region: REGION,
    accountId: "123456789012",
    credentials: { ...CREDENTIALS },
    clientConfig: { endpoint, region: REGION, credentials: { ...CREDENTIALS }, forcePathStyle: true },
    logFile,
    jobLogDir: process.env.FLOWC_MOTO_JOB_LOG_DIR ?? "",
    async reset() {
      throw new Error("the shared moto server is not reset between suites: use unique names instead");
    },
    async stop() {},
    logTail(lines = 60) {
      return logFile ? tail(logFile, lines) : "";
    },
  };
}
