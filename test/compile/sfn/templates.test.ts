import { describe, expect, it } from "vitest";
import { mergeUnder } from "../../../src/compile/templates.ts";
import { testEnv } from "./helpers.ts";

describe("GIVEN a template and a generated document", () => {
  it("WHEN merged THEN generated values win, objects merge key by key, arrays are replaced, and template-only keys come last", () => {
    const merged = mergeUnder(
      { a: 1, tags: { org: "acme", team: "x" }, list: [1, 2], only: { z: true } },
      { tags: { team: "recs" }, list: [3], b: 2, a: 9 },
    );
    expect(merged).toStrictEqual({ tags: { team: "recs", org: "acme" }, list: [3], b: 2, a: 9, only: { z: true } });
    expect(Object.keys(merged)).toEqual(["tags", "list", "b", "a", "only"]);
  });

  it("WHEN there is no template THEN the generated document is returned as it is", () => {
    const doc = { x: [1], y: { z: 1 } };
    expect(mergeUnder(undefined, doc)).toBe(doc);
  });
});

describe("GIVEN flowc's own templates", () => {
  it("WHEN the configuration is loaded THEN every sfn template is there, parsed", () => {
    const t = testEnv("prod").templates;
    for (const name of ["batch-job", "ecs-task", "schedule", "rule", "iam", "state-machine"]) expect(typeof t[`sfn/${name}.json`], name).toBe("object");
  });
});

describe("GIVEN a compiled flow", () => {
  it("WHEN the manifest's content hash is taken from the spec text THEN it equals flowHash of the IR", async () => {
    const { contentHash } = await import("../../../src/compile/manifest.ts");
    const { flowHash } = await import("../../../src/flow/hash.ts");
    const { buildSpec } = await import("../../../src/flow/spec.ts");
    const { readFlow } = await import("../../../src/flow/read.ts");
    const { EXAMPLES } = await import("./helpers.ts");
    for (const f of EXAMPLES) {
      const read = await readFlow(f);
      const spec = buildSpec(read.ir!, read.loaded.package?.sha256);
      const input = { ir: read.ir!, graph: read.graph!, env: testEnv(), spec, flowcVersion: "t" };
      expect(contentHash(input), f).toBe(flowHash(read.ir!));
      expect(contentHash({ ...input, ir: structuredClone(read.ir!) }), f).toBe(flowHash(read.ir!));
    }
  });
});
