import type { Message } from "esbuild";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { packageRoot } from "../../util/package-root.ts";

export interface BundleResult {
  /** The ESM bundle: the flow module with everything it imports but Node's builtins. */
  code: string;
  /** sha256 of the code, hex: the code package's content address. */
  sha256: string;
  errors: Message[];
}

/**
 * Bundles a TypeScript flow module into one self-contained ESM file. The same bytes are the code
 * package that deploy uploads, so a container with flowc installed runs any version of the flow.
 * `flowc` itself resolves to the dependency-free authoring module.
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
      alias: { flowc: join(packageRoot(), "src/flow/author/index.ts") },
      logLevel: "silent",
      legalComments: "none",
      // Paths relative to the package's folder keep the bundle identical across checkouts.
      absWorkingDir: process.cwd(),
      banner: { js: "import { createRequire as __flowcCreateRequire } from 'node:module'; const require = __flowcCreateRequire(import.meta.url);" },
    });
    const code = out.outputFiles[0]?.text ?? "";
    return { code, sha256: createHash("sha256").update(code).digest("hex"), errors: [] };
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (errors) return { code: "", sha256: "", errors };
    throw e;
  }
}
