import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The flowc package's own folder, found from this module whether it runs from src/ or from dist/. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "flowc") return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error("flowc: cannot find the flowc package folder");
    dir = up;
  }
}
