// Whole-process `flowc compile` on generated flows: wall time, peak memory and output bytes per step.
// Run: node scripts/build.mjs && node bench/compile.mjs [--target sfn|argo] [--sizes 10,100,1000,10000] [--runs 5] [--shapes chain,wide,foreach] [--realistic] [--markdown]
// --realistic gives every step a retry policy and a timeout (flow defaults), as production flows have.
// Each run spawns ./bin/flowc like a user would (node start-up, module loading, reading, validating,
// compiling, writing the bundle), under /usr/bin/time -v when it exists for the peak RSS.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
// The built CLI is copied once, so that a rebuild of dist/ during the runs does not break them.
const root = mkdtempSync(join(tmpdir(), "flowc-bench-cli-"));
for (const part of ["bin", "dist", "templates", "schemas", "package.json"]) cpSync(join(repo, part), join(root, part), { recursive: true });
symlinkSync(join(repo, "node_modules"), join(root, "node_modules"));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const target = opt("target", "sfn");
const sizes = opt("sizes", "10,100,1000,10000").split(",").map(Number);
const runs = Number(opt("runs", "5"));
const markdown = args.includes("--markdown");
const realistic = args.includes("--realistic");
const only = opt("shapes", "chain,wide,foreach").split(",");
const TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

const CONFIG = `environments:
  bench:
    datastore: s3://bench-bucket/flows
    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml:1.4
    tags: { team: bench }
    sfn:
      region: eu-west-1
      account: "123456789012"
      stateMachineRoleArn: arn:aws:iam::123456789012:role/flowc-sfn
      batch: { jobQueue: ml-queue, jobDefinition: flowc-job }
    argo:
      namespace: bench
`;

const step = (name, rest) => `  ${name}: { command: [python, -m, work, ${name}], ${rest} }`;

/** Three shapes of n steps each (start and end included). */
const SHAPES = {
  chain(n) {
    const names = ["start", ...Array.from({ length: n - 2 }, (_, i) => `s${i}`), "end"];
    return names.slice(0, -1).map((s, i) => step(s, `next: ${names[i + 1]}`)).concat("  end: { command: [python, -m, work, end] }");
  },
  wide(n) {
    const branches = Array.from({ length: n - 3 }, (_, i) => `b${i}`);
    return [step("start", `next: [${branches.join(", ")}]`), ...branches.map((b) => step(b, "next: j")), step("j", "join: true, next: end"), "  end: { command: [python, -m, work, end] }"];
  },
  foreach(n) {
    const pairs = Math.max(1, Math.floor((n - 2) / 3));
    const lines = [step("start", "next: f0")];
    for (let i = 0; i < pairs; i++) {
      lines.push(step(`f${i}`, `foreach: true, next: b${i}`), step(`b${i}`, `next: j${i}`), step(`j${i}`, `join: true, next: ${i === pairs - 1 ? "end" : `f${i + 1}`}`));
    }
    return [...lines, "  end: { command: [python, -m, work, end] }"];
  },
};

function flowFile(dir, shape, n) {
  const file = join(dir, `${shape}-${n}.yaml`);
  const defaults = realistic ? ["defaults: { retry: { times: 2, backoff: { delay: 30s } }, timeout: 2h }"] : [];
  writeFileSync(file, ["apiVersion: flowc/v1", `name: ${shape}-${n}`, ...defaults, "steps:", ...SHAPES[shape](n)].join("\n") + "\n");
  return file;
}

function once(file, config, out) {
  rmSync(out, { recursive: true, force: true });
  return timed([join(root, "bin/flowc"), "compile", file, "--target", target, "--env", "bench", "--config", config, "--out", out]);
}

