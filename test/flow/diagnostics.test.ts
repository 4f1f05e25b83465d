import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DiagnosticCode } from "../../src/diagnostics/diagnostic.ts";
import { readFlow } from "../../src/flow/read.ts";

const dir = join(import.meta.dirname, "../fixtures/invalid");

/** `# expect: CODE line:col [warning]` on the first line; files that cannot hold a comment are named after the code. */
function expectation(file: string): { code: string; line: number; col: number; severity: "error" | "warning" } {
  const first = readFileSync(join(dir, file), "utf8").split("\n")[0] ?? "";
  const m = /expect: ([A-Z_]+) (\d+):(\d+)( warning)?/.exec(first);
  if (m) return { code: m[1]!, line: Number(m[2]), col: Number(m[3]), severity: m[4] ? "warning" : "error" };
  return { code: file.split(/[-.]/)[0]!, line: 1, col: 1, severity: "error" };
}

describe("GIVEN a malformed flow for every diagnostic code", () => {
  const files = readdirSync(dir).sort();
  it.each(files)("WHEN %s is validated THEN the expected code is reported at its line and column", async (file) => {
    const want = expectation(file);
    const result = await readFlow(join(dir, file));
    const got = result.diagnostics.map((d) => ({ code: d.code, line: d.start.line, col: d.start.col, severity: d.severity }));
    expect(got).toContainEqual(want);
    for (const d of result.diagnostics) {
      expect(d.hint, `${d.code} has a hint`).toBeTruthy();
      expect(d.file).toBe(join(dir, file));
    }
    if (want.severity === "error") expect(result.ir).toBeUndefined();
    else expect(result.ir).toBeDefined();
  });

  it("THEN every flow diagnostic code has a fixture", () => {
    const covered = new Set(files.map((f) => expectation(f).code));
    const flowCodes: DiagnosticCode[] = [
      "FILE_UNSUPPORTED", "YAML_SYNTAX", "YAML_EMPTY", "DUPLICATE_KEY", "TS_LOAD", "API_VERSION", "UNKNOWN_KEY",
      "MISSING_KEY", "WRONG_TYPE", "INVALID_VALUE", "INVALID_NAME", "INVALID_DURATION", "INVALID_MEMORY", "INVALID_CRON",
      "INVALID_TIMEZONE", "INVALID_CONCURRENCY", "PARAM_DEFAULT_TYPE", "PARAM_REQUIRED_WITH_DEFAULT", "TRIGGER_PARAM_UNKNOWN",
      "UNKNOWN_PLACEHOLDER", "PLACEHOLDER_TYPE", "PARAM_NOT_SUPPLIED", "MAPPING_LITERAL",
      "MISSING_START", "MISSING_END", "END_HAS_NEXT", "START_IS_JOIN", "NO_NEXT", "CONFLICTING_TRANSITIONS", "STEP_NO_ACTION",
      "STEP_BOTH_ACTIONS", "UNKNOWN_TARGET", "SELF_LOOP", "CYCLE", "UNREACHABLE", "DUPLICATE_BRANCH", "UNCLOSED_SPLIT",
      "UNCLOSED_FOREACH", "WRONG_JOIN", "JOIN_NOTHING", "MISSING_JOIN", "PARALLELISM_NOT_FOREACH",
      "INVALID_SECRET", "SECRET_ENV_CONFLICT", "PLAINTEXT_SECRET",
    ];
    expect(flowCodes.filter((c) => !covered.has(c))).toEqual([]);
  });
});

describe("GIVEN a path that is not a readable flow file", () => {
  it("WHEN it is validated THEN FILE_NOT_FOUND is reported, not thrown", async () => {
    const r = await readFlow(join(dir, "does-not-exist.yaml"));
    expect(r.diagnostics.map((d) => d.code)).toEqual(["FILE_NOT_FOUND"]);
  });
});

describe("GIVEN a flow with several independent problems", () => {
  it("WHEN it is validated THEN every problem is reported at once", async () => {
    const r = await readFlow(join(import.meta.dirname, "../fixtures/many-problems.yaml"));
    const codes = new Set(r.diagnostics.map((d) => d.code));
    for (const c of ["API_VERSION", "INVALID_NAME", "PARAM_DEFAULT_TYPE", "INVALID_CRON", "INVALID_TIMEZONE", "UNKNOWN_KEY", "INVALID_DURATION", "INVALID_MEMORY"])
      expect(codes).toContain(c);
  });
});
