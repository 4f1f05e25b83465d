import type { JsonValue } from "../flow/ir.ts";
import type { Graph } from "../graph/types.ts";
import type { Datastore } from "../datastore/types.ts";
import { keys, type TaskId } from "../contract/layout.ts";
import { readDone, readFailed, readForeach, readJson, readSwitchCase, type DoneRecord, type FailedRecord } from "./records.ts";

/** One run in one datastore, with the flow's graph: what reading any task's records needs. */
export interface RunScope {
  ds: Datastore;
  flow: string;
  runId: string;
  graph: Graph;
}

// Foreach items never change once their done.json exists, and a worker reads the same list once per
// item: keep the last few lists (keyed by the attempt that wrote them).
const itemsCache = new Map<string, JsonValue[]>();
const ITEMS_CACHE_SIZE = 32;

/**
 * Reads task records of one run, each at most once (one task's inputs may ask for the same parent
 * several times). Short-lived: a task's records may change between two tasks (resume, retries).
 */
export class RunReader {
  private readonly dones = new Map<string, Promise<DoneRecord | undefined>>();
  private readonly faileds = new Map<string, Promise<FailedRecord | undefined>>();

  constructor(readonly scope: RunScope) {}

  task(step: string, index: string): TaskId {
    return { flow: this.scope.flow, runId: this.scope.runId, step, index };
  }

  done(step: string, index: string): Promise<DoneRecord | undefined> {
    return memo(this.dones, `${step}@${index}`, () => readDone(this.scope.ds, this.task(step, index)));
  }

  failed(step: string, index: string): Promise<FailedRecord | undefined> {
    return memo(this.faileds, `${step}@${index}`, () => readFailed(this.scope.ds, this.task(step, index)));
  }

  switchCase(step: string, index: string): Promise<string | undefined> {
    return readSwitchCase(this.scope.ds, this.task(step, index));
  }

  /** A foreach task's child index paths; none when the foreach step failed and the failure was caught. */
  async foreachChildren(step: string, index: string): Promise<string[]> {
    const list = await readForeach(this.scope.ds, this.task(step, index));
    if (list) return list;
    if (await this.failed(step, index)) return [];
    throw new InputError(`foreach \`${step}\`${at(index)} has no foreach.json: it has not finished`);
  }

  /** The items of a finished foreach task (items.json of the attempt that done.json names). */
  async items(step: string, index: string): Promise<JsonValue[]> {
    const done = await this.done(step, index);
    if (!done) throw new InputError(`foreach \`${step}\`${at(index)} has not finished, so its items are unknown`);
    const key = keys.items(this.task(step, index), done.attempt);
    const cacheKey = `${this.scope.ds.root}|${key}`;
    const hit = itemsCache.get(cacheKey);
    if (hit) return hit;
    const items = await readJson<JsonValue[]>(this.scope.ds, key);
    if (!Array.isArray(items)) throw new InputError(`${this.scope.ds.locate(key)} is missing`);
    if (itemsCache.size >= ITEMS_CACHE_SIZE) itemsCache.delete(itemsCache.keys().next().value!);
    itemsCache.set(cacheKey, items);
    return items;
  }
}

/** A task's inputs are not there (a parent has not finished, a record is missing): the task cannot run. */
export class InputError extends Error {}

export const at = (index: string) => (index === "" ? "" : `[${index}]`);

function memo<T>(m: Map<string, Promise<T>>, k: string, f: () => Promise<T>): Promise<T> {
  let p = m.get(k);
  if (!p) {
    p = f();
    m.set(k, p);
  }
  return p;
}
