import { constants, copyFileSync, linkSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Datastore } from "../datastore/types.ts";
import type { ResolvedInputs } from "./inputs.ts";
import { keys } from "../contract/layout.ts";
import type { View } from "./records.ts";

/**
 * Lays out a command's FLOWC_INPUT_DIR: a non-join gets its visible artifacts as files directly in
 * the folder; a join gets one sub-folder per input, each with that parent's visible artifacts.
 * Inputs are private copies (a step may scribble on them); synchronous calls, as in the local
 * datastore: a worker runs one task at a time. an object that several inputs share (an
 * artifact from before a foreach, seen by 1,000 items) is fetched once and hard-linked.
 */
export async function materializeInputs(ds: Datastore, flow: string, runId: string, resolved: ResolvedInputs, dir: string): Promise<void> {
  const placed = new Map<string, string>();
  const place = async (view: View, into: string) => {
    for (const [name, ref] of Object.entries(view)) {
      const key = keys.artifact(flow, runId, ref.at, name);
      const dest = join(into, ...name.split("/"));
      if (name.includes("/")) mkdirSync(dirname(dest), { recursive: true });
      const first = placed.get(key);
      if (first && tryLink(first, dest)) continue;
      const src = ds.localPath?.(key);
      if (src) copyFileSync(src, dest, constants.COPYFILE_FICLONE);
      else {
        const bytes = await ds.read(key);
        if (!bytes) throw new Error(`artifact ${ds.locate(key)} is missing from the datastore`);
        writeFileSync(dest, bytes);
      }
      placed.set(key, dest);
    }
  };
  if (!resolved.join) return place(resolved.view, dir);
  for (const input of resolved.inputs) {
    const sub = join(dir, input.name);
    mkdirSync(sub);
    await place(input.view, sub);
  }
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch {
    return false;
  }
}
