// How long a no-op `flowc deploy --target sfn` takes, and how many AWS calls it makes, against moto.
// Run: npm run build && node bench/deploy-sfn.mjs [runs]
// Uses $FLOWC_MOTO_ENDPOINT when set (a moto started with test/harness/moto_launcher.py), else starts
// its own on a free loopback port and stops it by its PID at the end.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, copyFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.argv[2] ?? 10);

async function freePort() {
  return await new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startMoto() {
  if (process.env.FLOWC_MOTO_ENDPOINT) return { endpoint: process.env.FLOWC_MOTO_ENDPOINT, stop: () => {} };
  const port = await freePort();
  const child = spawn("python3", [join(root, "test/harness/moto_launcher.py"), "-H", "127.0.0.1", "-p", String(port)], { env: { ...process.env, MOTO_PORT: String(port) }, stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/config`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, stop: () => process.kill(child.pid, "SIGTERM") };
}

const moto = await startMoto();
try {
  await fetch(`${moto.endpoint}/moto-api/config`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ stepfunctions: { execute_state_machine: true }, batch: { use_docker: false } }) });
  const id = Math.random().toString(16).slice(2, 10);
  const cfg = { endpoint: moto.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const { S3Client, CreateBucketCommand } = await import("@aws-sdk/client-s3");
  const { IAMClient, CreateRoleCommand } = await import("@aws-sdk/client-iam");
  await new S3Client({ ...cfg, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: `flowc-bench-${id}` }));
  await new IAMClient(cfg).send(new CreateRoleCommand({ RoleName: `flowc-bench-${id}`, AssumeRolePolicyDocument: "{}" }));

  // examples/train.yaml: split, foreach, switch, catch, a schedule and two triggers (25 states, 2 rules).
  const dir = mkdtempSync(join(tmpdir(), "flowc-bench-deploy-"));
  copyFileSync(join(root, "examples/train.yaml"), join(dir, "train.yaml"));
  writeFileSync(
    join(dir, "flowc.config.yaml"),
    `environments:
  bench:
    datastore: s3://flowc-bench-${id}/data
    sfn:
      region: us-east-1
      account: "123456789012"
      stateMachineName: bench-${id}
      stateMachineRoleArn: arn:aws:iam::123456789012:role/flowc-bench-${id}
      schedulerRoleArn: arn:aws:iam::123456789012:role/scheduler
      eventsRoleArn: arn:aws:iam::123456789012:role/events
`,
  );
  const env = { ...process.env, AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
  const args = ["deploy", "train.yaml", "--target", "sfn", "--env", "bench", "--format", "json"];
  const cli = (extra = []) => {
    const t = performance.now();
    const r = spawnSync(join(root, "bin/flowc"), [...args, ...extra], { cwd: dir, env, encoding: "utf8" });
    const ms = performance.now() - t;
    if (r.status !== 0) throw new Error(`flowc deploy failed (${r.status}):\n${r.stderr}`);
    return { ms, out: JSON.parse(r.stdout) };
  };

  const first = cli();
  const cold = [];
  let noop;
  for (let i = 0; i < runs; i++) {
    const r = cli();
    cold.push(r.ms);
    noop = r.out;
    if (r.out.writes !== 0) throw new Error(`a no-op deploy made ${r.out.writes} writes`);
  }

  // The same, in one warm process (what a long-lived caller pays; no Node or SDK start-up).
  const { cli: main } = await import(join(root, "dist/index.js"));
  const io = { stdout: () => {}, stderr: () => {}, isTTY: false, env, cwd: dir };
  await main(args, io);
  const warm = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    if ((await main(args, io)) !== 0) throw new Error("in-process deploy failed");
    warm.push(performance.now() - t);
  }

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.table([
    { deploy: "first (creates)", median_ms: Math.round(first.ms), calls: first.out.calls.reads + first.out.calls.writes, reads: first.out.calls.reads, writes: first.out.calls.writes },
    { deploy: `no-op, CLI process (${runs} runs)`, median_ms: Math.round(median(cold)), min_ms: Math.round(Math.min(...cold)), calls: noop.calls.reads + noop.calls.writes, reads: noop.calls.reads, writes: noop.calls.writes },
    { deploy: `no-op, warm in-process (${runs} runs)`, median_ms: Math.round(median(warm)), min_ms: Math.round(Math.min(...warm)), calls: noop.calls.reads, reads: noop.calls.reads, writes: 0 },
  ]);
  console.log("no-op calls by operation:", noop.calls.operations);
} finally {
  moto.stop();
}
