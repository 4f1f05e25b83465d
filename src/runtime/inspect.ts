import type { Datastore } from "../datastore/types.ts";
import { hostname } from "node:os";
import { keys, parseIndex, runPrefix, type TaskId } from "../contract/layout.ts";
import { readJson, type AttemptMeta, type DoneRecord, type FailedRecord, type RunRecord, type RunStatus } from "./records.ts";

/** Reading runs back from a datastore: `flowc runs` and `flowc show`. */

export interface RunListing {
  flow: string;
  runId: string;
  status: RunStatus | "unknown";
  startedAt?: string;
  finishedAt?: string;
  /** Runs of compiled flows have no run.json: their status is inferred from `end`. */
  record?: RunRecord;
}

export async function listFlows(ds: Datastore): Promise<string[]> {
  return (await ds.children("")).filter((n) => n !== "packages" && !n.includes("."));
}

export async function listRuns(ds: Datastore, flow?: string): Promise<RunListing[]> {
  const flows = flow ? [flow] : await listFlows(ds);
  const out: RunListing[] = [];
  for (const f of flows) {
    const ids = await ds.children(f);
    out.push(...(await Promise.all(ids.map((id) => describeRun(ds, f, id)))));
  }
  return out.sort((a, b) => (b.startedAt ?? b.runId).localeCompare(a.startedAt ?? a.runId));
}

export async function describeRun(ds: Datastore, flow: string, runId: string): Promise<RunListing> {
  const record = await readJson<RunRecord>(ds, keys.run(flow, runId)).catch(() => undefined);
  if (record) {
    let status: RunListing["status"] = record.status;
    // A run.json that still says "running" while its process is gone: the run was killed.
    if (status === "running" && record.host === hostname() && !alive(record.pid)) status = "interrupted";
    return { flow, runId, status, startedAt: record.startedAt, ...(record.finishedAt ? { finishedAt: record.finishedAt } : {}), record };
  }
  const end = await readJson<DoneRecord>(ds, keys.done({ flow, runId, step: "end", index: "" })).catch(() => undefined);
  return { flow, runId, status: end ? "succeeded" : "unknown", ...(end ? { finishedAt: end.finishedAt } : {}) };
}

/** The flows holding a run id (normally one). */
export async function findRun(ds: Datastore, runId: string, flow?: string): Promise<string[]> {
  const flows = flow ? [flow] : await listFlows(ds);
  const found: string[] = [];
  for (const f of flows) if ((await ds.children(runPrefix(f, runId))).length > 0) found.push(f);
  return found;
}

/** "incomplete": the last attempt ended well but done.json is missing (the process died before it). */
export type TaskState = "succeeded" | "caught" | "running" | "failed" | "timeout" | "incomplete" | "not started";

/** An attempt as far as it is known: an attempt folder without meta.json is running (or was killed). */
export type AttemptView = Partial<AttemptMeta> & Pick<AttemptMeta, "attempt" | "status">;

export interface TaskView {
  task: TaskId;
  state: TaskState;
  done?: DoneRecord;
  failed?: FailedRecord;
  attempts: AttemptView[];
}

export async function describeTask(ds: Datastore, task: TaskId): Promise<TaskView> {
  const [done, failed, names] = await Promise.all([
    readJson<DoneRecord>(ds, keys.done(task)),
    readJson<FailedRecord>(ds, keys.failed(task)),
    ds.children(keys.done(task).replace(/\/done\.json$/, "")),
  ]);
  const numbers = names
    .filter((n) => /^attempt-\d+$/.test(n))
    .map((n) => Number(n.slice("attempt-".length)))
    .sort((a, b) => a - b);
  const attempts: AttemptView[] = await Promise.all(
    numbers.map(async (n) => (await readJson<AttemptMeta>(ds, keys.meta(task, n)).catch(() => undefined)) ?? { attempt: n, status: "running" as const }),
  );
  const last = attempts.at(-1);
  const state: TaskState = done ? "succeeded" : failed ? "caught" : last ? (last.status === "succeeded" ? "incomplete" : last.status) : "not started";
  return { task, state, ...(done ? { done } : {}), ...(failed ? { failed } : {}), attempts };
}

/** The index paths a step has tasks at, in numeric order. */
export async function listIndexes(ds: Datastore, flow: string, runId: string, step: string): Promise<string[]> {
  const names = await ds.children(`${runPrefix(flow, runId)}/${step}`);
  return names
    .map((n) => parseIndex(n))
    .filter((i): i is string => i !== undefined)
    .sort((a, b) => compareIndex(a, b));
}

export function compareIndex(a: string, b: string): number {
  const pa = a === "" ? [] : a.split(".").map(Number);
  const pb = b === "" ? [] : b.split(".").map(Number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return pa.length - pb.length;
}


function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
