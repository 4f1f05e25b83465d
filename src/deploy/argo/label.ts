import type { DiffPath } from "../diff.ts";

/**
 * Lists the plan compares element by element, keyed by `name` (diff.ts): the segment after one of
 * these is an element's name and reads best as `[name]`, e.g. `spec.arguments.parameters[alpha].value` or `spec.templates[main].dag.tasks[fit].depends`.
 */
const NAMED_LISTS = new Set(["templates", "tasks", "parameters", "env", "volumes", "volumeMounts", "dependencies", "imagePullSecrets", "artifacts", "sidecars", "initContainers"]);

/** How a change's path reads in `flowc diff` and deploy plans for Argo objects. */
export function label(_kind: string, path: DiffPath): string {
  let out = "";
  path.forEach((seg, i) => {
    const prev = path[i - 1];
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof prev === "string" && NAMED_LISTS.has(prev) && i > 0) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += `${i ? "." : ""}${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  });
  return out;
}
