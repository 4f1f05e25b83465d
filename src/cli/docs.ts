import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { packageRoot } from "../util/package-root.ts";

/**
 * Messages name flowc's documentation as `docs/<page>.md`, a path inside the flowc package, which
 * ships its docs/ folder. Printed for a person, the path is made one that opens from where they are:
 * `node_modules/flowc/docs/deploy-sfn.md` in a project that installed flowc, unchanged in a checkout.
 */
export function docPaths(text: string, cwd: string): string {
  if (!text.includes("docs/")) return text;
  return text.replace(/(?<![\w./-])docs\/([\w.-]+\.md)\b/g, (ref: string, page: string) => {
    const file = join(packageRoot(), "docs", page);
    if (!existsSync(file)) return ref;
    const rel = relative(cwd, file);
    return rel.startsWith("..") ? file : rel;
  });
}
