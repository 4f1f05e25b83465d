import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileYaml, docsOf, flowFromYaml, type Obj } from "./helpers.ts";
import { lintWorkflowTemplate } from "./lint.ts";
import { checkSchema } from "./schema.ts";
import { simulate } from "./sim/argo.ts";
import { expectedRun } from "./sim/oracle.ts";
import { bigBlocks, blocks, flowYaml, stepOptions, type Block } from "./sim/random-flow.ts";
import { scenario } from "./sim/scenario.ts";

/** A DAG cut into parts: a failure in one part stops the parts after it (docs/argo-mapping.md). */
const isCut = (wt: Obj) => (wt.spec.templates as Obj[]).some((t) => /-part-\d+$/.test(t.name));

/**
 * Compiles, validates, lints; then runs the Argo model against the flow's meaning for one scenario:
 * the same tasks run and the Workflow ends Succeeded, or, after an uncaught failure, it ends Failed,
 * `end` never ran and nothing ran that the flow would not have run.
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
    expect(sim.ran).not.toContain("end@");
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
  });

  it("WHEN a step fails uncaught THEN Argo's phase rule ends the Workflow Failed, and only what the flow would run ran", () => {
    let failedRuns = 0;
    fc.assert(
      fc.property(blocks, stepOptions, fc.integer({ min: 0, max: 1e6 }), (bs, so, seed) => void (check(bs, (i) => so[i]!, seed, 1500) && failedRuns++)),
      { numRuns: 150 },
    );
    // The property is only worth something if failures were injected often enough.
    expect(failedRuns).toBeGreaterThan(30);
  });
});

describe("GIVEN random flows with scopes of more than 200 tasks", () => {
  it("WHEN compiled THEN the DAGs are cut into parts Argo accepts and the run is still the same", () => {
    fc.assert(
      fc.property(bigBlocks(250), stepOptions, fc.integer({ min: 0, max: 1e6 }), (bs, so, seed) => void check(bs, (i) => so[i]!, seed, 0)),
      { numRuns: 40 },
    );
  });

  it("WHEN a step fails uncaught in any part THEN the Workflow ends Failed with `end` never run, as Argo assesses a DAG", () => {
    let failedRuns = 0;
    fc.assert(
      fc.property(bigBlocks(250), stepOptions, fc.integer({ min: 0, max: 1e6 }), (bs, so, seed) => void (check(bs, (i) => so[i]!, seed, 40) && failedRuns++)),
      { numRuns: 40 },
    );
    expect(failedRuns).toBeGreaterThan(8);
  });
});
