import { resolve } from "node:path";
import { LocalDatastore } from "./local.ts";
import { S3Datastore, s3ConfigFromEnv } from "./s3.ts";
import { isS3Uri, type Datastore } from "./types.ts";

export type { Datastore } from "./types.ts";
export { isS3Uri } from "./types.ts";
export { LocalDatastore } from "./local.ts";
export { S3Datastore, s3ConfigFromEnv } from "./s3.ts";

/** The folder `flowc run` uses when no --datastore is given: `.flowc/` in the working directory. */
export const DEFAULT_DATASTORE = ".flowc";

const opened = new Map<string, Promise<Datastore>>();

/**
 * Opens a datastore root: `s3://bucket/prefix`, `file:///path` or a folder (relative to `cwd`).
 * Cached per root, so a long-lived worker opens each one once.
 */
export function openDatastore(root: string, cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<Datastore> {
  const normalized = isS3Uri(root) ? root : resolve(cwd, root.startsWith("file://") ? new URL(root).pathname : root);
  let ds = opened.get(normalized);
  if (!ds) {
    // An S3 root reads credentials, region and endpoint from the command's environment (the CLI's io.env).
    ds = isS3Uri(normalized) ? S3Datastore.open(normalized, s3ConfigFromEnv(env)) : Promise.resolve(new LocalDatastore(normalized));
    opened.set(normalized, ds);
    ds.catch(() => opened.delete(normalized));
  }
  return ds;
}
