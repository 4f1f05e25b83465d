import type { FlowIR } from "../flow/ir.ts";
import { buildSpec, packageKey, packageMapKey, type SpecRef } from "../flow/spec.ts";
import type { Datastore } from "./types.ts";

/**
 * Stores what a task needs to run any step of this build of the flow: the code package of a
 * TypeScript flow (packages/<sha>.mjs, with its source map <sha>.mjs.map) and the spec (packages/<sha>.json). Content-addressed, so a
 * key that exists already holds these bytes and is not written again. `flowc run` and deploy both
 * call this, so a local run and a deployed one read the very same objects.
 */
export async function publishSpec(ds: Datastore, flow: { ir: FlowIR; loaded: { package?: { code: string; sha256: string; map?: string } } }): Promise<SpecRef> {
  const pkg = flow.loaded.package;
  const ref = buildSpec(flow.ir, pkg?.sha256);
  // The map before the package: a task that finds the package finds its map too.
  if (pkg?.map && !(await ds.exists(packageMapKey(pkg.sha256)))) await ds.write(packageMapKey(pkg.sha256), pkg.map);
  if (pkg && !(await ds.exists(packageKey(pkg.sha256)))) await ds.write(packageKey(pkg.sha256), pkg.code);
  if (!(await ds.exists(ref.key))) await ds.write(ref.key, ref.text);
  return ref;
}
