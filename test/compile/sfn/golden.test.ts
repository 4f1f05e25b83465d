// Golden bundles: every example, compiled for the test environments, byte for byte. Regenerate with
// UPDATE_GOLDEN=1 (refused under CI) and review the diff like any other change.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { toCompactJson } from "../../../src/render/serialize.ts";
import { compileFile, EXAMPLES, FIXTURES, testEnv } from "./helpers.ts";

const UPDATE = process.env.UPDATE_GOLDEN === "1";
if (UPDATE && process.env.CI) throw new Error("UPDATE_GOLDEN is refused under CI: golden files are reviewed changes, not regenerated ones");

const GOLDEN = join(FIXTURES, "golden");
const cases: [env: string, file: string][] = [
  ...EXAMPLES.map((f) => ["prod", f] as [string, string]),
  ...["foreach.yaml", "nested-foreach.yaml", "split-in-foreach.yaml"].map((f) => ["inline", join(FIXTURES, "../../../examples", f)] as [string, string]),
  ...["linear.yaml", "split.yaml", "nested-foreach.yaml", "switch.yaml"].map((f) => ["fargate", join(FIXTURES, "../../../examples", f)] as [string, string]),
  ["china", join(FIXTURES, "../../../examples/split.yaml")],
];

describe("GIVEN the examples and the test environments", () => {
  it.each(cases)("WHEN %s / %s is compiled THEN every bundle file equals its golden file", async (env, file) => {
    // GIVEN
    const dir = join(GOLDEN, env, basename(file).replace(/\.(ya?ml|ts)$/, (_, ext) => (ext === "ts" ? "-ts" : "")));
    // WHEN
    const result = await compileFile(file, testEnv(env));
    expect(result.problems).toEqual([]);
    // THEN
    if (UPDATE) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      for (const f of result.files) writeFileSync(join(dir, f.name), f.content);
    }
    expect(existsSync(dir), `no golden files in ${dir}: run UPDATE_GOLDEN=1 npx vitest run test/compile/sfn/golden.test.ts`).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(result.files.map((f) => f.name).sort());
    for (const f of result.files) expect(f.content, `${dir}/${f.name}`).toBe(readFileSync(join(dir, f.name), "utf8"));
    // The size the 1 MiB check used is the size of what deploy uploads.
    const definition = JSON.parse(result.files.find((f) => f.name.endsWith(".asl.json"))!.content);
    expect(result.manifest.stats.definitionBytes).toBe(Buffer.byteLength(toCompactJson(definition)));
  });
});
