import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asl, compileFile, compileText, EXAMPLES, testEnv } from "./helpers.ts";
import { block, flowYaml } from "./random-flows.ts";
import { validateAsl } from "./validate-asl.ts";

const ENVS = ["prod", "inline", "fargate", "china"];

describe("GIVEN every example in every test environment", () => {
  it.each(ENVS)("WHEN compiled for %s THEN every definition passes asl-validator", async (env) => {
    let checked = 0;
    for (const file of EXAMPLES) {
      const r = await compileFile(file, testEnv(env));
      if (r.files.length === 0) continue; // e.g. a GPU step on Fargate: refused, tested elsewhere
      const v = validateAsl(asl(r));
      expect(v.errors, file).toBe("");
      expect(v.isValid).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe("GIVEN flows with every policy the compiler adds states for", () => {
  it.each(["forbid", "replace"])("WHEN concurrency is %s, with required parameters and catch everywhere THEN the definition passes asl-validator", (policy) => {
    const r = compileText(`apiVersion: flowc/v1
name: all
parameters: { day: { type: string, required: true }, n: { type: integer, default: 3 } }
schedule: { cron: "*/15 * * * *", concurrency: ${policy}, parameters: { day: "{date}" } }
defaults: { catch: true, retry: { times: 2, onTimeout: true, backoff: { delay: 5s, max: 1m, jitter: true } }, timeout: 10m }
steps:
  start: { command: [a], next: [l, r] }
  l: { command: [a], switch: { x: lx, y: m } }
  lx: { command: [a], next: m }
  r: { command: [a], next: m }
  m: { command: [a], join: true, foreach: true, next: body }
  body: { command: [a], next: g }
  g: { command: [a], join: true, next: end }
  end: { command: [a] }
`);
    expect(r.problems.filter((p) => p.severity !== "warning")).toEqual([]);
    const v = validateAsl(asl(r));
    expect(v.errors).toBe("");
  });
});

describe("GIVEN random valid flows", () => {
  it("WHEN 15 of them are compiled THEN every definition passes asl-validator", () => {
    for (const b of fc.sample(block, { numRuns: 15, seed: 7 })) {
      const r = compileText(flowYaml(b));
      expect(validateAsl(asl(r)).errors, flowYaml(b)).toBe("");
    }
  }, 60_000);
});
