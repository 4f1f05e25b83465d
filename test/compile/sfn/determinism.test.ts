import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig, resolveEnv } from "../../../src/config/load.ts";
import { CONFIG, compileFile, EXAMPLES, testEnv } from "./helpers.ts";

/** The same document with every map's keys in reverse order (lists keep their order: it is meaning). */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys((v as Record<string, unknown>)[k])]));
  return v;
}

describe("GIVEN a flow", () => {
  it.each(EXAMPLES)("WHEN %s is compiled twice THEN the two bundles are identical bytes", async (file) => {
    const a = await compileFile(file);
    const b = await compileFile(file);
    expect(b.files).toEqual(a.files);
    expect(a.files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(EXAMPLES.filter((f) => f.endsWith(".yaml")))("WHEN the keys of %s are reordered THEN the bundle is byte-identical", async (file) => {
    // GIVEN
    const dir = mkdtempSync(join(tmpdir(), "flowc-reorder-"));
    const reordered = join(dir, "flow.yaml");
    const original = readFileSync(file, "utf8");
    writeFileSync(reordered, stringify(reverseKeys(parse(original))));
    expect(readFileSync(reordered, "utf8")).not.toBe(original);
    // WHEN
    const a = await compileFile(file);
    const b = await compileFile(reordered);
    // THEN
    expect(b.files).toEqual(a.files);
  });

  it.each(["prod", "fargate"])("WHEN the keys of the configuration file are reordered THEN the %s bundle is byte-identical", async (name) => {
    const dir = mkdtempSync(join(tmpdir(), "flowc-reorder-config-"));
    const config = join(dir, "flowc.config.yaml");
    writeFileSync(config, stringify(reverseKeys(parse(readFileSync(CONFIG, "utf8")))));
    const reordered = resolveEnv(loadConfig(config), name).env!;
    const file = EXAMPLES.find((f) => f.endsWith("split.yaml"))!;
    expect((await compileFile(file, reordered)).files).toEqual((await compileFile(file, testEnv(name))).files);
  });
});
