import type { CompiledFlow } from "../../compile/pipeline.ts";
import { isS3Uri, openDatastore } from "../../datastore/index.ts";
import { publishSpec } from "../../datastore/publish.ts";
import type { Logger } from "../target.ts";

/**
 * Stores what the deployed template's tasks load: the flow spec (FLOWC_SPEC) and, for a TypeScript
 * flow, its code package. Content-addressed and written only when missing, so a redeploy of the same
 * build writes nothing. Runs before the template is applied: a template must never point at a spec
 * that is not there yet.
 */
export async function publishBuild(compiled: CompiledFlow, cwd: string, log: Logger): Promise<void> {
  const root = compiled.env.datastore;
  if (!isS3Uri(root)) log.warn(`datastore ${root} is a local folder: pods see it only if it is mounted at the same path in every task container`);
  const ds = await openDatastore(root, cwd);
  const ref = await publishSpec(ds, compiled.flow);
  const expected = compiled.result.manifest.spec.key;
  // The compiler computed the key without I/O; a mismatch would leave every task without its spec.
  if (ref.key !== expected) throw new Error(`published spec ${ref.key}, but the template references ${expected}`);
}
