// Small pure pieces: parameters, backoff, artifact encoding, index paths, the local datastore.
import fc from "fast-check";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ParameterIR } from "../../src/flow/ir.ts";
import { decodeValue, encodeValue } from "../../src/runtime/artifacts.ts";
import { LocalDatastore } from "../../src/datastore/local.ts";
import { childIndex, indexKey, isArtifactName, isRunId, newRunId, parentIndex, parseIndex, truncateIndex } from "../../src/contract/layout.ts";
import { envText, paramEnvName } from "../../src/contract/env.ts";
import { parseParamFlags, resolveParams } from "../../src/contract/params.ts";
import { backoffMs } from "../../src/runtime/retry.ts";
import { tempDir } from "./helpers.ts";

const declared: ParameterIR[] = [
  { name: "day", type: "string", required: true },
  { name: "alpha", type: "number", required: false, default: 0.5 },
  { name: "n", type: "integer", required: false },
  { name: "dry_run", type: "boolean", required: false, default: false },
  { name: "cfg", type: "json", required: false },
];

describe("GIVEN declared parameters", () => {
  it("WHEN --param flags are parsed THEN each value gets its declared type", () => {
    const r = parseParamFlags(["day=2026-11-29", "alpha=1e-3", "n=42", "dry_run=true", 'cfg={"a":[1]}'], declared);
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual({ day: "2026-11-29", alpha: 0.001, n: 42, dry_run: true, cfg: { a: [1] } });
  });

  it("WHEN values are wrong THEN every problem is reported with a code", () => {
    const r = parseParamFlags(["n=4.5", "alpha=", "dry_run=yes", "cfg={", "nope=1", "novalue"], declared);
    expect(r.problems.map((p) => `${p.code}:${p.param}`)).toEqual(["PARAM_TYPE:n", "PARAM_TYPE:alpha", "PARAM_TYPE:dry_run", "PARAM_TYPE:cfg", "PARAM_UNKNOWN:nope", "PARAM_SYNTAX:novalue"]);
  });

  it("WHEN resolving THEN defaults apply, required ones are checked, and strings are typed (Argo)", () => {
    expect(resolveParams(declared, { day: "d" }, { strict: true })).toEqual({ values: { day: "d", alpha: 0.5, dry_run: false }, problems: [] });
    expect(resolveParams(declared, {}, { strict: true }).problems).toEqual([{ code: "PARAM_MISSING", param: "day", message: "missing required parameter `day` (string)" }]);
    expect(resolveParams(declared, { day: "d", n: "7", extra: 1 }, { strict: false })).toEqual({ values: { day: "d", alpha: 0.5, dry_run: false, n: 7 }, problems: [] });
    expect(resolveParams(declared, { day: 3 }, { strict: false }).problems[0]?.code).toBe("PARAM_TYPE");
  });

  it("WHEN exported to a command THEN names are upper-cased and values raw (strings) or JSON", () => {
    expect(paramEnvName("dry-run.x")).toBe("FLOWC_PARAM_DRY_RUN_X");
    expect(envText("a b")).toBe("a b");
    expect(envText(0.5)).toBe("0.5");
    expect(envText({ a: 1 })).toBe('{"a":1}');
  });
});

describe("GIVEN a retry policy", () => {
  const retry = (delaySeconds: number, factor: number, maxDelaySeconds?: number, jitter = false) => ({
    times: 5,
    onTimeout: false,
    backoff: { delaySeconds, factor, jitter, ...(maxDelaySeconds ? { maxDelaySeconds } : {}) },
  });
  it("WHEN delays grow THEN they are delay × factor^n, capped at the maximum", () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(retry(1, 2), n))).toEqual([1000, 2000, 4000, 8000]);
    expect([0, 1, 2, 3].map((n) => backoffMs(retry(1, 3, 5), n))).toEqual([1000, 3000, 5000, 5000]);
  });
  it("WHEN jitter is on THEN the delay is uniform between 0 and the computed one", () => {
    expect(backoffMs(retry(10, 2, undefined, true), 1, () => 0.25)).toBe(5000);
    fc.assert(fc.property(fc.double({ min: 0, max: 0.999, noNaN: true }), (r) => backoffMs(retry(4, 2, undefined, true), 2, () => r) <= 16000));
  });
});

describe("GIVEN artifact values", () => {
  it("WHEN any JSON value is stored by a TypeScript step and read back THEN it is unchanged", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const { bytes, enc } = encodeValue(v as never);
        expect(decodeValue(bytes, enc)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
  it("WHEN a string looks like JSON THEN a TypeScript reader still gets the string back", () => {
    for (const s of ["42", "true", "null", '{"a":1}', "", "two\nlines\n"]) {
      const { bytes, enc } = encodeValue(s);
      expect(decodeValue(bytes, enc)).toBe(s);
    }
    expect(encodeValue("HELLO").bytes.toString()).toBe("HELLO\n");
    expect(encodeValue([1, 2]).bytes.toString()).toBe("[1,2]\n");
  });
  it("WHEN a command wrote a file THEN a TypeScript reader gets JSON if it parses, else the text without trailing newlines", () => {
    const file = (s: string) => decodeValue(Buffer.from(s), undefined);
    expect(file("21\n")).toBe(21);
    expect(file("[1, 2]\n")).toEqual([1, 2]);
    expect(file("published\n")).toBe("published");
    expect(file("007\n")).toBe("007");
    expect(file("a\nb\n\n")).toBe("a\nb");
  });
});

describe("GIVEN index paths and names", () => {
  it("THEN the helpers agree with the layout (\"\" is _ in keys)", () => {
    expect(indexKey("")).toBe("_");
    expect(parseIndex("_")).toBe("");
    expect(parseIndex("3.7")).toBe("3.7");
    expect(parseIndex("3.")).toBeUndefined();
    expect(childIndex("", 4)).toBe("4");
    expect(childIndex("3", 4)).toBe("3.4");
    expect(parentIndex("3.4")).toBe("3");
    expect(parentIndex("3")).toBe("");
    expect(truncateIndex("1.2.3", 2)).toBe("1.2");
    expect(isRunId(newRunId())).toBe(true);
    expect(isRunId("../x")).toBe(false);
    expect(isArtifactName("plots/loss.png")).toBe(true);
    for (const bad of ["", "/abs", "a/../b", "a//b", "."]) expect(isArtifactName(bad)).toBe(false);
  });
});

describe("GIVEN a local datastore", () => {
  it("WHEN keys are written THEN writes are whole (no temp files left), and listing and deleting work", async () => {
    const dir = tempDir();
    const ds = new LocalDatastore(dir);
    await ds.write("a/b/done.json", "{}");
    await ds.write("a/b/done.json", '{"x":1}');
    expect(readdirSync(join(dir, "a/b"))).toEqual(["done.json"]);
    expect(ds.readSync("a/b/done.json")?.toString()).toBe('{"x":1}');
    expect(await ds.read("missing")).toBeUndefined();
    expect(await ds.list("a")).toEqual(["a/b/done.json"]);
    expect(await ds.children("a")).toEqual(["b"]);
    await ds.delete("a");
    expect(existsSync(join(dir, "a"))).toBe(false);
  });
});
