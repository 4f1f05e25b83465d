import type { AwsSession } from "../../aws/clients.ts";
import type { CompiledFlow } from "../../compile/pipeline.ts";
import { diffValues, formatChange } from "../diff.ts";
import type { ApplyResult, DeployContext } from "../target.ts";
import { bundleMachines, readVersionDescription } from "./desired.ts";
import { childIntegration, sameUnpinned } from "./family.ts";
import { SfnError } from "./errors.ts";
import { readAlias, readVersion } from "./live.ts";
import { checkOwner, moveAlias } from "./move.ts";
import { history, machineRef, notDeployed } from "./versions.ts";
import { keyOf, label, machineView } from "./view.ts";

/**
 * Promote moves an environment's alias to the version another environment runs; nothing is compiled
 * into AWS and no schedule or trigger changes (they target the alias, so they follow it).
 *
 * Its preconditions, checked before the alias moves:
 *  - both environments resolve to the same state machine (name, account, region, partition): an
 *    alias can only point at versions of its own machine;
 *  - the flow compiles to the same definition and role for both environments, comments aside. A
 *    version is an immutable snapshot: if the environments' settings reach the definition (datastore,
 *    compute, the alias a concurrency check lists), the target environment would run with the
 *    source's settings. Schedules, triggers, tags and logging may differ: they are not in a version.
 *  - the target environment has been deployed (it has its alias, schedule and triggers).
 */
type Json = Record<string, unknown>;

export function withoutComments(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutComments);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v as Json).filter(([k]) => k !== "Comment").map(([k, x]) => [k, withoutComments(x)]));
  return v;
}

function definitionOf(c: CompiledFlow): Json {
  const f = c.result.files.find((x) => x.name === `${c.flow.ir.name}.asl.json`);
  return f ? (JSON.parse(f.content) as Json) : {};
}

/** Every machine of the family (one for most flows), by bundle file, as one document to compare. */
function familyDocument(c: CompiledFlow): Json {
  return Object.fromEntries(bundleMachines(c).map((m) => [m.file, withoutComments(m.definition)]));
}

const roleOf = (c: CompiledFlow) => String(((c.result.manifest as unknown as Json).stateMachine as Json | undefined)?.roleArn ?? c.env.sfn!.stateMachineRoleArn);

/** Why `from`'s versions cannot run as `to`, or nothing. */
export function promoteProblems(from: CompiledFlow, to: CompiledFlow): string[] {
  const a = machineRef(from);
  const b = machineRef(to);
  if (a.arn !== b.arn)
    return [`\`${from.env.name}\` runs state machine ${a.arn} and \`${to.env.name}\` runs ${b.arn}: an alias can only point at versions of its own machine`];
  const problems: string[] = [];
  if (roleOf(from) !== roleOf(to)) problems.push(`the state machine role differs: ${roleOf(from)} (${from.env.name}) vs ${roleOf(to)} (${to.env.name})`);
  const a1 = familyDocument(from);
  const b1 = familyDocument(to);
  const files = [...new Set([...Object.keys(a1), ...Object.keys(b1)])];
  // A split flow's children are in the version too (pinned), so they must agree as well.
  const changes = files.flatMap((f) => diffValues(machineView({ definition: a1[f] ?? {} }), machineView({ definition: b1[f] ?? {} }), { keyOf }));
  if (changes.length)
    problems.push(
      `the flow compiles to different definitions for the two environments (${changes.length} difference${changes.length === 1 ? "" : "s"}):\n${changes
        .slice(0, 8)
        .map((c) => `    ${formatChange(c, (p) => label("state-machine", p))}`)
        .join("\n")}${changes.length > 8 ? "\n    ..." : ""}`,
    );
  return problems;
}

export async function promote(aws: AwsSession, ctx: DeployContext, from: CompiledFlow): Promise<ApplyResult> {
  if (from.env.name === ctx.compiled.env.name) throw new SfnError("PROMOTE_REFUSED", "--from and --to name the same environment", "promote moves one environment's alias to the version another runs");
  const problems = promoteProblems(from, ctx.compiled);
  if (problems.length)
    throw new SfnError(
      "PROMOTE_REFUSED",
      `cannot promote \`${from.env.name}\` to \`${ctx.compiled.env.name}\`: ${problems.join("; ")}`,
      `deploy the flow to ${ctx.compiled.env.name} instead (flowc deploy FLOW --target sfn --env ${ctx.compiled.env.name}), or give both environments the same settings (docs/deploy-sfn.md, "Promote")`,
    );
  const ref = machineRef(ctx.compiled);
  await checkOwner(aws, ctx, ref.arn);
  const source = await readAlias(aws, machineRef(from).aliasArn);
  if (!source?.versionArn) throw notDeployed(from, "nothing to promote");
  const target = await readAlias(aws, ref.aliasArn);
  if (!target) throw notDeployed(ctx.compiled, `promote needs ${ctx.compiled.env.name}'s schedule and triggers to exist`);
  const version = await readVersion(aws, source.versionArn);
  if (!version) throw new SfnError("PROMOTE_REFUSED", `version ${source.version} that \`${from.env.name}\` points at no longer exists`, `redeploy ${from.env.name}`);
  // The version is what gets promoted, even if the flow file changed since; say so when it did.
  if (!sameUnpinned(withoutComments(version.definition), withoutComments(definitionOf(ctx.compiled)), childIntegration(ctx.compiled.env.sfn!)))
    ctx.log.warn(`version ${version.number} is not what the flow file compiles to now: promote moves the version \`${from.env.name}\` runs (${readVersionDescription(version.description).hash ?? "an earlier build"}), not the working copy`);
  return moveAlias(aws, ctx, target, version, [version.number, ...history(target).filter((n) => n !== version.number)], `the version ${from.env.name} runs`);
}
