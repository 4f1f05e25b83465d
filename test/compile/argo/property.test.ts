import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileYaml, docsOf, flowFromYaml, type Obj } from "./helpers.ts";
import { lintWorkflowTemplate } from "./lint.ts";
import { checkSchema } from "./schema.ts";
import { simulate } from "./sim/argo.ts";
import { expectedRun } from "./sim/oracle.ts";
import { bigBlocks, blocks, flowYaml, stepOptions, type Block } from "./sim/random-flow.ts";
import { scenario } from "./sim/scenario.ts";

/** CPU-bound properties (a few seconds on an idle machine) slow down in proportion to the machine's load. */
const SLOW = 180_000;

/** A DAG cut into parts: a failure in one part stops the parts after it (docs/argo-mapping.md). */
const isCut = (wt: Obj) => (wt.spec.templates as Obj[]).some((t) => /-part-\d+$/.test(t.name));

/**
 * Compiles, validates, lints; then runs the Argo model against the flow's meaning for one scenario:
 * the same tasks run and the Workflow ends Succeeded, or, after an uncaught failure, it ends Failed,
 * `end` never ran (unless it is what failed) and nothing ran that the flow would not have run.
 */
function check(bs: Block[], so: Parameters<typeof flowYaml>[1], seed: number, failures: number) {
  const text = flowYaml(bs, so);
  const r = compileYaml(text);
  expect(r.problems.filter((p) => p.severity !== "warning")).toEqual([]);
  const wt = docsOf(r)[0]!;
  expect(checkSchema(wt).problems).toEqual([]);
  expect(lintWorkflowTemplate(wt)).toEqual([]);
  const { ir, graph } = flowFromYaml(text);
  const run = scenario(ir, seed, { failures });
  const expected = expectedRun(graph, run);
  const sim = simulate(wt, { run });
  expect(sim.phase).toBe(expected.failed ? "Failed" : "Succeeded");
  if (!expected.failed || !isCut(wt)) expect([...sim.ran].sort()).toEqual([...expected.ran].sort());
  else {
    // `end` runs only when it is the step that failed.
    if (run("end", "").phase !== "Failed") expect(sim.ran).not.toContain("end@");
    expect(sim.ran.filter((t) => !expected.ran.includes(t))).toEqual([]);
  }
  return expected.failed;
}

describe("GIVEN random valid flows (splits, foreaches, switches, nested in each other)", () => {
  it("WHEN compiled THEN the WorkflowTemplate validates, every depends/when/template reference resolves, and Argo runs exactly the tasks the flow means, for any switch choice, foreach size and caught failure", () => {
    fc.assert(
      fc.property(blocks, stepOptions, fc.integer({ min: 0, max: 1e6 }), (bs, so, seed) => void check(bs, (i) => so[i]!, seed, 0)),
      { numRuns: 200 },
    );
  }, SLOW);

  it("WHEN a step fails uncaught THEN Argo's phase rule ends the Workflow Failed, and only what the flow would run ran", () => {
    let failedRuns = 0;
    fc.assert(
      fc.property(blocks, stepOptions, fc.integer({ min: 0, max: 1e6 }), (bs, so, seed) => void (check(bs, (i) => so[i]!, seed, 1500) && failedRuns++)),
      { numRuns: 150 },
    );
    // The property is only worth something if failures were injected often enough.
    expect(failedRuns).toBeGreaterThan(20);
  }, SLOW);
});

describe("GIVEN random flows on Argo versions that leave a skipped task's outputs unresolved (v3.7.0-v3.7.10, v4.0.0-v4.0.1)", () => {
  it("WHEN run THEN the same tasks run: a `when` comparing an unresolved case is false", () => {
    fc.assert(
      fc.property(fc.oneof(blocks, bigBlocks(220)), stepOptions, fc.integer({ min: 0, max: 1e6 }), (bs, so, seed) => {
        const text = flowYaml(bs, (i) => so[i]!);
        const wt = docsOf(compileYaml(text))[0]!;
        const { ir, graph } = flowFromYaml(text);
        const run = scenario(ir, seed);
        const sim = simulate(wt, { run }, { skippedOutputs: "unresolved" });
        expect(sim.phase).toBe("Succeeded");
        expect([...sim.ran].sort()).toEqual([...expectedRun(graph, run).ran].sort());
      }),
      { numRuns: 40 },
    );
  }, SLOW);
});

describe("GIVEN random flows with scopes of more than 200 tasks", () => {
  it("WHEN compiled THEN the DAGs are cut into parts Argo accepts and the run is still the same", () => {
    fc.assert(
      fc.property(bigBlocks(250), stepOptions, fc.integer({ min: 0, max: 1e6 }), (bs, so, seed) => void check(bs, (i) => so[i]!, seed, 0)),
      { numRuns: 40 },
    );
  }, SLOW);

  it("WHEN a step fails uncaught in any part THEN the Workflow ends Failed with `end` never run, as Argo assesses a DAG", () => {
    let failedRuns = 0;
    fc.assert(
      fc.property(bigBlocks(250), stepOptions, fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 50, max: 300 }), (bs, so, seed, rate) => void (check(bs, (i) => so[i]!, seed, rate) && failedRuns++)),
      { numRuns: 40 },
    );
    // Failures per task from 0.5% to 3%: most runs fail somewhere, some in a late part, some not at all.
    expect(failedRuns).toBeGreaterThan(4);
  }, SLOW);
});
