import type { RunContext } from "../contract/run-context.ts";
import type { JsonValue } from "../flow/ir.ts";
import type { Datastore } from "../datastore/types.ts";
import { keys, type TaskId } from "../contract/layout.ts";

/** How an artifact's bytes are read back: TypeScript `set` values record it; files from commands do not. */
export type Encoding = "json" | "text";

/** Where an artifact lives: the attempt of the task that produced it ("<step>/<idx>/attempt-<n>"). */
export interface ArtifactRef {
  at: string;
  enc?: Encoding;
}

/** The artifacts a task sees or leaves behind, by name. */
export type View = Record<string, ArtifactRef>;

/** done.json: written last, in one atomic write. Readers trust nothing else about a task. */
export interface DoneRecord {
  step: string;
  index: string;
  attempt: number;
  /** Names of the artifacts this task produced, under attempt-<n>/outputs/. */
  artifacts: string[];
  /** TypeScript steps: how each value was encoded (absent: a file written by a command). */
  encodings?: Record<string, Encoding>;
  /** What the task saw from upstream; its children see this overlaid with `artifacts`. */
  inherited: View;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** failed.json: a caught failure. Step Functions writes {error, cause} itself; locally the runtime does. */
export interface FailedRecord {
  error: string;
  cause: string;
  attempt?: number;
}

/** The failed.json of a caught failure, from the last attempt's result. */
export function failedRecord(result: { status: string; error?: string; cause?: string }, attempt: number): FailedRecord {
  return { error: result.status === "timeout" ? "Timeout" : "TaskFailed", cause: [result.error, result.cause].filter(Boolean).join("\n"), attempt };
}

export type TaskStatus = "running" | "succeeded" | "failed" | "timeout";

/** meta.json of one attempt: written when it starts and again when it ends. */
export interface AttemptMeta {
  flow: string;
  runId: string;
  step: string;
  index: string;
  attempt: number;
  kind: "command" | "function";
  status: TaskStatus;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  signal?: string | null;
  error?: string;
  host: string;
  pid: number;
  flowcVersion: string;
}

export type RunStatus = "running" | "succeeded" | "failed" | "interrupted";

/** run.json: `flowc run` only (compiled runs are tracked by their orchestrator). */
export interface RunRecord {
  flow: string;
  runId: string;
  status: RunStatus;
  params: Record<string, JsonValue>;
  /** Absent in runs recorded before flowc 0.2. */
  context?: RunContext;
  spec: string;
  startedAt: string;
  finishedAt?: string;
  host: string;
  pid: number;
  error?: string;
  flowcVersion: string;
}

export async function readJson<T>(ds: Datastore, key: string): Promise<T | undefined> {
  const buf = await ds.read(key);
  if (!buf) return undefined;
  try {
    return JSON.parse(buf.toString("utf8")) as T;
  } catch (e) {
    throw new Error(`${ds.locate(key)} is not valid JSON: ${(e as Error).message}`);
  }
}

export const writeJson = (ds: Datastore, key: string, value: unknown) => ds.write(key, `${JSON.stringify(value, null, 1)}\n`);

export const readDone = (ds: Datastore, t: TaskId) => readJson<DoneRecord>(ds, keys.done(t));
export const readFailed = (ds: Datastore, t: TaskId) => readJson<FailedRecord>(ds, keys.failed(t));
export async function readSwitchCase(ds: Datastore, t: TaskId): Promise<string | undefined> {
  return (await readJson<{ case?: unknown }>(ds, keys.switch(t)))?.case as string | undefined;
}
export const readForeach = (ds: Datastore, t: TaskId) => readJson<string[]>(ds, keys.foreach(t));
