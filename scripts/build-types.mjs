// Emits the package's type declarations into dist/types: `tsc` declarations of src/index.ts, kept to
// the files the public entry point reaches (a consumer's tsc loads nothing else), with import paths
// rewritten from the sources' `.ts` to the `.js` NodeNext resolves to the `.d.ts` beside it.
// Run by `npm pack` (prepack) after scripts/build.mjs; the checkout itself type-checks src/ directly.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = join(root, "dist/types");
const emitted = mkdtempSync(join(tmpdir(), "flowc-types-"));
try {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.types.json"), "--declarationDir", emitted], { stdio: "inherit" });
  rmSync(out, { recursive: true, force: true });
  const SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(["'])(\.{1,2}\/[^"']+)\.ts\2/gm;
  const queue = ["index.d.ts"];
  const seen = new Set();
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(emitted, file), "utf8").replace(SPECIFIER, (_m, lead, q, spec) => {
      const target = relative(emitted, resolve(emitted, dirname(file), `${spec}.d.ts`));
      if (!existsSync(join(emitted, target))) throw new Error(`${file}: ${spec}.ts has no declaration`);
      queue.push(target);
      return `${lead}${q}${spec}.js${q}`;
    });
    mkdirSync(dirname(join(out, file)), { recursive: true });
    writeFileSync(join(out, file), text);
  }
  console.error(`dist/types: ${seen.size} declaration files`);
} finally {
  rmSync(emitted, { recursive: true, force: true });
}
