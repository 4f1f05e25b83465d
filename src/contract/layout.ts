/**
 * The datastore layout (docs/design.md, "Task identity and datastore layout"). Every key derives from
 * (flow, runId, step, index, attempt), so compiled flows find any task's files without a lookup service.
 *
 *   <flow>/<runId>/run.json                          flowc run only: params, status
 *   <flow>/<runId>/context.json                      every run: its context and resolved parameters (written by `start`)
 *   <flow>/<runId>/<step>/<idx>/attempt-<n>/         outputs/<artifact>, stdout, stderr, meta.json, items.json
 *   <flow>/<runId>/<step>/<idx>/done.json            written last: the task succeeded
 *   <flow>/<runId>/<step>/<idx>/foreach.json         foreach steps: child index paths
 *   <flow>/<runId>/<step>/<idx>/switch.json          switch steps: {"case": "..."}
 *   <flow>/<runId>/<step>/<idx>/failed.json          caught failures
 *   packages/<sha256>.json | .mjs                    flow specs and code packages
 */

export interface TaskId {
  flow: string;
  runId: string;
  step: string;
  /** Foreach index path: "" at top level, "3", "3.7". */
  index: string;
}

const INDEX = /^(?:\d+(?:\.\d+)*)?$/;

/** "" is written `_` in keys (an empty path segment would vanish on S3 and in shells). */
export const indexKey = (index: string) => (index === "" ? "_" : index);
/** The inverse of indexKey; accepts both spellings of the top level. */
export const parseIndex = (text: string): string | undefined => {
  const index = text === "_" ? "" : text;
  return INDEX.test(index) ? index : undefined;
};

export const childIndex = (index: string, position: number) => (index === "" ? String(position) : `${index}.${position}`);
export const parentIndex = (index: string) => (index.includes(".") ? index.slice(0, index.lastIndexOf(".")) : "");
export const indexDepth = (index: string) => (index === "" ? 0 : index.split(".").length);
/** The position of a task among its foreach's items: the last component of its index path. */
export const lastPosition = (index: string) => Number(index.slice(index.lastIndexOf(".") + 1));
/** The index path of an enclosing scope `depth` foreaches deep. */
export const truncateIndex = (index: string, depth: number) => (depth === 0 ? "" : index.split(".").slice(0, depth).join("."));

export const runPrefix = (flow: string, runId: string) => `${flow}/${runId}`;
/** A task's folder relative to its run: what artifact references store ("<step>/<idx>"). */
export const taskInRun = (step: string, index: string) => `${step}/${indexKey(index)}`;
export const taskPrefix = (t: TaskId) => `${runPrefix(t.flow, t.runId)}/${taskInRun(t.step, t.index)}`;
export const attemptName = (attempt: number) => `attempt-${attempt}`;

export const keys = {
  run: (flow: string, runId: string) => `${runPrefix(flow, runId)}/run.json`,
  context: (flow: string, runId: string) => `${runPrefix(flow, runId)}/context.json`,
  done: (t: TaskId) => `${taskPrefix(t)}/done.json`,
  foreach: (t: TaskId) => `${taskPrefix(t)}/foreach.json`,
  switch: (t: TaskId) => `${taskPrefix(t)}/switch.json`,
  failed: (t: TaskId) => `${taskPrefix(t)}/failed.json`,
  attempt: (t: TaskId, n: number) => `${taskPrefix(t)}/${attemptName(n)}`,
  meta: (t: TaskId, n: number) => `${taskPrefix(t)}/${attemptName(n)}/meta.json`,
  stdout: (t: TaskId, n: number) => `${taskPrefix(t)}/${attemptName(n)}/stdout`,
  stderr: (t: TaskId, n: number) => `${taskPrefix(t)}/${attemptName(n)}/stderr`,
  items: (t: TaskId, n: number) => `${taskPrefix(t)}/${attemptName(n)}/items.json`,
  outputs: (t: TaskId, n: number) => `${taskPrefix(t)}/${attemptName(n)}/outputs`,
  /** A flow spec (src/flow/spec.ts), content-addressed by the sha256 of its canonical JSON. */
  spec: (sha256: string) => `packages/${sha256}.json`,
  /** A TypeScript flow's code package (an esbuild bundle), content-addressed by its sha256. */
  package: (sha256: string) => `packages/${sha256}.mjs`,
  /** The code package's source map (stack traces in the user's files); optional, written beside it. */
  packageMap: (sha256: string) => `packages/${sha256}.mjs.map`,
  /** An artifact from a reference: `at` is "<step>/<idx>/attempt-<n>" inside the run. */
  artifact: (flow: string, runId: string, at: string, name: string) => `${runPrefix(flow, runId)}/${at}/outputs/${name}`,
};

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Run ids are path segments and SFN execution / Argo workflow names: keep them to a safe alphabet. */
export const isRunId = (id: string) => RUN_ID.test(id) && !id.includes("..");

/** A fresh run id: sortable by time, unique enough for one machine (20261129-120102-3fa2). */
export function newRunId(now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `${stamp}-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, "0")}`;
}

/** Artifact names are relative paths (a step may write sub-folders); nothing may escape its folder. */
export function isArtifactName(name: string): boolean {
  if (!name || name.startsWith("/") || name.includes("\\") || name.includes("\0")) return false;
  return name.split("/").every((seg) => seg !== "" && seg !== "." && seg !== "..");
}
