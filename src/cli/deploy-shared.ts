import type { Command } from "commander";
import { relative, resolve } from "node:path";
import { compileFlowFile, type CompiledFlow } from "../compile/pipeline.ts";
import { isTarget } from "../compile/targets.ts";
import type { TargetName } from "../compile/types.ts";
import { DEFAULT_CONFIG_FILE, loadConfig, resolveEnv } from "../config/load.ts";
import type { EnvConfig } from "../config/types.ts";
import { hasErrors } from "../diagnostics/diagnostic.ts";
import type { DeployContext, DeployOptions, DeployTarget } from "../deploy/target.ts";
import { deployTarget } from "../deploy/targets.ts";
import { failureExit, printDiagnostics } from "./diagnostics.ts";
import { withExitCode } from "../errors.ts";
import { explainError } from "./errors.ts";
import { CliError, EXIT, type Io } from "./io.ts";

/**
 * What the deploy-side commands (deploy, diff, versions, promote, rollback, trigger, runs, delete)
 * share: the same options, the same compile step, the same error reporting. Target-neutral: each
 * command dispatches through `deployTarget(name)`, which loads the target (and its SDK) lazily.
 */
export interface DeployFlags {
  target?: string;
  env: string;
  config: string;
  profile?: string;
  endpoint?: string;
  context?: string;
  kubeconfig?: string;
  owner?: string;
  authorize?: string;
  dryRun?: boolean;
  force?: boolean;
  format?: string;
}

type Extra = "write" | "format";

/** The options every deploy-side command takes; `write` adds those of commands that change things. */
export function deployOptions(cmd: Command, extra: readonly Extra[] = [], envFlag = true): Command {
  cmd.option("-t, --target <target>", "sfn or argo (default: the only one the environment configures; $FLOWC_TARGET)");
  if (envFlag) cmd.requiredOption("-e, --env <env>", "environment from the configuration file");
  cmd
    .option("-c, --config <file>", "configuration file", DEFAULT_CONFIG_FILE)
    .option("--profile <name>", "sfn: AWS profile (default: the SDK's credential chain)")
    .option("--endpoint <url>", "sfn: AWS endpoint URL for every service, e.g. a local AWS (default: $AWS_ENDPOINT_URL)")
    .option("--context <name>", "argo: kubeconfig context")
    .option("--kubeconfig <file>", "argo: kubeconfig file");
  if (extra.includes("write"))
    cmd
      .option("--dry-run", "print the plan and change nothing (no write calls)")
      .option("--owner <name>", "deploy as this owner (default: $FLOWC_OWNER, else the AWS caller / Kubernetes user)")
      .option("--authorize <token>", "take over a deployment owned by this other owner token, on purpose")
      .option("--force", "argo: take fields over from other field managers");
  if (extra.includes("format")) cmd.option("--format <format>", "text or json", "text");
  return cmd;
}

export function checkFormat(format: string | undefined): "text" | "json" {
  const f = format ?? "text";
  if (f !== "text" && f !== "json") throw new CliError(`--format must be text or json, not ${f}`, EXIT.usage, "use --format text or --format json", "FLAG_INVALID");
  return f;
}

const configPath = (io: Io, flags: Pick<DeployFlags, "config">) => resolve(io.cwd, flags.config ?? DEFAULT_CONFIG_FILE);

/** Every environment of the configuration file, resolved (for resources environments share). */
export function allEnvironments(io: Io, flags: Pick<DeployFlags, "config">): EnvConfig[] {
  const loaded = loadConfig(relative(process.cwd(), configPath(io, flags)) || configPath(io, flags));
  const names = Object.keys(((loaded.raw?.environments ?? {}) as Record<string, unknown>));
  return names.flatMap((n) => resolveEnv(loaded, n).env ?? []);
}

/**
 * --target, else $FLOWC_TARGET, else the one target the environment configures. Commands that exist
 * for one target only (versions, promote, rollback) pass `only`.
 */
