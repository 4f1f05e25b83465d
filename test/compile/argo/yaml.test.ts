import fc from "fast-check";
import jsyaml from "js-yaml";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { canonicalize, K8S_LEADING_KEYS, toYaml } from "../../../src/render/serialize.ts";

/**
 * toYaml writes the Argo bundle by hand, so check it the hard way: whatever it prints, YAML 1.1
 * and 1.2 readers (the API server reads 1.1-style) must read back exactly the value, every string a
 * string.
 */
const TRICKY = ["", " ", "on", "Yes", "NO", "y", "n", "true", "False", "null", "~", "0", "-1", "+1", "0.5", ".5", "1e3", "1E3", "0x1F", "0o17", "0b101", "010", "1_000", "12:30", "1:20:30", "2024-01-01", "2024-01-01T10:00:00Z", ".inf", "-.inf", ".nan", "NaN", "Infinity", "inf", "e0", "E5", "=", "<<", "-", "--", "-x", "--run-id", "- x", "a: b", "a:b", "a:", "s3://b/k", "#c", "a #c", "a#c", "'q'", '"q"', "x'y", "{{workflow.name}}", "[a]", "{a: 1}", "&a", "*a", "!t", "|", ">", "%x", "@x", "`x`", "a\nb", "a\tb", "trail ", " lead", "two  spaces", "ü", "😀", "\u0007", "\u2028", "16384Mi", "1s", "4h7s", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml:1.4", "nvidia.com/gpu", "/tmp/flowc/switch", "Retrains the model. Every shape - split, foreach", "a, b", "(x)", "x=y", "?", "? x", ": x", "x :", "1-5", "0 6 * * 1-5"];

const plain: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(...TRICKY),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 8 })), tie("v"), { maxKeys: 4 }),
  ),
})).v;

function readBack(text: string) {
  const v11 = parseAllDocuments(text, { version: "1.1" }).map((d) => d.toJS());
  const v12 = parseAllDocuments(text, { version: "1.2" }).map((d) => d.toJS());
  const js = jsyaml.loadAll(text);
  return { v11, v12, js };
}

describe("GIVEN any JSON-like documents", () => {
  it("WHEN written by toYaml THEN YAML 1.1 and 1.2 readers read back the same values", () => {
    fc.assert(
      fc.property(fc.array(plain, { minLength: 1, maxLength: 3 }), (docs) => {
        const want = docs.map((d) => JSON.parse(JSON.stringify(canonicalize(d, K8S_LEADING_KEYS)).replace(/-0\b/g, "0")));
        const { v11, v12, js } = readBack(toYaml(docs));
        const norm = (x: unknown) => JSON.parse(JSON.stringify(x).replace(/-0\b/g, "0"));
        expect(norm(v11)).toEqual(want);
        expect(norm(v12)).toEqual(want);
        expect(norm(js)).toEqual(want);
      }),
      { numRuns: 600 },
    );
  });

  it.each(TRICKY)("WHEN the string %j is written THEN it reads back as that string", (s) => {
    const text = toYaml([{ [s]: s, list: [s, [s], { k: s }] }]);
    for (const docs of Object.values(readBack(text))) expect(docs).toEqual([{ [s]: s, list: [s, [s], { k: s }] }]);
  });

  it("THEN the layout is kubectl's: leading keys first, block style, sequences indented under their key", () => {
    expect(toYaml([{ spec: { a: [{ name: "x", value: "1" }, []], b: {} }, kind: "K", apiVersion: "v1", metadata: { name: "web" } }])).toBe(
      'apiVersion: v1\nkind: K\nmetadata:\n  name: web\nspec:\n  a:\n    - name: x\n      value: "1"\n    - []\n  b: {}\n',
    );
  });
});
