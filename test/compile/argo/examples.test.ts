import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { golden } from "./golden.ts";
import { compileExample, docsOf, ROOT } from "./helpers.ts";
import { lintWorkflowTemplate } from "./lint.ts";
import { checkSchema } from "./schema.ts";

const EXAMPLES = readdirSync(join(ROOT, "examples")).filter((f) => /\.(yaml|ts)$/.test(f)).sort();
/** foreach.yaml → foreach, foreach.ts → foreach-ts: one fixture folder per example file. */
const fixtureDir = (f: string) => f.replace(/\.yaml$/, "").replace(/\.ts$/, "-ts");

describe.each(EXAMPLES)("GIVEN the example %s compiled for argo --env prod", (file) => {
  it("THEN every document validates against Argo's v4 schema with unknown fields rejected", async () => {
    const docs = docsOf(await compileExample(file));
    expect(docs[0]!.kind).toBe("WorkflowTemplate");
    for (const d of docs) expect(checkSchema(d)).toEqual({ kind: d.kind, name: d.metadata.name, problems: [] });
  });

  it("THEN the WorkflowTemplate passes Argo's reference and variable checks", async () => {
    expect(lintWorkflowTemplate(docsOf(await compileExample(file))[0]!)).toEqual([]);
  });

  it("WHEN compiled twice THEN the bytes are identical", async () => {
    const [a, b] = [await compileExample(file), await compileExample(file)];
    expect(a.files.map((f) => [f.name, f.content])).toEqual(b.files.map((f) => [f.name, f.content]));
  });

  it("THEN the bundle matches its golden files", async () => {
    const r = await compileExample(file);
    expect(r.files.map((f) => f.name)).toEqual([r.primary, r.primary.replace(".argo.yaml", ".manifest.json")]);
    for (const f of r.files) {
      const { expected, actual } = golden(`${fixtureDir(file)}/${f.name}`, f.content);
      expect(actual).toBe(expected);
    }
  });
});
