import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileYaml, docsOf, flowFromYaml } from "./helpers.ts";
import { lintWorkflowTemplate } from "./lint.ts";
import { checkSchema } from "./schema.ts";
import { simulate } from "./sim/argo.ts";
import { expectedRuns } from "./sim/oracle.ts";
import { bigBlocks, blocks, flowYaml, stepOptions, type Block } from "./sim/random-flow.ts";
import { scenario } from "./sim/scenario.ts";

/** Compiles, validates, lints; then runs the Argo model against the flow's meaning for one scenario. */
function check(bs: Block[], so: Parameters<typeof flowYaml>[1], seed: number) {
  const text = flowYaml(bs, so);
  const r = compileYaml(text);
  expect(r.problems.filter((p) => p.severity !== "warning")).toEqual([]);
  const wt = docsOf(r)[0]!;
  expect(checkSchema(wt).problems).toEqual([]);
  expect(lintWorkflowTemplate(wt)).toEqual([]);
  const { ir, graph } = flowFromYaml(text);
  const run = scenario(ir, seed);
  expect(simulate(wt, { run }).ran.sort()).toEqual(expectedRuns(graph, run).sort());
}

describe("GIVEN random valid flows (splits, foreaches, switches, nested in each other)", () => {
  it("WHEN compiled THEN the WorkflowTemplate validates, every depends/when/template reference resolves, and Argo runs exactly the tasks the flow means, for any switch choice, foreach size and caught failure", () => {
    fc.assert(
      fc.property(blocks, stepOptions, fc.integer({ min: 0, max: 1e6 }), (bs, so, seed) => check(bs, (i) => so[i]!, seed)),
      { numRuns: 200 },
    );
  });
});

describe("GIVEN random flows with scopes of more than 200 tasks", () => {
  it("WHEN compiled THEN the DAGs are cut into parts Argo accepts and the run is still the same", () => {
    fc.assert(
      fc.property(bigBlocks(250), stepOptions, fc.integer({ min: 0, max: 1e6 }), (bs, so, seed) => check(bs, (i) => so[i]!, seed)),
      { numRuns: 40 },
    );
  });
});
