// Bundles the CLI and the public library with esbuild. Type checking is `npm run typecheck`;
// this stays fast so that `npm ci` (via `prepare`) leaves a runnable ./bin/flowc.
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
  build({ ...common, entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts", author: "src/flow/author/index.ts", "bench-entry": "src/bench-entry.ts", worker: "src/runtime/worker-main.ts" }, outdir: "dist", splitting: true, chunkNames: "chunks/[name]-[hash]" }),
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
