import type { Datastore } from "../datastore/types.ts";
import type { TaskInput } from "./inputs.ts";
import { keys } from "../contract/layout.ts";
import type { ArtifactRef, View } from "./records.ts";

/** Synchronous access to artifact bytes: `ctx.get` is synchronous so step bodies stay simple. */
export type ArtifactLoader = (ref: ArtifactRef, name: string) => Buffer;

/**
 * A local datastore is read lazily, when the body asks. A remote one cannot be read synchronously,
 * so every artifact the task can see is fetched first (each distinct object once, 16 at a time).
 */
export async function artifactLoader(ds: Datastore, flow: string, runId: string, view: View, inputs: readonly TaskInput[]): Promise<ArtifactLoader> {
  const keyOf = (ref: ArtifactRef, name: string) => keys.artifact(flow, runId, ref.at, name);
  const missing = (key: string) => new Error(`artifact ${ds.locate(key)} is missing from the datastore`);
  if (ds.readSync) {
    const readSync = ds.readSync.bind(ds);
    return (ref, name) => {
      const key = keyOf(ref, name);
      const bytes = readSync(key);
      if (!bytes) throw missing(key);
      return bytes;
    };
  }
  const wanted = new Set<string>();
  for (const v of [view, ...inputs.map((i) => i.view)]) for (const [name, ref] of Object.entries(v)) wanted.add(keyOf(ref, name));
  const fetched = new Map<string, Buffer>();
  const queue = [...wanted];
  await Promise.all(
    Array.from({ length: Math.min(16, queue.length) }, async () => {
      for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
        const bytes = await ds.read(key);
        if (!bytes) throw missing(key);
        fetched.set(key, bytes);
      }
    }),
  );
  return (ref, name) => {
    const key = keyOf(ref, name);
    const bytes = fetched.get(key);
    if (!bytes) throw missing(key);
    return bytes;
  };
}
