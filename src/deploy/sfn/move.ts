import type { AwsSession } from "../../aws/clients.ts";
import { checkOwnership } from "../ownership.ts";
import type { Plan } from "../plan.ts";
import type { ApplyResult, DeployContext } from "../target.ts";
import { aliasDescription } from "./alias.ts";
import { SfnError } from "./errors.ts";
import { aliasLink } from "../../names/sfn-links.ts";
import { readMachine, type LiveAlias } from "./live.ts";
import { resolveOwner } from "./owner.ts";
import { machineRef, notDeployed } from "./versions.ts";

/**
 * Moving an environment's alias to a version that exists (promote, rollback): one
 * UpdateStateMachineAlias, after the same ownership check a deploy makes; --dry-run only plans it.
 */
export async function checkOwner(aws: AwsSession, ctx: DeployContext, machineArn: string): Promise<void> {
  const owner = await resolveOwner(aws, ctx);
  const m = await readMachine(aws, machineArn);
  if (!m) throw notDeployed(ctx.compiled, "nothing to move");
  const v = checkOwnership(m.tags, owner.token, ctx.options.authorize);
  if (!v.ok) throw new SfnError("DEPLOY_REFUSED", `nothing was changed: state machine ${machineArn}: ${v.message}`, v.hint);
}

export async function moveAlias(aws: AwsSession, ctx: DeployContext, alias: LiveAlias, to: { arn: string; number: number }, newHistory: number[], reason: string): Promise<ApplyResult> {
  const ref = machineRef(ctx.compiled);
  const plan: Plan = {
    target: "sfn",
    flow: ctx.compiled.flow.ir.name,
    env: ctx.compiled.env.name,
    actions: [{ op: alias.versionArn === to.arn ? "noop" : "update", kind: "alias", name: `${ref.name}:${ref.alias}`, reason, changes: alias.versionArn === to.arn ? [] : [{ op: "changed", path: ["version"], before: alias.version ?? null, after: to.number }] }],
  };
  const link = aliasLink(ctx.compiled.env.sfn!, ref.aliasArn);
  if (alias.versionArn !== to.arn && !ctx.options.dryRun) {
    const { c, m } = await aws.sfn();
    await c.send(
      new m.UpdateStateMachineAliasCommand({
        stateMachineAliasArn: ref.aliasArn,
        description: aliasDescription(ctx.compiled.flow.ir.name, ctx.compiled.env.name, newHistory),
        routingConfiguration: [{ stateMachineVersionArn: to.arn, weight: 100 }],
      }),
    );
    ctx.log.info(`alias ${ref.alias} → version ${to.number} (was ${alias.version})`);
  }
  const calls = aws.calls.summary();
  return { plan, writes: calls.writes, link, calls, version: String(to.number) };
}
