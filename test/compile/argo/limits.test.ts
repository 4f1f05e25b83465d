import { describe, expect, it } from "vitest";
import { ARGO_LIMITS } from "../../../src/compile/argo/limits.ts";
import { compileYaml, docsOf, flowFromYaml, yamlOf, type Obj } from "./helpers.ts";
import { lintWorkflowTemplate } from "./lint.ts";
import { checkSchema } from "./schema.ts";
import { simulate } from "./sim/argo.ts";
import { expectedRun, expectedRuns } from "./sim/oracle.ts";
import { scenario } from "./sim/scenario.ts";

const step = (name: string, rest: string) => `  ${name}: { command: [python, -m, work, ${name}], ${rest} }`;
const flow = (name: string, lines: string[]) => ["apiVersion: flowc/v1", `name: ${name}`, "steps:", ...lines, "  end: { command: [python, -m, work, end] }"].join("\n");

/** The benchmark's shapes (bench/compile.mjs): a chain, one wide split, a row of foreaches. */
const SHAPES: Record<string, (n: number) => string> = {
  chain: (n) => {
    const names = ["start", ...Array.from({ length: n - 2 }, (_, i) => `s${i}`), "end"];
    return flow("chain", names.slice(0, -1).map((s, i) => step(s, `next: ${names[i + 1]}`)));
  },
  wide: (n) => {
    const b = Array.from({ length: n - 3 }, (_, i) => `b${i}`);
    return flow("wide", [step("start", `next: [${b.join(", ")}]`), ...b.map((x) => step(x, "next: j")), step("j", "join: true, next: end")]);
  },
  foreach: (n) => {
    const pairs = Math.floor((n - 2) / 3);
    const lines = [step("start", "next: f0")];
    for (let i = 0; i < pairs; i++) lines.push(step(`f${i}`, `foreach: true, next: b${i}`), step(`b${i}`, `next: j${i}`), step(`j${i}`, `join: true, next: ${i === pairs - 1 ? "end" : `f${i + 1}`}`));
    return flow("foreach", lines);
  },
};

describe.each(Object.keys(SHAPES))("GIVEN a 1,000-step %s flow", (shape) => {
  const text = SHAPES[shape]!(1000);
  const r = compileYaml(text);
  const wt = docsOf(r)[0]!;

  it("THEN it compiles into one WorkflowTemplate that Argo's schema accepts (at most 200 templates, 200 tasks per DAG)", () => {
    expect(r.problems).toEqual([]);
    expect(checkSchema(wt).problems).toEqual([]);
    expect(lintWorkflowTemplate(wt)).toEqual([]);
    expect(wt.spec.templates.length).toBeLessThanOrEqual(200);
    for (const t of wt.spec.templates as Obj[]) expect(t.dag?.tasks.length ?? 0).toBeLessThanOrEqual(200);
  });

  it("THEN it takes under 1.5 KB per step and stays far below the 1.5 MiB object limit", () => {
    expect(Buffer.byteLength(yamlOf(r)) / 1000).toBeLessThan(1500);
    expect(r.manifest.stats.maxObjectBytes).toBeLessThan(ARGO_LIMITS.objectBytes / 2);
  });

  it("WHEN Argo runs it THEN exactly the flow's tasks run, in the cut DAGs too", () => {
    const { ir, graph } = flowFromYaml(text);
    for (const seed of [1, 2]) {
      const run = scenario(ir, seed);
      const sim = simulate(wt, { run });
      expect(sim.ran.sort()).toEqual(expectedRuns(graph, run).sort());
      expect(sim.phase).toBe("Succeeded");
    }
  });

  it("WHEN a step fails uncaught THEN the Workflow ends Failed and `end` never runs", () => {
    const { ir, graph } = flowFromYaml(text);
    for (const seed of [1, 2, 3]) {
      const run = scenario(ir, seed, { failures: 10 });
      const expected = expectedRun(graph, run);
      const sim = simulate(wt, { run });
      expect(sim.phase).toBe(expected.failed ? "Failed" : "Succeeded");
      if (expected.failed && run("end", "").phase !== "Failed") expect(sim.ran).not.toContain("end@");
    }
  });
});

describe("GIVEN a 10,000-step chain, cut into 53 parts", () => {
  it("THEN it still fits in one WorkflowTemplate: what makes a failed part fail costs each part a term or two, not one per task", () => {
    const r = compileYaml(SHAPES.chain!(10_000));
    expect(r.problems).toEqual([]);
    expect(r.manifest.stats.maxObjectBytes).toBeLessThan(ARGO_LIMITS.objectBytes);
    const wt = docsOf(r)[0]!;
    const runners = (wt.spec.templates as Obj[]).flatMap((t) => (t.dag?.tasks ?? []).filter((x: Obj) => /-part-\d+$/.test(x.name)));
    expect(runners.length).toBeGreaterThan(50);
    for (const t of runners) expect(t.depends).toMatch(/^s\d+\.Succeeded$/);
  }, 180_000); // ~1.5 s on an idle machine; CPU-bound, so it slows with the load
});

describe("GIVEN a flow whose WorkflowTemplate would exceed 1.5 MiB", () => {
  const big = "x".repeat(600_000);
  const text = flow("huge", [step("start", `next: a, env: { BLOB: "${big}" }`), step("a", `next: b, env: { BLOB: "${big}y" }`), step("b", `next: end, env: { BLOB: "${big}z" }`)]);
  it("WHEN compiled THEN it fails with a problem naming the limit and the figure, and writes nothing", () => {
    const r = compileYaml(text);
    expect(r.files).toEqual([]);
    const p = r.problems.find((x) => x.code === "LIMIT_EXCEEDED")!;
    expect(p.message).toMatch(/WorkflowTemplate huge-prod is 1,8\d\d,\d{3} bytes; Kubernetes objects are limited to 1\.5 MiB \(1,572,864 bytes/);
  });
});

describe("GIVEN a flow whose steps need more than 200 distinct container templates", () => {
  const names = ["start", ...Array.from({ length: 205 }, (_, i) => `s${i}`), "end"];
  const text = flow("many", names.slice(0, -1).map((s, i) => step(s, `next: ${names[i + 1]}, env: { K: "${i}" }`)));
  it("WHEN compiled THEN it fails with the figure and Argo's limit", () => {
    const p = compileYaml(text).problems.find((x) => x.code === "LIMIT_EXCEEDED")!;
    expect(p.message).toMatch(/needs 20\d templates \(207 distinct step configurations, \d+ DAGs\); Argo v4 allows 200/);
  });
});
