// flowc as a user installs it: `npm pack`, then a fresh project installs the tarball (offline, from
// npm's cache), type-checks a TypeScript flow with strict settings against the shipped declarations,
// and validates, compiles and runs it with node_modules/.bin/flowc. Also: `npm ci` of this repository
// on this Node prints no engine warnings.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, ROOT, tempDir } from "../runtime/helpers.ts";

interface Packed {
  filename: string;
  files: { path: string }[];
}

const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> =>
  spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false", ...env }, timeout: 240_000 });
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, any>;
const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** The fenced block of `lang` that follows `after` in the README's "Use it from your project". */
function readmeBlock(lang: string, after: string): string {
  const section = readme.slice(readme.indexOf("## Use it from your project"));
  const from = section.indexOf(after);
  const m = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(section.slice(from));
  if (from < 0 || !m) throw new Error(`README: no ${lang} block after ${JSON.stringify(after)}`);
  return m[1]!;
}

let packed: Packed;
let project: string;
let install: SpawnSyncReturns<string>;
const flowc = (...args: string[]) => run(join(project, "node_modules/.bin/flowc"), args, project);
const tsc = (config: string) => run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", config, "--listFilesOnly"], project);

beforeAll(() => {
  // The same steps as `npm pack` (prepack: build, then declarations), run here so that the build
  // takes the lock the other suites share instead of replacing dist/ under them.
  ensureBuilt();
  const types = run(process.execPath, ["scripts/build-types.mjs"], ROOT);
  if (types.status !== 0) throw new Error(`declarations: ${types.stdout}${types.stderr}`);
  const dest = tempDir("flowc-pack-");
  const p = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dest], ROOT);
  if (p.status !== 0) throw new Error(`npm pack: ${p.stderr}`);
  packed = (JSON.parse(p.stdout) as Packed[])[0]!;
  const tarball = join(dest, packed.filename);

  // A project that depends on the tarball. Its lockfile names the versions flowc's own lockfile
  // pinned, so `npm ci --offline` installs from npm's cache without asking the registry.
  project = tempDir("flowc-consumer-");
  cpSync(tarball, join(project, packed.filename));
  const spec = `file:${packed.filename}`;
  const devDependencies = { typescript: pkg.devDependencies.typescript, "@types/node": pkg.devDependencies["@types/node"] };
  const manifest = { name: "consumer", private: true, type: "module", dependencies: { flowc: spec }, devDependencies };
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, Record<string, unknown>> };
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies: manifest.dependencies, devDependencies },
    "node_modules/flowc": {
      version: pkg.version,
      resolved: spec,
      integrity: `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`,
      license: pkg.license,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  const devOnes = new Set(["node_modules/typescript", "node_modules/@types/node", "node_modules/undici-types"]);
  for (const [path, entry] of Object.entries(lock.packages)) if (path && (!entry.dev || devOnes.has(path))) packages[path] = entry;
  writeFileSync(join(project, "package.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(join(project, "package-lock.json"), JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages }, null, 2));
  install = run("npm", ["ci", "--offline", "--no-audit", "--no-fund"], project);
  if (install.status !== 0) throw new Error(`npm ci in the consumer project: ${install.stderr}`);

  mkdirSync(join(project, "flows"));
  writeFileSync(join(project, "tsconfig.json"), readmeBlock("json", "tsconfig.json"));
  writeFileSync(join(project, "flows/hello.ts"), readmeBlock("ts", "A first flow"));
  writeFileSync(join(project, "flowc.config.yaml"), readFileSync(join(ROOT, "flowc.config.yaml")));
}, 600_000);

describe("GIVEN the packed package", () => {
  it("THEN it holds the CLI, the built library, its declarations, docs, schemas and LICENSE, and no sources, bench or build files", () => {
    const files = packed.files.map((f) => f.path);
    for (const f of ["LICENSE", "README.md", "package.json", "bin/flowc", "dist/cli.js", "dist/index.js", "dist/author.js", "dist/worker.js", "dist/types/index.d.ts", "schemas/flow.schema.json", "templates/sfn/state-machine.json", "docs/README.md"])
      expect(files).toContain(f);
    expect(files.filter((f) => /^(src|scripts|bench|test|examples)\//.test(f) || /bench-entry/.test(f) || f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/Apache License\s+Version 2\.0/);
    // `types` and `exports` name files that ship.
    for (const target of [pkg.types, pkg.exports["."].types, pkg.exports["."].import, pkg.main]) expect(files).toContain(String(target).replace(/^\.\//, ""));
    // Nothing runs at install time, so nothing can need a file that is not shipped.
    expect(Object.keys(pkg.scripts).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
  });

  it("THEN every docs/ page flowc's messages name is in it", () => {
    const named = new Set<string>();
    const walk = (dir: string): void => {
      for (const d of readdirSync(dir, { withFileTypes: true }))
        if (d.isDirectory()) walk(join(dir, d.name));
        else for (const m of readFileSync(join(dir, d.name), "utf8").matchAll(/docs\/[\w.-]+\.md/g)) named.add(m[0]);
    };
    walk(join(ROOT, "src"));
    expect(named.size).toBeGreaterThan(5);
    const files = new Set(packed.files.map((f) => f.path));
    expect([...named].filter((d) => !files.has(d))).toEqual([]);
  });
});

describe("GIVEN a project that installed the tarball", () => {
  it("THEN the install printed no engine warning", () => {
    expect(install.stdout + install.stderr).not.toMatch(/EBADENGINE/);
    expect(existsSync(join(project, "node_modules/flowc/dist/types/index.d.ts"))).toBe(true);
  });

  it("WHEN the README's flow is type-checked with the README's strict tsconfig and more THEN it passes, reading flowc's declarations and neither its sources nor the SDKs' types", () => {
    const config = JSON.parse(readFileSync(join(project, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    writeFileSync(
      join(project, "tsconfig.strictest.json"),
      JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { noUnusedLocals: true, noUnusedParameters: true, noImplicitReturns: true, noImplicitOverride: true, verbatimModuleSyntax: true } }),
    );
    expect(config.compilerOptions).toMatchObject({ module: "NodeNext", strict: true, skipLibCheck: true });
    const r = tsc("tsconfig.strictest.json");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const loaded = r.stdout.split("\n").filter((l) => l.includes("node_modules/flowc/"));
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.every((l) => l.includes("node_modules/flowc/dist/types/") && l.endsWith(".d.ts"))).toBe(true);
    expect(r.stdout).not.toMatch(/@aws-sdk|@smithy|@kubernetes/);
  });

  it("WHEN a step misuses ctx.params THEN tsc fails at that use", () => {
    mkdirSync(join(project, "bad"), { recursive: true });
    writeFileSync(
      join(project, "bad/misuse.ts"),
      [
        'import { flow } from "flowc";',
        "export default flow({",
        '  name: "misuse",',
        '  parameters: { times: { type: "integer", default: 2 } },',
        "  steps: { start: { run: (ctx) => console.log(ctx.params.tiems, ctx.params.times.toUpperCase()) } },",
        "});",
        "",
      ].join("\n"),
    );
    writeFileSync(join(project, "tsconfig.bad.json"), JSON.stringify({ extends: "./tsconfig.json", include: ["bad"] }));
    const r = run(process.execPath, [join(project, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.bad.json"], project);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain("bad/misuse.ts(5,");
    expect(r.stdout).toMatch(/Property 'tiems' does not exist .*Did you mean 'times'\?/);
    expect(r.stdout).toMatch(/Property 'toUpperCase' does not exist on type 'number'/);
  });

  it("WHEN the installed flowc validates, compiles and runs the flow THEN each works from the project folder", () => {
    const v = flowc("validate", "flows/hello.ts");
    expect([v.status, v.stdout]).toEqual([0, expect.stringContaining("flow `hello` is valid (4 steps)")]);
    for (const target of ["sfn", "argo"]) {
      const c = flowc("compile", "flows/hello.ts", "--target", target, "--env", "prod", "--out", `out/${target}`);
      expect(c.status, c.stderr).toBe(0);
      const manifest = JSON.parse(readFileSync(join(project, `out/${target}/hello.manifest.json`), "utf8")) as { package?: { key: string } };
      expect(manifest.package?.key).toMatch(/^packages\/[0-9a-f]{64}\.mjs$/);
    }
    const r = flowc("run", "flows/hello.ts", "--param", "who=world", "--max-workers", "2");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const runId = /run (\S+) of flow/.exec(r.stdout)![1]!;
    const show = flowc("show", `${runId}/end`);
    expect(show.stdout).toContain("hello world #0\nhello world #1");
    // The code package bundles the installed authoring module: one file, nothing imported from flowc's chunks.
    const pkgFile = readdirSync(join(project, ".flowc/packages")).find((f) => f.endsWith(".mjs"))!;
    expect(readFileSync(join(project, ".flowc/packages", pkgFile), "utf8")).not.toMatch(/from\s*["'][^"']*chunks/);
  });

  it("WHEN a step throws THEN its stack trace points at the user's file; WHEN a hint names a doc THEN the path opens from the project", () => {
    writeFileSync(
      join(project, "flows/boom.ts"),
      ['import { flow } from "flowc";', "", "export default flow({", '  name: "boom",', '  steps: { start: { next: "end", run: () => {} }, end: { run: () => { throw new Error("boom at line 5"); } } },', "});", ""].join("\n"),
    );
    const r = flowc("run", "flows/boom.ts");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("at Object.run");
    expect(r.stdout).toMatch(/flows\/boom\.ts:5:\d+/);
    expect(r.stdout).not.toMatch(/packages\/[0-9a-f]{64}\.mjs/);

    const c = flowc("compile", "flows/hello.ts", "--target", "sfn", "--env", "prod", "--config", "missing.yaml");
    expect(c.status).toBe(1);
    const doc = /node_modules\/flowc\/docs\/[\w.-]+\.md/.exec(c.stderr)?.[0];
    expect(doc, c.stderr).toBeDefined();
    expect(existsSync(join(project, doc!))).toBe(true);
  });
});

describe("GIVEN this repository's package.json and lockfile", () => {
  it("WHEN npm ci plans the install on this Node THEN it prints no engine warning", () => {
    const dir = tempDir("flowc-engines-");
    for (const f of ["package.json", "package-lock.json"]) cpSync(join(ROOT, f), join(dir, f));
    const r = run("npm", ["ci", "--dry-run", "--offline", "--no-audit", "--no-fund"], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/EBADENGINE|EBADDEVENGINES/);
  });
});
