import type { AwsSession } from "../../aws/clients.ts";
import { checkOwnership } from "../ownership.ts";
import type { Plan, PlannedAction } from "../plan.ts";
import type { ApplyResult, DeployContext } from "../target.ts";
import { aliasDescription, aliasHistory } from "./alias.ts";
import { childIntegration, familyOf, unqualified } from "./family.ts";
import { SfnError } from "./errors.ts";
import { aliasLink } from "../../names/sfn-links.ts";
import { readAlias, readMachine, type LiveAlias, type LiveVersion } from "./live.ts";
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

/**
 * A split flow's version pins its children's versions: their aliases for this environment follow
 * (created when missing), children first, so each child alias names what the flow's alias runs.
 */
export async function moveAlias(aws: AwsSession, ctx: DeployContext, alias: LiveAlias, to: LiveVersion, newHistory: number[], reason: string): Promise<ApplyResult> {
  const ref = machineRef(ctx.compiled);
  const flow = ctx.compiled.flow.ir.name;
  const env = ctx.compiled.env.name;
  const children = await familyOf(aws, to, childIntegration(ctx.compiled.env.sfn!));
  const moves: { arn: string; name: string; live?: LiveAlias; to: LiveVersion }[] = [];
  for (const v of children.reverse()) {
    const machine = unqualified(v.arn);
    moves.push({ arn: `${machine}:${ref.alias}`, name: `${machine.slice(machine.lastIndexOf(":") + 1)}:${ref.alias}`, live: await readAlias(aws, `${machine}:${ref.alias}`), to: v });
  }
  const childActions: PlannedAction[] = moves.map((x) =>
    !x.live
      ? { op: "create", kind: "alias", name: x.name, reason: "a child machine of the version", changes: [{ op: "added", path: ["version"], after: x.to.number }] }
      : { op: x.live.versionArn === x.to.arn ? "noop" : "update", kind: "alias", name: x.name, reason: "a child machine of the version", changes: x.live.versionArn === x.to.arn ? [] : [{ op: "changed", path: ["version"], before: x.live.version ?? null, after: x.to.number }] },
  );
  const plan: Plan = {
    target: "sfn",
    flow,
    env,
    actions: [...childActions, { op: alias.versionArn === to.arn ? "noop" : "update", kind: "alias", name: `${ref.name}:${ref.alias}`, reason, changes: alias.versionArn === to.arn ? [] : [{ op: "changed", path: ["version"], before: alias.version ?? null, after: to.number }] }],
  };
  const link = aliasLink(ctx.compiled.env.sfn!, ref.aliasArn);
  if (!ctx.options.dryRun) {
    const { c, m } = await aws.sfn();
    for (const x of moves) {
      if (x.live?.versionArn === x.to.arn) continue;
      const description = aliasDescription(flow, env, [x.to.number, ...aliasHistory(x.live?.description, x.live?.version).filter((n) => n !== x.to.number)]);
      const routingConfiguration = [{ stateMachineVersionArn: x.to.arn, weight: 100 }];
      if (x.live) await c.send(new m.UpdateStateMachineAliasCommand({ stateMachineAliasArn: x.arn, description, routingConfiguration }));
      else await c.send(new m.CreateStateMachineAliasCommand({ name: ref.alias, description, routingConfiguration }));
      ctx.log.info(`alias ${x.name} → version ${x.to.number}`);
    }
  }
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
