// The pipeline's layers depend on the shared modules, not on each other: compile, deploy and the
// runtime agree on the step contract through src/contract (task environment, datastore keys,
// parameter codec, labels) and src/datastore, and on expected failures through src/errors.ts. Deploy
// reads the compiler's bundle, so it may import the compiler's *types*, nothing else of it.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

interface Edge {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Every relative import (static, `export … from`, and dynamic) of every source file, as paths under src/. */
function edges(): Edge[] {
  const out: Edge[] = [];
  for (const f of files(SRC)) {
    const text = readFileSync(f, "utf8");
    const re = /(?:^|\n)\s*(import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/g;
    for (const m of text.matchAll(re)) {
      const spec = m[3] ?? m[4]!;
      out.push({ from: relative(SRC, f), to: relative(SRC, resolve(dirname(f), spec)), typeOnly: !!m[2] });
    }
  }
  return out;
}

const layer = (path: string) => path.split("/")[0]!;

const FORBIDDEN: Record<string, string[]> = {
  contract: ["compile", "deploy", "runtime", "cli", "datastore"],
  datastore: ["compile", "deploy", "runtime", "cli"],
  policy: ["deploy", "runtime", "cli"],
  compile: ["deploy", "runtime", "cli"],
  runtime: ["compile", "deploy", "cli"],
  deploy: ["runtime", "cli"],
};

describe("GIVEN the source tree", () => {
  const all = edges();

  it("THEN it finds the imports (the check itself works)", () => {
    expect(all.length).toBeGreaterThan(300);
    expect(all).toContainEqual(expect.objectContaining({ from: "runtime/step.ts", to: "contract/params.ts" }));
  });

  it("WHEN the layers' imports are listed THEN compile, deploy and the runtime import the shared modules and not each other", () => {
    const bad = all.filter((e) => (FORBIDDEN[layer(e.from)] ?? []).includes(layer(e.to))).map((e) => `${e.from} → ${e.to}`);
    expect(bad).toEqual([]);
  });

  it("WHEN deploy imports the compiler THEN it is for the bundle's types only", () => {
    const bad = all.filter((e) => layer(e.from) === "deploy" && layer(e.to) === "compile" && !e.typeOnly).map((e) => `${e.from} → ${e.to}`);
    expect(bad).toEqual([]);
  });

  it("WHEN anything but the CLI (and the public index) imports src/cli THEN that is a layering error", () => {
    const bad = all.filter((e) => layer(e.to) === "cli" && layer(e.from) !== "cli" && e.from !== "index.ts").map((e) => `${e.from} → ${e.to}`);
    expect(bad).toEqual([]);
  });
});
