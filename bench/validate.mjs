// Validation speed on generated flows: in-process, warm (the validator is compiled once per process).
// Run: npm run build && node bench/validate.mjs
import { performance } from "node:perf_hooks";

const { loadYamlFlow, validateFlow } = await import("./lib.mjs");

function generate(n) {
  const lines = ["apiVersion: flowc/v1", "name: bench", "steps:", "  start: { command: [a], next: [b0, c0] }"];
  // two parallel chains, then foreach/join pairs: a mix of every rule the validator runs
  const half = Math.floor((n - 4) / 2);
  for (let i = 0; i < half; i++) lines.push(`  b${i}: { command: [a], next: ${i === half - 1 ? "j" : `b${i + 1}`}, retry: { times: 2 }, timeout: 10m }`);
  for (let i = 0; i < half; i++) lines.push(`  c${i}: { command: [a], next: ${i === half - 1 ? "j" : `c${i + 1}`}, resources: { memory: 2Gi } }`);
  lines.push("  j: { join: true, command: [a], next: f }", "  f: { foreach: true, command: [a], next: body }", "  body: { command: [a], next: g }", "  g: { join: true, command: [a], next: end }", "  end: { command: [a] }");
  return lines.join("\n");
}

const rows = [];
for (const n of [10, 100, 1000, 10000]) {
  const text = generate(n);
  validateFlow(loadYamlFlow("warm.yaml", text)); // warm-up: ajv compile, JIT
  const runs = n >= 10000 ? 5 : 20;
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = validateFlow(loadYamlFlow("bench.yaml", text));
    times.push(performance.now() - t);
    if (r.diagnostics.length) throw new Error(JSON.stringify(r.diagnostics[0]));
  }
  times.sort((a, b) => a - b);
  rows.push({ steps: n, median_ms: +times[Math.floor(runs / 2)].toFixed(1), min_ms: +times[0].toFixed(1) });
}
console.table(rows);
