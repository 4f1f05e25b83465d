import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ROOT } from "./helpers.ts";

/**
 * Golden files under test/fixtures/argo/<example>/. `UPDATE_GOLDEN=1` rewrites them, except under CI,
 * where a test must never bless its own output.
 */
export function golden(rel: string, actual: string): { expected: string; actual: string } {
  const file = join(ROOT, "test/fixtures/argo", rel);
  if (process.env.UPDATE_GOLDEN === "1") {
    if (process.env.CI) throw new Error("UPDATE_GOLDEN is refused when CI is set: regenerate golden files locally and commit them");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  if (!existsSync(file)) throw new Error(`no golden file ${file}: run UPDATE_GOLDEN=1 npx vitest run test/compile/argo, review and commit it`);
  return { expected: readFileSync(file, "utf8"), actual };
}
