// Runtime benchmarks: `flowc run` over a foreach of 1,000 trivial items (container and TypeScript
// steps, 8 workers), and the per-task overhead of each kind of step (1 worker, so tasks do not
// overlap). Runs the built CLI as a user would.
// Run: npm run build && node bench/runtime.mjs [--items 1000] [--repeat 3]
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
const ITEMS = opt("items", 1000);
const REPEAT = opt("repeat", 3);
const OVERHEAD_ITEMS = opt("overhead-items", 200);
const BIN = new URL("../bin/flowc", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "flowc-bench-"));

const yamlFlow = (n) => `apiVersion: flowc/v1
name: bench-yaml
parameters: { n: { type: integer, default: ${n} } }
steps:
  start:
    foreach: true
    command: [node, -e, 'require("fs").writeFileSync(process.env.FLOWC_OUTPUT_DIR + "/foreach.json", JSON.stringify([...Array(Number(process.env.FLOWC_PARAM_N)).keys()]))']
    next: body
  body:
    command: [sh, -c, 'echo "$FLOWC_ITEM" > "$FLOWC_OUTPUT_DIR/v"']
    next: join
  join:
    join: true
    command: [sh, -c, 'cat "$FLOWC_INPUT_DIR"/*/v | wc -l > "$FLOWC_OUTPUT_DIR/count"']
    next: end
  end:
    command: [sh, -c, 'cat "$FLOWC_INPUT_DIR/count"']
`;
const tsFlow = `import { flow } from "flowc";
export default flow({
  name: "bench-ts",
  parameters: { n: { type: "integer", default: 1000 } },
  steps: {
    start: { foreach: true, next: "body", run: (ctx) => ctx.foreach([...Array(ctx.params.n).keys()]) },
    body: { next: "join", run: (ctx) => ctx.set("v", ctx.item ?? null) },
    join: { join: true, next: "end", run: (ctx) => ctx.set("count", ctx.inputs.length) },
    end: { run: (ctx) => console.log(ctx.get("count")) },
  },
});
`;
writeFileSync(join(dir, "bench.yaml"), yamlFlow(ITEMS));
writeFileSync(join(dir, "bench.ts"), tsFlow);

function run(file, workers, n) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(process.execPath, [BIN, "run", file, "--max-workers", String(workers), "--param", `n=${n}`], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.resume();
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`flowc run ${file} exited ${code}\n${out}`));
      resolve({ ms: performance.now() - t, runId: /run (\S+) of flow `([^`]+)`/.exec(out)[1], flow: /of flow `([^`]+)`/.exec(out)[1] });
    });
  });
}

/** First start to last finish of a step's tasks, from their meta.json: the step's own wall time. */
function stepWall(flow, runId, step) {
  const base = join(dir, ".flowc", flow, runId, step);
  let first = Infinity;
  let last = 0;
  let n = 0;
  for (const idx of readdirSync(base)) {
    const m = JSON.parse(readFileSync(join(base, idx, "attempt-0", "meta.json"), "utf8"));
    first = Math.min(first, Date.parse(m.startedAt));
    last = Math.max(last, Date.parse(m.finishedAt));
    n++;
  }
  return { ms: last - first, n };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

// The cost of the command itself, started from Node the way the runtime starts it (no runtime around it).
async function bareSpawnMs(n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await new Promise((res) => spawn("sh", ["-c", 'echo 1 > /dev/null'], { stdio: "ignore", detached: true }).on("exit", res));
    times.push(performance.now() - t);
  }
  return median(times);
}

const rows = [];
for (const [kind, file] of [["container", "bench.yaml"], ["TypeScript", "bench.ts"]]) {
  const totals = [];
  const bodies = [];
  for (let i = 0; i < REPEAT; i++) {
    const r = await run(join(dir, file), 8, ITEMS);
    totals.push(r.ms);
    bodies.push(stepWall(r.flow, r.runId, "body").ms);
  }
  rows.push({ benchmark: `foreach over ${ITEMS} items, ${kind}, 8 workers`, "flowc run (whole process)": fmt(median(totals)), "the 1,000 body tasks": fmt(median(bodies)) });
}
console.log(`machine: ${availableParallelism()} CPUs, Node ${process.version}; median of ${REPEAT}`);
console.table(rows);

const bare = await bareSpawnMs(200);
const over = [];
for (const [kind, file] of [["container", "bench.yaml"], ["TypeScript", "bench.ts"]]) {
  const per = [];
  for (let i = 0; i < REPEAT; i++) {
    const r = await run(join(dir, file), 1, OVERHEAD_ITEMS);
    const w = stepWall(r.flow, r.runId, "body");
    per.push(w.ms / w.n);
  }
  const perTask = median(per);
  const own = kind === "container" ? bare : 0;
  over.push({ step: kind, "time per task (1 worker)": fmt(perTask), "the command itself": kind === "container" ? fmt(own) : "-", "flowc overhead per task": fmt(perTask - own) });
}
console.table(over);

// For reference: a cold `flowc step` process, as each compiled task runs (Node start-up included).
const cold = [];
const last = await run(join(dir, "bench.yaml"), 1, 3);
const specKey = JSON.parse(readFileSync(join(dir, ".flowc", last.flow, last.runId, "run.json"), "utf8")).spec;
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [BIN, "step", "--run-id", last.runId, "--step", "body", "--index", "1", "--attempt", String(10 + i)], {
    cwd: dir,
    env: { ...process.env, FLOWC_ROOT: join(dir, ".flowc"), FLOWC_SPEC: specKey, FLOWC_PARAMS: "{}" },
    stdio: "ignore",
  });
  if (r.status !== 0) throw new Error("flowc step failed");
  cold.push(performance.now() - t);
}
console.log(`cold \`flowc step\` process (container step, Node start-up included): ${fmt(median(cold))}`);
rmSync(dir, { recursive: true, force: true });
