import type { Datastore } from "./types.ts";

/** Uploads local files (key, path), eight at a time. */
export async function uploadFiles(ds: Datastore, pairs: [string, string][]): Promise<void> {
  const queue = [...pairs];
  await Promise.all(
    Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let p = queue.pop(); p; p = queue.pop()) await ds.upload(p[0], p[1]);
    }),
  );
}
