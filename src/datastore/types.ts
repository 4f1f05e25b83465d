/**
 * Where runs keep everything: artifacts, logs, task records and code packages. Keys are relative to
 * the root and always use "/", so the same layout (../layout.ts) works on a folder and on S3.
 */
export interface Datastore {
  /** The root as the user wrote it, absolute: a folder path or s3://bucket/prefix. */
  readonly root: string;
  /** Undefined when the key does not exist. */
  read(key: string): Promise<Buffer | undefined>;
  /**
   * Writes the whole object at once: readers see the old bytes or the new ones, never a part
   * (a rename on a folder, a single PUT on S3). done.json depends on this.
   */
  write(key: string, data: string | Uint8Array): Promise<void>;
  /** Uploads a local file under a key (the same atomicity as `write`). */
  upload(key: string, file: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Every key under a prefix ("a/b" lists "a/b/..."), in no particular order. */
  list(prefix: string): Promise<string[]>;
  /** The names directly under a prefix (files and "folders"), sorted. */
  children(prefix: string): Promise<string[]>;
  /** Where a person finds a key: a path or an s3:// URI. */
  locate(key: string): string;
  /**
   * Only for a datastore on this machine: the local path of a key. Tasks then write outputs and logs
   * in place and TypeScript steps read artifacts lazily, instead of going through temp folders.
   */
  localPath?(key: string): string;
  /** Only for a datastore on this machine: a synchronous read (TypeScript steps' ctx.get is sync). */
  readSync?(key: string): Buffer | undefined;
}

export const isS3Uri = (root: string) => root.startsWith("s3://");
