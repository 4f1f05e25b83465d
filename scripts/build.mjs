// Bundles the CLI and the public library with esbuild. Type checking is `npm run typecheck`;
// this stays fast so that `npm ci` (via `prepare`) leaves a runnable ./bin/flowc.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  external,
  logLevel: "warning",
};

// Stale chunks from earlier builds would otherwise accumulate and ship with the package.
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

await Promise.all([
  build({ ...common, entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts", author: "src/flow/author/index.ts", "bench-entry": "src/bench-entry.ts", worker: "src/runtime/worker-main.ts" }, outdir: "dist", splitting: true, chunkNames: "chunks/[name]-[hash]" }),
]);
