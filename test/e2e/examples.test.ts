// Every example flow, YAML and TypeScript, deployed with `flowc deploy --target sfn` to the local AWS,
// started with `flowc trigger`, run to the end by moto's Step Functions interpreter with every task a
// real `flowc step` process in a Batch job; its artifacts in S3 are then compared, task by task, with
// those of `flowc run` on the same file and parameters (docs/e2e.md).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, Rig, ensureBuilt, prove, tasksPerStep, unexecutedTasks, type Proof, type RunView } from "./helpers.ts";

const rig = new Rig();
let env: string;
beforeAll(async () => {
  ensureBuilt();
  await rig.start();
  // Nested Distributed Maps multiply: without a bound a 10 × 10 foreach runs 100 `flowc step`
  // processes at once on a 2-core machine. 5 × 5 keeps both cores busy (docs/e2e.md, "Timings").
  // A flow's own `parallelism` (foreach: 50) still wins over this.
  env = rig.env("shapes", { sfn: ["foreach: { maxConcurrency: 5 }"] });
}, 120_000);
afterAll(() => rig.stop());

interface Case {
  file: string;
  what: string;
  params?: Record<string, string>;
  /** Tasks per step a correct run has (independent of flowc run, which could be wrong the same way). */
  tasks: Record<string, number>;
  /** The result the flow computes, where it ends up. */
  check: (run: RunView) => void;
}

const out = (run: RunView, task: string, name: string) => run[task]?.outputs[name];

const LIGHT: Case[] = [
  ...["linear.yaml", "linear.ts"].map((file): Case => ({
    file,
    what: "linear: three steps in a row",
    tasks: { start: 1, shout: 1, end: 1 },
    check: (r: RunView) => expect(r["end/_"]?.stdout).toBe("HELLO\n"),
  })),
  ...["split.yaml", "split.ts"].map((file): Case => ({
    file,
    what: "split/join: two branches and the join that sees both",
    tasks: { start: 1, left: 1, right: 1, merge: 1, end: 1 },
    check: (r: RunView) => expect(out(r, "merge/_", "total")).toBe("61\n"),
  })),
  ...["split-in-foreach.yaml", "split-in-foreach.ts"].map((file): Case => ({
    file,
    what: "a split inside a foreach of 3 items",
    tasks: { start: 1, fork: 3, double: 3, triple: 3, combine: 3, gather: 1, end: 1 },
    check: (r: RunView) => {
      expect(r["start/_"]?.foreach).toEqual(["0", "1", "2"]);
      expect(out(r, "gather/_", "total")).toBe("30\n");
    },
  })),
  ...["switch.yaml", "switch.ts"].flatMap((file): Case[] => [
    {
      file,
      what: "a switch taking its `big` branch",
      params: { size: "20" },
      tasks: { start: 1, publish: 1, report: 1, end: 1 },
      check: (r: RunView) => {
        expect(r["start/_"]?.switch).toEqual({ case: "big" });
        expect(out(r, "report/_", "outcome")).toBe("published\n");
      },
    },
    {
      file,
      what: "a switch taking its `small` branch",
      params: { size: "5" },
      tasks: { start: 1, archive: 1, report: 1, end: 1 },
      check: (r: RunView) => {
        expect(r["start/_"]?.switch).toEqual({ case: "small" });
        expect(out(r, "report/_", "outcome")).toBe("archived\n");
      },
    },
  ]),
  {
    file: "train.yaml",
    what: "split, foreach, switch and catch in one flow, with a required parameter",
    params: { day: "2026-11-29" },
    tasks: { start: 1, a: 1, b: 1, merge: 1, fan: 1, fit: 3, gather: 1, choose: 1, publish: 1, end: 1 },
    check: (r: RunView) => {
      expect(out(r, "start/_", "day")).toBe("2026-11-29\n");
      expect(out(r, "gather/_", "best")).toBe("1\n");
      expect(r["choose/_"]?.switch).toEqual({ case: "big" });
      expect(r["end/_"]?.stdout).toBe("done: best=1\n");
    },
  },
];

const HEAVY: Case[] = [
  ...["foreach.yaml", "foreach.ts"].map((file): Case => ({
    file,
    what: "a foreach over 100 items",
    tasks: { start: 1, square: 100, gather: 1, end: 1 },
    check: (r: RunView) => {
      expect(r["start/_"]?.foreach).toEqual([...Array(100).keys()].map(String));
      expect(out(r, "gather/_", "sum")).toBe("328350\n"); // Σ k², k < 100
    },
  })),
  ...["nested-foreach.yaml", "nested-foreach.ts"].map((file): Case => ({
    file,
    what: "a nested foreach, 10 × 10",
    tasks: { start: 1, row: 10, cell: 100, row_join: 10, grid_join: 1, end: 1 },
    check: (r: RunView) => {
      expect(r["row/7"]?.foreach).toEqual([...Array(10).keys()].map((k) => `7.${k}`));
      expect(out(r, "row_join/3", "count")).toBe("10\n");
      expect(out(r, "grid_join/_", "cells")).toBe("100\n");
    },
  })),
];

const title = (c: Case) =>
  `GIVEN examples/${c.file} (${c.what}) deployed with \`flowc deploy --target sfn\` ` +
  `WHEN \`flowc trigger${Object.entries(c.params ?? {})
    .map(([k, v]) => ` --param ${k}=${v}`)
    .join("")}\` starts it ` +
  `THEN the execution SUCCEEDED, each of its ${Object.values(c.tasks).reduce((a, b) => a + b, 0)} tasks ran as a Batch job, and its artifacts equal \`flowc run\`'s`;

const failedJobs = (p: Proof) =>
  p.jobs
    .filter((j) => j.status !== "SUCCEEDED")
    .map((j) => `job ${j.step}[${j.index}]@${j.attempt}: ${j.status} ${j.statusReason ?? ""} exit ${j.exitCode}; ${j.reason ?? ""}`)
    .join("\n");

async function check(c: Case): Promise<Proof> {
  const p = await prove(rig, join(EXAMPLES, c.file), env, c.params ?? {});
  expect(p.local_.code, p.local_.stdout + p.local_.stderr).toBe(0);
  expect(p.execution.status, `${p.execution.error}: ${p.execution.cause}\n${failedJobs(p)}`).toBe("SUCCEEDED");
  expect(tasksPerStep(p.remote)).toEqual(c.tasks);
  expect(unexecutedTasks(p)).toEqual([]);
  expect(p.samePackages, "the deployed tasks loaded the spec and code package flowc run published").toBe(true);
  expect(p.remote).toEqual(p.local);
  c.check(p.remote);
  return p;
}

// Short flows wait on the interpreter (a Batch .sync task polls every 0.5 s) more than on the CPU:
// they run side by side. The two big fan-outs keep both cores busy on their own: one at a time.
describe.concurrent("GIVEN the small examples", () => {
  for (const c of LIGHT) it(title(c), async () => void (await check(c)), 300_000);
});

describe("GIVEN the large fan-outs", () => {
  for (const c of HEAVY) it(title(c), async () => void (await check(c)), 300_000);
});
