// TypeScript flows fail in the user's own files: an import-time throw is reported at its line and
// column, and a step body's stack trace is mapped through the code package's source map, in
// `flowc run`'s summary, in the task's stored stderr, in `flowc show` and in `flowc step`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, flowc, localRun, runIdOf, tempDir } from "./helpers.ts";

const cwd = tempDir("flowc-stack-");
const write = (file: string, lines: string[]) => {
  mkdirSync(join(cwd, file, ".."), { recursive: true });
  writeFileSync(join(cwd, file), `${lines.join("\n")}\n`);
};

beforeAll(() => {
  ensureBuilt();
  write("flows/lib/explode.ts", [
    "export function explode(item: number): number {", // 1
    "  if (item === 2) throw new RangeError(`item ${item} is too big`);", // 2: column 25 is `new`, where V8 places the frame
    "  return item;",
    "}",
  ]);
  write("flows/fails.ts", [
    'import { flow } from "flowc";', // 1
    'import { explode } from "./lib/explode.ts";', // 2
    "", // 3
    "export default flow({", // 4
    '  name: "fails",', // 5
    "  steps: {", // 6
    '    start: { foreach: true, next: "work", run: (ctx) => ctx.foreach([0, 1, 2]) },', // 7
    '    work: { next: "join", run: (ctx) => ctx.set("v", explode(Number(ctx.item))) },', // 8: explode( at column 54
    '    join: { join: true, next: "end", run: () => {} },',
    "    end: { run: () => {} },",
    "  },",
    "});",
  ]);
  write("flows/top.ts", ['import { flow } from "flowc";', "", 'const settings = JSON.parse("{not json");', "", 'export default flow({ name: "top", steps: { end: { run: () => console.log(settings) } } });']);
  write("flows/lib/bad-init.ts", ["export const table = new Map<string, number>();", 'table.get("x")!.toFixed(2);']);
  write("flows/imports-bad.ts", ['import { flow } from "flowc";', 'import { table } from "./lib/bad-init.ts";', "", 'export default flow({ name: "imports-bad", steps: { end: { run: () => console.log(table.size) } } });']);
});

describe("GIVEN a TypeScript flow that throws while it is imported", () => {
  it("WHEN validated THEN the error is at the throwing line and column of the flow file", async () => {
    const r = await flowc(["validate", "flows/top.ts"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^flows\/top\.ts:3:(\d+): error TS_LOAD: importing the module failed: SyntaxError: /m);
    expect(r.stderr).toContain('3 | const settings = JSON.parse("{not json");');
  });

  it("WHEN a module it imports throws THEN the error is in that module, and the hint names the flow", async () => {
    const r = await flowc(["validate", "flows/imports-bad.ts"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^flows\/lib\/bad-init\.ts:2:\d+: error TS_LOAD: importing the module failed: TypeError: /m);
    expect(r.stderr).toContain("imported by flows/imports-bad.ts");
  });
});

describe("GIVEN a TypeScript step body that throws", () => {
  let runId = "";
  let out = "";
  beforeAll(async () => {
    const r = await flowc(["run", "flows/fails.ts", "--max-workers", "2"], { cwd });
    expect(r.code).toBe(1);
    runId = runIdOf(r);
    out = r.stdout;
  }, 60_000);

  it("WHEN flowc run reports it THEN the stack is in the user's files, innermost first", () => {
    expect(out).toContain("RangeError: item 2 is too big");
    const frames = out.split("\n").filter((l) => /^\s+at /.test(l));
    expect(frames[0]).toMatch(/at explode \(flows\/lib\/explode\.ts:2:25\)$/);
    expect(frames[1]).toMatch(/\(flows\/fails\.ts:8:54\)$/);
    expect(out).not.toMatch(/[0-9a-f]{64}\.mjs/);
  });

  it("WHEN the task's stored stderr and flowc show are read THEN they carry the same mapped stack", async () => {
    const run = localRun(join(cwd, ".flowc"), "fails", runId);
    const log = readFileSync(join(run.taskDir("work", "2"), "attempt-0", "stderr"), "utf8");
    expect(log).toContain("at explode (flows/lib/explode.ts:2:25)");
    const show = await flowc(["show", `${runId}/work/2`], { cwd });
    expect(show.stdout).toContain("at explode (flows/lib/explode.ts:2:25)");
    // The map is kept beside the code package, whose bytes (and so its content address) it leaves alone.
    const spec = JSON.parse(readFileSync(join(cwd, ".flowc", JSON.parse(readFileSync(join(run.base, "run.json"), "utf8")).spec), "utf8")) as { package: string };
    expect(existsSync(join(cwd, ".flowc", `${spec.package}.map`))).toBe(true);
  });

  it("WHEN the task runs as a compiled flow's container runs it (flowc step) THEN its output shows the mapped stack", async () => {
    // The spec and code package flowc run published, as deploy would have.
    const root = join(cwd, ".flowc");
    const spec = (JSON.parse(readFileSync(join(localRun(root, "fails", runId).base, "run.json"), "utf8")) as { spec: string }).spec;
    const env = { FLOWC_ROOT: root, FLOWC_SPEC: spec };
    expect((await flowc(["step", "--run-id", "r1", "--step", "start"], { cwd, env })).code).toBe(0);
    const r = await flowc(["step", "--run-id", "r1", "--step", "work", "--index", "2"], { cwd, env });
    expect(r.code).toBe(1);
    const stack = r.stderr.slice(r.stderr.indexOf("RangeError"), r.stderr.indexOf("flowc step:"));
    expect(stack.split("\n").filter((l) => /^\s+at /.test(l))).toEqual([expect.stringMatching(/at explode \(flows\/lib\/explode\.ts:2:25\)$/), expect.stringMatching(/\(flows\/fails\.ts:8:54\)$/)]);
  });
});
