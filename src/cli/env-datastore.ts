import { resolve } from "node:path";
import { DEFAULT_CONFIG_FILE, loadConfig, resolveEnv } from "../config/load.ts";
import type { EnvConfig } from "../config/types.ts";
import { openDatastore, type Datastore } from "../datastore/index.ts";
import { findRun } from "../runtime/inspect.ts";
import { printDiagnostics } from "./diagnostics.ts";
import { CliError, EXIT, type Io } from "./io.ts";

/** An environment of flowc.config.yaml, for commands that read deployed runs from its datastore. */
export function environment(io: Io, env: string, config: string | undefined): EnvConfig {
  const loaded = loadConfig(resolve(io.cwd, config ?? DEFAULT_CONFIG_FILE));
  const resolved = resolveEnv(loaded, env);
  if (!resolved.env) {
    printDiagnostics(io, resolved.diagnostics, new Map([[loaded.file, loaded.text]]));
    throw new CliError(`cannot read environment \`${env}\` from ${loaded.file}`, EXIT.usage, "name an environment of the configuration file", "CONFIG_ENV_UNKNOWN");
  }
  return resolved.env;
}

/**
 * The flow and run id a name stands for in a datastore. A run resumed by a new execution is one run:
 * `<run>-r<n>` (the execution's name) finds `<run>`.
 */
export async function locateRun(ds: Datastore, name: string, flow?: string): Promise<{ flow: string; runId: string }> {
  for (const runId of [name, ...(/-r\d+$/.test(name) ? [name.replace(/-r\d+$/, "")] : [])]) {
    const flows = await findRun(ds, runId, flow);
    if (flows.length > 1) throw new CliError(`run id ${runId} exists for several flows: ${flows.join(", ")}`, EXIT.usage, "pick one with --flow NAME", "RUN_AMBIGUOUS");
    if (flows.length === 1) return { flow: flows[0]!, runId };
  }
  throw new CliError(`no run ${name} in ${ds.root}`, EXIT.failed, "list the runs with: flowc runs (or flowc runs FLOW --env ENV for a deployed flow)", "RUN_NOT_FOUND");
}

/** `--datastore DIR`, or the datastore of `--env ENV`. */
export async function datastoreOf(io: Io, opts: { datastore: string; env?: string; config?: string }): Promise<{ ds: Datastore; env?: EnvConfig }> {
  if (!opts.env) return { ds: await openDatastore(opts.datastore, io.cwd, io.env) };
  const env = environment(io, opts.env, opts.config);
  return { ds: await openDatastore(env.datastore, io.cwd, io.env), env };
}
