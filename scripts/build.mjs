// Bundles the CLI and the public library with esbuild. Type checking is `npm run typecheck`, and the
// package's declarations are scripts/build-types.mjs (run by `npm pack`); this stays fast, since
// `npm test` and the tests that spawn ./bin/flowc build first.
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

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
  // bench-entry is for bench/ only: built here so it shares the chunks it measures, left out of the package (package.json "files").
  build({ ...common, entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts", "bench-entry": "src/bench-entry.ts", worker: "src/runtime/worker-main.ts" }, outdir: "dist", splitting: true, chunkNames: "chunks/[name]-[hash]" }),
  // What `import ... from "flowc"` becomes inside an installed flowc's code packages (src/flow/load/bundle.ts):
  // one file with no imports, so a bundle never reaches into flowc's chunks.
  build({ ...common, entryPoints: { author: "src/flow/author/index.ts" }, outdir: "dist" }),
]);

// Schema validators compiled ahead of time (ajv standalone): compiling the flow schema at run time is
// ~30–60 ms of every `flowc validate|compile`. src/flow/validate/schema.ts and src/config/load.ts use
// these when present and compile the schema themselves otherwise (tests run from src/).
const require = createRequire(import.meta.url);
const Ajv = require("ajv").default;
const standalone = require("ajv/dist/standalone").default;
mkdirSync(new URL("../dist/validators", import.meta.url), { recursive: true });
for (const [name, options] of Object.entries({
  flow: { allErrors: true, verbose: true, strict: false, allowUnionTypes: true },
  config: { allErrors: true, verbose: true, strict: false },
})) {
  const schema = JSON.parse(readFileSync(new URL(`../schemas/${name}.schema.json`, import.meta.url), "utf8"));
  const ajv = new Ajv({ ...options, code: { source: true } });
  writeFileSync(new URL(`../dist/validators/${name}.cjs`, import.meta.url), standalone(ajv, ajv.compile(schema)));
}
