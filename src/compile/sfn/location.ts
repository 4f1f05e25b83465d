/**
 * Where a compiled machine reads and writes in the datastore: the deterministic keys of the layout in
 * docs/design.md, as S3 bucket + key expressions the state machine evaluates at run time.
 */

export interface S3Root {
  bucket: string;
  /** "" or "some/prefix/" */
  prefix: string;
}

export function parseS3Root(datastore: string): S3Root | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(datastore);
  if (!m) return undefined;
  const prefix = m[2]!.replace(/^\/+|\/+$/g, "");
  return { bucket: m[1]!, prefix: prefix ? `${prefix}/` : "" };
}

/** Intrinsic-function string literals treat ' { } \ as special: each must be escaped with a backslash. */
export const intrinsicLiteral = (s: string) => s.replace(/[\\'{}]/g, (c) => `\\${c}`);

/**
 * The key of one task file as a States.Format expression over the context: `_` stands for the empty
 * index at the top level (inside a foreach the context's index is the path, e.g. "3.7").
 */
export function taskFileKey(root: S3Root, flow: string, step: string, foreachDepth: number, file: string, context = "$"): string {
  const head = intrinsicLiteral(`${root.prefix}${flow}/`);
  const tail = intrinsicLiteral(`/${step}/`);
  return foreachDepth === 0
    ? `States.Format('${head}{}${tail}_/${intrinsicLiteral(file)}', ${context}.runId)`
    : `States.Format('${head}{}${tail}{}/${intrinsicLiteral(file)}', ${context}.runId, ${context}.index)`;
}

/** The key prefix this flow's machine may touch (IAM scope): `<prefix><flow>/`. */
export const flowKeyPrefix = (root: S3Root, flow: string) => `${root.prefix}${flow}/`;
