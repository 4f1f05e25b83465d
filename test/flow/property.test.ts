import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { loadYamlFlow } from "../../src/flow/load/yaml.ts";
import { validateFlow } from "../../src/flow/validate/index.ts";

const KEYS = ["apiVersion", "name", "steps", "start", "end", "next", "join", "foreach", "switch", "command", "retry", "times",
  "timeout", "schedule", "cron", "timezone", "parameters", "type", "default", "defaults", "resources", "memory", "triggers", "afterFlow", "event"];

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("flowc/v1", "start", "end", "a", "1h", "2Gi", "0 6 * * *", "string", "integer", "Europe/Amsterdam", "", "x y"),
    fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
    fc.array(tie("node"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), tie("node"), { maxKeys: 5 }),
  ),
})).node;

function check(text: string) {
  const r = validateFlow(loadYamlFlow("p.yaml", text));
  expect(Array.isArray(r.diagnostics)).toBe(true);
  for (const d of r.diagnostics) {
    expect(d.start.line).toBeGreaterThanOrEqual(1);
    expect(d.start.col).toBeGreaterThanOrEqual(1);
    expect(typeof d.code).toBe("string");
  }
  if (r.diagnostics.some((d) => d.severity === "error")) expect(r.ir).toBeUndefined();
}

describe("GIVEN arbitrary input", () => {
  it("WHEN any string is validated THEN the validator reports, never throws", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => check(s)), { numRuns: 500 });
  });
  it("WHEN any YAML document built from flow-like keys is validated THEN the validator reports, never throws", () => {
    fc.assert(fc.property(value, (v) => check(stringify(v))), { numRuns: 500 });
  });
  it("WHEN a valid flow is cut at any byte THEN the validator reports, never throws", () => {
    const flow = `apiVersion: flowc/v1\nname: cut\nsteps:\n  start: { command: [a], next: [x, y] }\n  x: { command: [a], next: j }\n  y: { command: [a], next: j }\n  j: { join: true, command: [b], next: end }\n  end: { command: [c] }\n`;
    fc.assert(fc.property(fc.nat(flow.length), fc.string({ maxLength: 5 }), (n, junk) => check(flow.slice(0, n) + junk + flow.slice(n))), { numRuns: 500 });
  });
});