function timed(cmd) {
  const started = process.hrtime.bigint();
  const r = TIME ? spawnSync(TIME, ["-v", process.execPath, ...cmd], { encoding: "utf8" }) : spawnSync(process.execPath, cmd, { encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rss = TIME ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024 : NaN;
  // CPU time (user + system) barely moves when other processes share the cores; wall time does.
  const cpu = TIME ? (Number(/User time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(r.stderr)?.[1])) * 1000 : NaN;
  return { ms, rss, cpu, status: r.status, stderr: r.stderr };
}

// What every command pays before it does anything: node, the CLI's modules, argument parsing.
const baseline = Array.from({ length: runs }, () => timed([join(root, "bin/flowc"), "--version"]));
const baselineMs = Math.round(baseline.map((r) => r.ms).sort((a, b) => a - b)[Math.floor(runs / 2)]);
const baselineCpu = Math.round(baseline.map((r) => r.cpu).sort((a, b) => a - b)[Math.floor(runs / 2)]);
const baselineRss = Math.round(Math.max(...baseline.map((r) => r.rss)));

const rows = [];
const dir = mkdtempSync(join(tmpdir(), "flowc-bench-compile-"));
const config = join(dir, "flowc.config.yaml");
writeFileSync(config, CONFIG);
for (const shape of Object.keys(SHAPES).filter((s) => only.includes(s))) {
  for (const n of sizes) {
    const file = flowFile(dir, shape, n);
    const out = join(dir, "out");
    const all = Array.from({ length: runs }, () => once(file, config, out));
    // A run that ended differently from the last one (e.g. dist/ rebuilt under it) is not counted.
    const last = all[all.length - 1];
    const results = all.filter((r) => r.status === last.status);
    const times = results.map((r) => r.ms).sort((a, b) => a - b);
    const steps = (readFileSync(file, "utf8").match(/^ {2}\S/gm) ?? []).length;
    let bytes = 0;
    let compact = 0;
    let note = "";
    if (last.status === 0) {
      // A Step Functions flow past 1 MiB is a family of machines: every definition counts.
      const docs = readdirSync(out).filter((f) => f.endsWith(target === "sfn" ? ".asl.json" : ".argo.yaml"));
      bytes = docs.reduce((n, f) => n + statSync(join(out, f)).size, 0);
      compact = target === "sfn" ? docs.reduce((n, f) => n + Buffer.byteLength(JSON.stringify(JSON.parse(readFileSync(join(out, f), "utf8")))), 0) : bytes;
      if (docs.length > 1) note = `ok, ${docs.length} state machines`;
    } else {
      const code = /\b([A-Z_]{6,})\b/.exec(last.stderr)?.[1] ?? `exit ${last.status}`;
      const size = /definition is ([\d,]+) bytes/.exec(last.stderr)?.[1];
      note = size ? `${code}: ${size} bytes as uploaded` : code;
      if (size) compact = Number(size.replace(/,/g, ""));
    }
    rows.push({
      shape,
      steps,
      "median ms": Math.round(times[Math.floor(times.length / 2)]),
      "min ms": Math.round(times[0]),
      "CPU ms": Number.isNaN(last.cpu) ? "n/a" : Math.round(results.map((r) => r.cpu).sort((a, b) => a - b)[Math.floor(results.length / 2)]),
      "peak RSS MB": Number.isNaN(last.rss) ? "n/a" : Math.round(Math.max(...results.map((r) => r.rss))),
      "file B/step": bytes ? Math.round(bytes / steps) : "-",
      "uploaded B/step": compact ? Math.round(compact / steps) : "-",
      result: note || "ok",
    });
    if (!markdown) console.error(`${shape} ${n}: ${rows[rows.length - 1]["median ms"]} ms ${note}`);
  }
}
rmSync(dir, { recursive: true, force: true });
rmSync(root, { recursive: true, force: true });

const load = (await import("node:os")).loadavg()[0].toFixed(1);
console.log(`CLI start-up alone (\`flowc --version\`): ${baselineMs} ms median wall, ${baselineCpu} ms CPU, ${Number.isNaN(baselineRss) ? "n/a" : `${baselineRss} MB`}; load average at the end: ${load}`);
if (markdown) {
  const cols = Object.keys(rows[0]);
  console.log(`| ${cols.join(" | ")} |`);
  console.log(`| ${cols.map((c) => (c === "shape" || c === "result" ? "---" : "---:")).join(" | ")} |`);
  for (const r of rows) console.log(`| ${cols.map((c) => (typeof r[c] === "number" && c === "steps" ? r[c].toLocaleString("en-US") : r[c])).join(" | ")} |`);
} else console.table(rows);
