import type { RunContext } from "../contract/run-context.ts";
import type { JsonValue } from "../flow/ir.ts";
import type { Datastore } from "../datastore/types.ts";
import type { Encoding, TaskStatus } from "./records.ts";
import type { LoadedSpec } from "./spec-loader.ts";

/** Everything one task needs besides its identity. */
export interface TaskEnv {
  ds: Datastore;
  spec: LoadedSpec;
  runId: string;
  /** Resolved: defaults applied, types checked. */
  params: Record<string, JsonValue>;
  /** When the run is for and what started it. */
  context: RunContext;
  /** Copy the task's output to this process's stdout/stderr too. */
  echo: boolean;
  /** Where commands run. */
  cwd: string;
  /** The environment commands start from. */
  baseEnv: NodeJS.ProcessEnv;
  /** Argo: the folder whose files become output parameters (foreach.json, switch). */
  argoOutputs?: string;
}

export interface TaskResult {
  status: Exclude<TaskStatus, "running">;
  /** One line for a person: "exit code 1", "timed out after 5s", "TypeError: …". */
  error?: string;
  /** More detail: the end of stderr, a stack. */
  cause?: string;
  foreachCount?: number;
  choice?: string;
  artifacts?: string[];
  durationMs: number;
  /** A TypeScript body may still be running (it timed out): this process must not run another task. */
  tainted?: boolean;
}

/** What a successful attempt leaves for commit: artifact names and the control decisions. */
export interface Produced {
  artifacts: string[];
  encodings?: Record<string, Encoding>;
  foreach?: JsonValue[];
  choice?: string;
}

/** Where an attempt's outputs and logs go (local paths). */
export interface AttemptFiles {
  outputsDir: string;
  stdoutFile: string;
  stderrFile: string;
}

/** A problem with the request itself (bad parameters, no such step, wrong index): no attempt was made. */
export class StepRequestError extends Error {}
