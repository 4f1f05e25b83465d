import type { Message } from "esbuild";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../util/package-root.ts";

export interface BundleResult {
  /** The ESM bundle: the flow module with everything it imports but Node's builtins. */
  code: string;
  /** sha256 of the code, hex: the code package's content address. */
  sha256: string;
  /** esbuild's source map of `code` (sources relative to the working folder, no contents). */
  map: string;
  errors: Message[];
}

/**
 * Bundles a TypeScript flow module into one self-contained ESM file. The same bytes are the code
 * package that deploy uploads, so a container with flowc installed runs any version of the flow.
 * `flowc` itself resolves to the dependency-free authoring module: its source in a checkout, its
 * build in an installed package (which ships no src/).
 */
export async function bundleFlowModule(file: string): Promise<BundleResult> {
  // esbuild is loaded only for TypeScript flows: YAML-only commands should not pay for it.
  const { build } = await import("esbuild");
  try {
    const out = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      alias: { flowc: authorModule() },
      logLevel: "silent",
      legalComments: "none",
      // Paths relative to the package's folder keep the bundle identical across checkouts.
      absWorkingDir: process.cwd(),
      // The map is a file of its own: inlined, it would change the package's bytes and so its hash.
      sourcemap: "external",
      sourcesContent: false,
      outfile: "__flowc_package__.mjs",
      banner: { js: "import { createRequire as __flowcCreateRequire } from 'node:module'; const require = __flowcCreateRequire(import.meta.url);" },
    });
    const code = out.outputFiles.find((f) => f.path.endsWith(".mjs"))?.text ?? "";
    const map = out.outputFiles.find((f) => f.path.endsWith(".map"))?.text ?? "";
    return { code, sha256: createHash("sha256").update(code).digest("hex"), map, errors: [] };
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (errors) return { code: "", sha256: "", map: "", errors };
    throw e;
  }
}

function authorModule(): string {
  const source = join(packageRoot(), "src/flow/author/index.ts");
  return existsSync(source) ? source : join(packageRoot(), "dist/author.js");
}
