import type { AwsSession } from "../../aws/clients.ts";
import { isNotFound } from "../../aws/errors.ts";
import type { Plan, PlannedAction } from "../plan.ts";
import { TAG, checkOwnership } from "../ownership.ts";
import type { ApplyResult, DeployContext } from "../target.ts";
import { runOp, type ApplyState } from "./apply.ts";
import { desiredFor, refusalError } from "./deploy.ts";
import { aliasLink } from "../../names/sfn-links.ts";
import { listAliases, readLive } from "./live.ts";
import type { Op, Refusal } from "./ops.ts";
import { scheduleIdentityTags } from "./tags.ts";

/**
 * `flowc delete`: everything flowc created for this flow and environment, in the reverse of the
 * deploy order (schedule, trigger rules, alias, then the machine), so that nothing is ever left
 * pointing at something already gone. The machine (and with it every version) goes only when no other
 * environment's alias uses it. Datastore objects stay: they are content-addressed and may be shared by
 * other environments and by runs.
 */
export async function destroy(aws: AwsSession, ctx: DeployContext): Promise<ApplyResult> {
  const d = await desiredFor(aws, ctx);
  // The flow's current bundle only names things; what exists is found the same way deploy finds it.
  const live = await readLive(aws, { ...d, schedule: undefined, objects: [] }, { versions: false });
  const opts = ctx.options.authorize;
  const refusals: Refusal[] = [];
  const actions: PlannedAction[] = [];
  const ops: Op[] = [];
  const ours = (tags: Record<string, string> | undefined) => !!tags && tags[TAG.managedBy] === "flowc" && tags[TAG.flow] === d.flow;
  const check = (what: string, tags: Record<string, string>) => {
    const v = checkOwnership(tags, d.owner, opts);
    if (!v.ok) refusals.push({ resource: what, message: `${what}: ${v.message}`, hint: v.hint });
  };

  for (const s of live.schedules) {
    const tags = scheduleIdentityTags(s.input.Description as string | undefined);
    if (!ours(tags) || tags![TAG.env] !== d.env) continue;
    check(`schedule ${s.group}/${s.name}`, tags!);
    actions.push({ op: "delete", kind: "schedule", name: `${s.group}/${s.name}`, changes: [] });
    ops.push({ kind: "deleteSchedule", name: s.name, group: s.group });
  }
  for (const r of live.rules) {
    if (!ours(r.tags) || r.tags[TAG.env] !== d.env) continue;
    check(`rule ${r.name}`, r.tags);
    actions.push({ op: "delete", kind: "rule", name: r.name, changes: [] });
    ops.push({ kind: "deleteRule", name: r.name, bus: r.bus, targetIds: r.targets.map((t) => String(t.Id)) });
  }
  let deleteMachine = false;
  if (live.machine) {
    if (!ours(live.machine.tags)) refusals.push({ resource: `state machine ${d.machine.name}`, message: `state machine ${d.machine.name} was not created by flowc for flow \`${d.flow}\``, hint: "flowc never touches resources it did not create" });
    else check(`state machine ${d.machine.name}`, live.machine.tags);
    const others = (await listAliases(aws, live.machine.arn)).filter((a) => a.name !== d.alias.name).map((a) => a.name);
    if (live.alias) actions.push({ op: "delete", kind: "alias", name: `${d.machine.name}:${d.alias.name}`, changes: [] });
    deleteMachine = others.length === 0;
    actions.push(
      deleteMachine
        ? { op: "delete", kind: "state-machine", name: d.machine.name, reason: "no other environment uses it; its versions go with it", changes: [] }
        : { op: "noop", kind: "state-machine", name: d.machine.name, reason: `kept: used by ${others.map((o) => `\`${o}\``).join(", ")}`, changes: [] },
    );
  }
  const policy = live.policy;
  if (policy && policy !== "unreadable") actions.push({ op: "delete", kind: "role-policy", name: `${d.policy!.roleName}/${d.policy!.name}`, changes: [] });

  const plan: Plan = { target: "sfn", flow: d.flow, env: d.env, actions };
  const link = aliasLink(d.sfn, d.alias.arn);
  if (refusals.length) throw refusalError(refusals);
  const summary = () => ({ plan, writes: aws.calls.writes, link, calls: aws.calls.summary() });
  if (ctx.options.dryRun) return summary();

  const state: ApplyState = {};
  for (const op of ops) await runOp(aws, d, op, state, ctx.log);
  const { c, m } = await aws.sfn();
  if (live.alias) {
    await ignoreMissing(c.send(new m.DeleteStateMachineAliasCommand({ stateMachineAliasArn: d.alias.arn })));
    ctx.log.info(`deleted alias ${d.alias.name}`);
  }
  if (live.machine && deleteMachine) {
    await ignoreMissing(c.send(new m.DeleteStateMachineCommand({ stateMachineArn: d.machine.arn })));
    ctx.log.info(`deleted state machine ${d.machine.name}`);
  }
  if (policy && policy !== "unreadable") {
    const { c: iam, m: im } = await aws.iam();
    await ignoreMissing(iam.send(new im.DeleteRolePolicyCommand({ RoleName: d.policy!.roleName, PolicyName: d.policy!.name })));
    ctx.log.info(`deleted inline policy ${d.policy!.name} from role ${d.policy!.roleName}`);
  }
  return summary();
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