export function chooseTarget(io: Io, flags: DeployFlags, only?: TargetName): TargetName {
  const given = flags.target ?? io.env.FLOWC_TARGET;
  if (given !== undefined) {
    if (!isTarget(given)) throw new CliError(`unknown target \`${given}\``, EXIT.usage, "use --target sfn or --target argo", "TARGET_UNKNOWN");
    if (only && given !== only) throw new CliError(`this command exists for --target ${only} only (${given} has no versions)`, EXIT.usage, `pass --target ${only}, or leave --target out`, "TARGET_UNSUPPORTED");
    return given;
  }
  if (only) return only;
  const loaded = loadConfig(relative(process.cwd(), configPath(io, flags)) || configPath(io, flags));
  const resolved = resolveEnv(loaded, flags.env);
  const problem = resolved.diagnostics.find((d) => d.severity === "error");
  // The file or the environment is wrong: say that, not that no target could be chosen.
  if (problem) throw new CliError(problem.message, failureExit([problem]), problem.hint, problem.code);
  const env = resolved.env;
  const configured = (["sfn", "argo"] as const).filter((t) => env?.[t]);
  if (configured.length === 1) return configured[0]!;
  throw new CliError(
    `environment \`${flags.env}\` configures ${configured.length ? "both sfn and argo" : "neither sfn nor argo"}: say which`,
    EXIT.usage,
    "pass --target sfn or --target argo (or set FLOWC_TARGET)",
    "TARGET_AMBIGUOUS",
  );
}

export function optionsFrom(flags: DeployFlags): DeployOptions {
  const o: DeployOptions = {};
  for (const k of ["profile", "endpoint", "context", "kubeconfig", "owner", "authorize"] as const) if (flags[k] !== undefined) o[k] = flags[k];
  if (flags.dryRun) o.dryRun = true;
  if (flags.force) o.force = true;
  return o;
}

/** A flow path as the user wrote it, resolved against the command's working directory. */
export const flowPath = (io: Io, file: string) => (resolve(io.cwd, file) === resolve(file) ? file : resolve(io.cwd, file));

/**
 * Compiles FLOW for one environment exactly as `flowc compile` does (validation, configuration and
 * limit checks included), printing diagnostics. Nothing reaches a cloud before this succeeds.
 */
export async function compileFor(io: Io, file: string, target: TargetName, flags: Pick<DeployFlags, "env" | "config">, failCode: number = EXIT.failed): Promise<CompiledFlow> {
  const { compiled, diagnostics, sources } = await compileFlowFile(flowPath(io, file), { target, env: flags.env, config: flags.config, cwd: io.cwd });
  printDiagnostics(io, diagnostics, sources);
  if (!compiled || hasErrors(diagnostics)) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    const exit = failureExit(diagnostics) === EXIT.usage ? EXIT.usage : failCode;
    throw new CliError(`${errors} error${errors === 1 ? "" : "s"} (above): nothing was deployed or changed`, exit, "fix them; `flowc compile FLOW --target TARGET --env ENV` shows the same without calling the cloud", "COMPILE_FAILED");
  }
  return compiled;
}

export function deployContext(io: Io, compiled: CompiledFlow, flags: DeployFlags): DeployContext {
  return {
    compiled,
    options: optionsFrom(flags),
    log: { info: (l) => io.stderr(`${l}\n`), warn: (l) => io.stderr(`warning: ${l}\n`) },
    env: io.env,
    cwd: io.cwd,
    environments: allEnvironments(io, flags),
  };
}

export async function prepare(io: Io, file: string, flags: DeployFlags, opts: { only?: TargetName; failCode?: number } = {}): Promise<{ ctx: DeployContext; target: DeployTarget }> {
  const name = chooseTarget(io, flags, opts.only);
  const compiled = await compileFor(io, file, name, flags, opts.failCode);
  return { ctx: deployContext(io, compiled, flags), target: await deployTarget(name) };
}

/**
 * Expected failures (ownership refusals, missing prerequisites, AWS errors) as `flowc: error CODE:
 * message` + a hint and an exit code; anything else stays an internal error with its stack.
 */
export async function reportErrors<T>(fn: () => Promise<T>, exitCode: number = EXIT.failed): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const explained = await explainError(e);
    if (!explained) throw e;
    throw exitCode !== EXIT.failed && explained.exitCode === EXIT.failed ? withExitCode(explained, exitCode) : explained;
  }
}

export const collect = (v: string, prev: string[]) => [...prev, v];
