// Every example flow, YAML and TypeScript, runs to completion with `flowc run` and leaves the right
// artifacts in the datastore.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, EXAMPLES, flowc, localRun, runIdOf, tempDir } from "./helpers.ts";

const cwd = tempDir();
const ds = join(cwd, ".flowc");

async function run(file: string, flow: string, ...params: string[]) {
  const r = await flowc(["run", join(EXAMPLES, file), "--max-workers", "4", ...params.flatMap((p) => ["--param", p])], { cwd });
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return localRun(ds, flow, runIdOf(r));
}

beforeAll(() => ensureBuilt());

describe.concurrent("GIVEN the example flows WHEN each runs locally", () => {
  it("THEN linear.yaml passes the message down and upper-cases it", async () => {
    const r = await run("linear.yaml", "linear");
    expect(r.artifact("shout", "message")).toBe("HELLO\n");
    expect(r.stdout("end")).toBe("HELLO\n");
  });

  it("THEN linear.ts does the same through ctx.set/get (a string artifact is its text plus a newline)", async () => {
    const r = await run("linear.ts", "linear-ts", "greeting=hey");
    expect(r.artifact("shout", "message")).toBe("HEY\n");
    expect(r.stdout("end")).toBe("HEY\n");
  });

  it("THEN foreach.yaml squares 0..99 in 100 tasks and the join sums them to 328350", async () => {
    const r = await run("foreach.yaml", "foreach");
    expect(r.indexes("square")).toHaveLength(100);
    expect(r.artifact("square", "square", "7")).toBe("49\n");
    expect(r.artifact("gather", "sum").trim()).toBe("328350");
    expect(r.stdout("end").trim()).toBe("328350");
  });

  it("THEN foreach.ts gives the same sum through ctx.inputs", async () => {
    const r = await run("foreach.ts", "foreach-ts");
    expect(r.indexes("square")).toHaveLength(100);
    expect(JSON.parse(r.artifact("gather", "sum"))).toBe(328350);
    expect(r.stdout("end")).toBe("sum 328350\n");
  });

  it("THEN a foreach parameter changes the number of items", async () => {
    const r = await run("foreach.ts", "foreach-ts", "width=10");
    expect(r.indexes("square")).toHaveLength(10);
    expect(JSON.parse(r.artifact("gather", "sum"))).toBe(285);
  });

  it.each([
    ["nested-foreach.yaml", "nested-foreach"],
    ["nested-foreach.ts", "nested-foreach-ts"],
  ])("THEN %s runs 10 × 10 cells, joined twice, to 100", async (file, flow) => {
    const r = await run(file, flow);
    expect(r.indexes("row")).toHaveLength(10);
    expect(r.indexes("cell")).toHaveLength(100);
    expect(r.indexes("cell")).toContain("3.7");
    expect(r.indexes("row_join")).toHaveLength(10);
    expect(Number(r.artifact("grid_join", "cells"))).toBe(100);
  });

  it.each([
    ["split.yaml", "split"],
    ["split.ts", "split-ts"],
  ])("THEN %s joins both branches: (20 + 1) + (20 × 2) = 61", async (file, flow) => {
    const r = await run(file, flow);
    expect(Number(r.artifact("merge", "total"))).toBe(61);
  });

  it.each([
    ["split-in-foreach.yaml", "split-in-foreach"],
    ["split-in-foreach.ts", "split-in-foreach-ts"],
  ])("THEN %s runs a split per item: Σ 5n over 1, 2, 3 = 30", async (file, flow) => {
    const r = await run(file, flow);
    expect(r.indexes("double")).toHaveLength(3);
    expect(Number(r.artifact("combine", "v", "1"))).toBe(10);
    expect(Number(r.artifact("gather", "total"))).toBe(30);
  });

  for (const [file, flow] of [
    ["switch.yaml", "switch"],
    ["switch.ts", "switch-ts"],
  ] as const)
    for (const [params, outcome] of [
      [[], "archived"],
      [["size=20"], "published"],
    ] as const)
      it(`THEN ${file} ${params.join(" ") || "(defaults)"} follows the chosen case: ${outcome}`, async () => {
        const r = await run(file, flow, ...params);
        expect(r.artifact("report", "outcome").trim()).toBe(outcome);
        const skipped = outcome === "archived" ? "publish" : "archive";
        expect(existsSync(join(r.base, skipped))).toBe(false);
      });

  it("THEN train.yaml (split, foreach, switch, catch) finishes with the best score", async () => {
    const r = await run("train.yaml", "train-model", "day=2026-11-29");
    expect(r.artifact("start", "day")).toBe("2026-11-29\n");
    expect(Number(r.artifact("merge", "parts"))).toBe(3);
    expect(r.indexes("fit")).toHaveLength(3);
    expect(Number(r.artifact("gather", "best"))).toBe(1);
    expect(r.done("publish")).toBeDefined();
    expect(r.stdout("end")).toBe("done: best=1\n");
  });
});
