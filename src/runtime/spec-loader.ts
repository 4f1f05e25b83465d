/** Loading what `flowc step` runs: the flow spec and, for TypeScript steps, the code package. */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { FLOW_BRAND, type StepBody } from "../flow/author/types.ts";
import type { FlowSpec } from "../flow/spec.ts";
import { registerSourceMap } from "../flow/load/stack.ts";
import { analyzeGraph } from "../graph/analyze.ts";
import type { Graph } from "../graph/types.ts";
import type { Datastore } from "../datastore/types.ts";
import { EXIT, UserError } from "../errors.ts";

export interface LoadedSpec {
  spec: FlowSpec;
  graph: Graph;
  /** Where it was read from, for messages. */
  location: string;
}

const specs = new Map<string, Promise<LoadedSpec>>();

/**
 * Reads a flow spec: a key relative to the datastore root (packages/<sha>.json), or an absolute
 * location (s3://…, /path, file://…) read through its own datastore. Cached per process: a worker
 * reads each spec once.
 */
export function loadSpec(ds: Datastore, spec: string, open: (root: string) => Promise<Datastore>): Promise<LoadedSpec> {
  const cacheKey = `${ds.root}|${spec}`;
  let p = specs.get(cacheKey);
  if (!p) {
    p = (async () => {
      const abs = /^(s3|file):\/\//.test(spec) || spec.startsWith("/");
      const store = abs ? await open(spec.slice(0, spec.lastIndexOf("/")) || "/") : ds;
      const key = abs ? spec.slice(spec.lastIndexOf("/") + 1) : spec;
      const bytes = await store.read(key);
      if (!bytes) throw new UserError(`no flow spec at ${store.locate(key)}`, EXIT.failed, "deploy (or flowc run) stores it there: check FLOWC_ROOT / --root and FLOWC_SPEC / --spec", "SPEC_NOT_FOUND");
      let parsed: FlowSpec;
      try {
        parsed = JSON.parse(bytes.toString("utf8")) as FlowSpec;
      } catch (e) {
        throw new UserError(`${store.locate(key)} is not a flow spec: ${(e as Error).message}`, EXIT.failed, "FLOWC_SPEC names packages/<sha256>.json, as written by deploy", "SPEC_INVALID");
      }
      if (parsed?.apiVersion !== "flowc.spec/v1")
        throw new UserError(`${store.locate(key)}: unsupported spec version ${JSON.stringify(parsed?.apiVersion)}`, EXIT.failed, "run the flowc version that deployed it (the task image's flowc must read what deploy wrote)", "SPEC_INVALID");
      const { graph, problems } = analyzeGraph(parsed.flow.steps);
      if (problems.length) throw new UserError(`${store.locate(key)}: the flow's graph is invalid: ${problems[0]!.message}`, EXIT.failed, "deploy the flow again with this flowc version", "SPEC_INVALID");
      return { spec: parsed, graph, location: store.locate(key) };
    })();
    specs.set(cacheKey, p);
    p.catch(() => specs.delete(cacheKey));
  }
  return p;
}

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** The body of a TypeScript step: imports the flow's code package (once per process, by its sha). */
export async function loadStepBody(ds: Datastore, spec: FlowSpec, step: string): Promise<StepBody<never>> {
  if (!spec.package) throw new UserError(`step \`${step}\` is a TypeScript function, but the spec names no code package`, EXIT.failed, "deploy the flow again: deploy stores a TypeScript flow's code package", "PACKAGE_NOT_FOUND");
  const sha = /([0-9a-f]{64})\.mjs$/.exec(spec.package)?.[1];
  if (!sha) throw new UserError(`the spec's package key ${spec.package} is not content-addressed (packages/<sha256>.mjs)`, EXIT.failed, "deploy the flow again with this flowc version", "SPEC_INVALID");
  let mod = modules.get(sha);
  if (!mod) {
    mod = importPackage(ds, spec.package, sha);
    modules.set(sha, mod);
    mod.catch(() => modules.delete(sha));
  }
  const m = await mod;
  const def = (m.default ?? Object.values(m).find((v) => !!v && typeof v === "object" && (v as Record<string, unknown>)[FLOW_BRAND] === true)) as
    | { steps?: Record<string, { run?: unknown }> }
    | undefined;
  const run = def?.steps?.[step]?.run;
  if (typeof run !== "function") throw new UserError(`the code package ${spec.package} has no body for step \`${step}\``, EXIT.failed, "deploy the flow again: the package and the spec come from different builds", "PACKAGE_INVALID");
  return run as StepBody<never>;
}

async function importPackage(ds: Datastore, key: string, sha: string): Promise<Record<string, unknown>> {
  // Its source map (absent for packages deployed by older flowc): stack traces in the user's files.
  registerSourceMap(sha, await ds.read(`${key}.map`).catch(() => undefined));
  // A local datastore's file is imported where it is; a remote one is copied to a cache folder first.
  let path = ds.localPath?.(key);
  if (!path || !existsSync(path)) {
    const dir = join(tmpdir(), "flowc-packages");
    path = join(dir, `${sha}.mjs`);
    if (!existsSync(path)) {
      const code = await ds.read(key);
      if (!code) throw new UserError(`no code package at ${ds.locate(key)}`, EXIT.failed, "deploy (or flowc run) stores it there: check FLOWC_ROOT / --root", "PACKAGE_NOT_FOUND");
      if (createHash("sha256").update(code).digest("hex") !== sha) throw new UserError(`the code package at ${ds.locate(key)} does not match its sha256`, EXIT.failed, "something rewrote it: deploy the flow again", "PACKAGE_INVALID");
      mkdirSync(dir, { recursive: true });
      // Several workers may fetch it at once: write a private file and rename it into place.
      const tmp = `${path}.${process.pid}-${randomBytes(4).toString("hex")}`;
      writeFileSync(tmp, code);
      renameSync(tmp, path);
    }
  }
  return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
}
