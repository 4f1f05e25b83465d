import type { FlowIR } from "./ir.ts";
import { keys } from "../contract/layout.ts";
import { sha256, toCompactJson } from "../render/serialize.ts";

/**
 * The flow spec: what a task container needs to run any step of one build of a flow. Deploy uploads
 * it (and the code package of a TypeScript flow) to the datastore under content-addressed keys, so
 * compiled definitions reference it by a key that the compiler can compute without any I/O.
 */
export interface FlowSpec {
  apiVersion: "flowc.spec/v1";
  flow: FlowIR;
  /** TypeScript flows: the code package's key relative to the datastore root (packages/<sha256>.mjs). */
  package?: string;
}

export interface SpecRef {
  spec: FlowSpec;
  /** Canonical JSON bytes of the spec: upload exactly these. */
  text: string;
  sha256: string;
  /** Key relative to the datastore root: packages/<sha256>.json */
  key: string;
}

export const packageKey = keys.package;
export const packageMapKey = keys.packageMap;

export function buildSpec(flow: FlowIR, packageSha256?: string): SpecRef {
  const spec: FlowSpec = { apiVersion: "flowc.spec/v1", flow, ...(packageSha256 ? { package: packageKey(packageSha256) } : {}) };
  const text = toCompactJson(spec);
  const sha = sha256(text);
  return { spec, text, sha256: sha, key: keys.spec(sha) };
}

/** Joins a datastore root (s3://bucket/prefix or a folder) and a relative key. */
export const joinRoot = (root: string, key: string) => `${root.replace(/\/+$/, "")}/${key}`;
