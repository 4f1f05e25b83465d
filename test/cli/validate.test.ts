import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import type { Io } from "../../src/cli/io.ts";

const root = join(import.meta.dirname, "../..");

function capture(): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    isTTY: false,
    env: { NO_COLOR: "1" },
    cwd: root,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

describe("GIVEN the flowc CLI", () => {
  it("WHEN --version is asked THEN it prints the package version and exits 0", async () => {
    const io = capture();
    expect(await main(["--version"], io)).toBe(0);
    expect(io.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
  it("WHEN --help is asked THEN every command is listed with examples", async () => {
    const io = capture();
    expect(await main(["--help"], io)).toBe(0);
    expect(io.out).toContain("validate");
    expect(io.out).toContain("compile");
    expect(io.out).toContain("Examples:");
  });
  it("WHEN an unknown command is given THEN it exits 2 with a suggestion", async () => {
    const io = capture();
    expect(await main(["validat", "x.yaml"], io)).toBe(2);
    expect(io.err).toContain("validate");
  });
  it("WHEN validate gets no file THEN it is a usage error (2)", async () => {
    const io = capture();
    expect(await main(["validate"], io)).toBe(2);
  });
  it("WHEN validate gets valid examples THEN it exits 0", async () => {
    const io = capture();
    expect(await main(["validate", "examples/train.yaml", "examples/split.ts"], io)).toBe(0);
    expect(io.out).toContain("train-model");
  });
  it("WHEN validate gets an invalid flow THEN it exits 1 and prints file:line:col, the source line and a caret", async () => {
    const io = capture();
    expect(await main(["validate", "test/fixtures/invalid/UNKNOWN_KEY.yaml"], io)).toBe(1);
    expect(io.err).toContain("test/fixtures/invalid/UNKNOWN_KEY.yaml:5:26: error UNKNOWN_KEY");
    expect(io.err).toMatch(/\n5 \|.*nxt: end/);
    expect(io.err).toMatch(/\n {2}\| {26}\^\^\^/);
    expect(io.err).toContain("did you mean `next`?");
  });
  it("WHEN --format json is asked THEN diagnostics are printed as data", async () => {
    const io = capture();
    expect(await main(["validate", "--format", "json", "test/fixtures/invalid/CYCLE.yaml", "examples/linear.yaml"], io)).toBe(1);
    const j = JSON.parse(io.out);
    expect(j.valid).toBe(false);
    expect(j.files[0].diagnostics[0]).toMatchObject({ code: "CYCLE", start: { line: 7, col: 22 }, severity: "error" });
    expect(j.files[1]).toMatchObject({ valid: true, diagnostics: [] });
  });
  it("WHEN --format has a bad value THEN it is a usage error", async () => {
    const io = capture();
    expect(await main(["validate", "--format", "xml", "examples/linear.yaml"], io)).toBe(2);
  });
});
