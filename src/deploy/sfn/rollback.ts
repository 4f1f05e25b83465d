import type { AwsSession } from "../../aws/clients.ts";
import type { ApplyResult, DeployContext } from "../target.ts";
import { readVersionDescription } from "./desired.ts";
import { SfnError } from "./errors.ts";
import { readAlias, readVersion } from "./live.ts";
import { checkOwner, moveAlias } from "./move.ts";
import { history, machineRef, notDeployed } from "./versions.ts";

/**
 * Rollback moves an environment's alias back through the versions it ran (kept, newest first, in the
 * alias's description). --to picks one: a version this environment ran or one published for it.
 */
export async function rollback(aws: AwsSession, ctx: DeployContext, toVersion?: string): Promise<ApplyResult> {
  const ref = machineRef(ctx.compiled);
  await checkOwner(aws, ctx, ref.arn);
  const alias = await readAlias(aws, ref.aliasArn);
  if (!alias?.version) throw notDeployed(ctx.compiled, "nothing to roll back");
  const past = history(alias);
  const env = ctx.compiled.env.name;
  if (toVersion !== undefined) {
    const n = Number(toVersion);
    if (!Number.isInteger(n) || n < 1) throw new SfnError("ROLLBACK_REFUSED", `--to ${toVersion} is not a version number`, "see the versions with: flowc versions FLOW --env ENV");
    const v = await readVersion(aws, `${ref.arn}:${n}`);
    if (!v) throw new SfnError("ROLLBACK_REFUSED", `version ${n} of ${ref.name} does not exist`, "see the versions with: flowc versions FLOW --env ENV");
    const builtFor = readVersionDescription(v.description).env;
    if (!past.includes(n) && builtFor !== env)
      throw new SfnError(
        "ROLLBACK_REFUSED",
        `version ${n} was built for \`${builtFor ?? "another environment"}\` and \`${env}\` never ran it`,
        `to run another environment's version, use flowc promote FLOW --from ${builtFor ?? "ENV"} --to ${env}, which checks that the two environments are compatible`,
      );
    return moveAlias(aws, ctx, alias, v, [n, ...past.filter((x) => x !== n)], `--to ${n}`);
  }
  // The entry before the current one in the alias's history (that still exists). Like `kubectl rollout
  // undo`, the version left stays in the history, so a second rollback returns to it; --to goes further.
  for (const n of past.slice(1)) {
    const v = await readVersion(aws, `${ref.arn}:${n}`);
    if (v) return moveAlias(aws, ctx, alias, v, [n, ...past.filter((x) => x !== n)], `previous version of ${env}`);
  }
  throw new SfnError("ROLLBACK_REFUSED", `\`${env}\` has run no earlier version that still exists (history: ${past.join(", ") || "none"})`, "pick one with --to VERSION (see flowc versions FLOW --env ENV)");
}
