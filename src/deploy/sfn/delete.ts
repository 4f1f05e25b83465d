import type { AwsSession } from "../../aws/clients.ts";
import { isNotFound } from "../../aws/errors.ts";
import type { Plan, PlannedAction } from "../plan.ts";
import { TAG, checkOwnership } from "../ownership.ts";
import type { ApplyResult, DeployContext } from "../target.ts";
import { runOp, type ApplyState } from "./apply.ts";
import { desiredFor, refusalError } from "./deploy.ts";
import { aliasLink } from "../../names/sfn-links.ts";
import { FAMILY_TAG, type DesiredSfn } from "./desired.ts";
import { childIntegration, familyOf, unqualified } from "./family.ts";
import { listAliases, listMachines, readAlias, readLive, readMachine, readVersion, type LiveSfn } from "./live.ts";
import { childMachinePrefix } from "../../names/sfn.ts";
import type { Op, Refusal } from "./ops.ts";
import { hookOwned } from "./plan-hooks.ts";
import { scheduleIdentityTags } from "./tags.ts";

/**
 * `flowc delete`: everything flowc created for this flow and environment, in the reverse of the
 * deploy order (schedule, trigger rules, alias, then the machine, then a split flow's children), so
 * that nothing is ever left pointing at something already gone. The machine (and with it every
 * version) goes only when no other environment's alias uses it; its children go with it, and
 * otherwise only lose this environment's alias (other environments' versions still start them).
 * Datastore objects stay: they are content-addressed and may be shared by other environments and by runs.
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
  // Webhooks after the rules that named them; marked by their description (they take no tags).
  for (const [kind, list] of [["api-destination", live.apiDestinations ?? []], ["connection", live.connections ?? []]] as const)
    for (const h of list) {
      if (!hookOwned(h.description, d)) continue;
      actions.push({ op: "delete", kind, name: h.name, changes: [] });
      ops.push(kind === "api-destination" ? { kind: "deleteApiDestination", name: h.name } : { kind: "deleteConnection", name: h.name });
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
  const children = await familyToDelete(aws, d, live, deleteMachine);
  for (const c of children) {
    if (c.tags[TAG.managedBy] !== "flowc" || c.tags[TAG.flow] !== d.flow || c.tags[FAMILY_TAG] !== d.machine.name) {
      refusals.push({ resource: `state machine ${c.name}`, message: `state machine ${c.name} was not created by flowc for flow \`${d.flow}\``, hint: "flowc never touches resources it did not create" });
      continue;
    }
    check(`state machine ${c.name}`, c.tags);
    if (c.alias) actions.push({ op: "delete", kind: "alias", name: `${c.name}:${d.alias.name}`, changes: [] });
    if (deleteMachine) actions.push({ op: "delete", kind: "state-machine", name: c.name, reason: `a child of ${d.machine.name}, which goes`, changes: [] });
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
  // Children after their parent: no version that starts them is left behind.
  for (const child of children) {
    if (child.alias) {
      await ignoreMissing(c.send(new m.DeleteStateMachineAliasCommand({ stateMachineAliasArn: child.alias })));
      ctx.log.info(`deleted alias ${child.name}:${d.alias.name}`);
    }
    if (deleteMachine) {
      await ignoreMissing(c.send(new m.DeleteStateMachineCommand({ stateMachineArn: child.arn })));
      ctx.log.info(`deleted state machine ${child.name}`);
    }
  }
  if (policy && policy !== "unreadable") {
    const { c: iam, m: im } = await aws.iam();
    await ignoreMissing(iam.send(new im.DeleteRolePolicyCommand({ RoleName: d.policy!.roleName, PolicyName: d.policy!.name })));
    ctx.log.info(`deleted inline policy ${d.policy!.name} from role ${d.policy!.roleName}`);
  }
  return summary();
}

interface ChildToDelete {
  name: string;
  arn: string;
  tags: Record<string, string>;
  /** This environment's alias on it, when it has one. */
  alias?: string;
}

/**
 * The children of a split flow that exist: the bundle's, those this environment's running version
 * starts (followed down), and, when the flow's machine goes, every machine marked as its family (a
 * child of an older build that only older versions started).
 */
async function familyToDelete(aws: AwsSession, d: DesiredSfn, live: LiveSfn, wholeFamily: boolean): Promise<ChildToDelete[]> {
  const arns = new Set(d.children.map((c) => c.machine.arn));
  const integration = childIntegration(d.sfn);
  const running = live.alias?.versionArn ? await readVersion(aws, live.alias.versionArn) : undefined;
  if (running) for (const v of await familyOf(aws, running, integration)) arns.add(unqualified(v.arn));
  if (wholeFamily && live.machine) for (const m of await listMachines(aws, childMachinePrefix(d.machine.name))) arns.add(m.arn);
  arns.delete(d.machine.arn);
  const out: ChildToDelete[] = [];
  for (const arn of [...arns].sort()) {
    const machine = await readMachine(aws, arn);
    if (!machine) continue;
    // A machine found by its name's prefix alone may belong to another flow: only the family tag counts.
    if (!d.children.some((c) => c.machine.arn === arn) && machine.tags[FAMILY_TAG] !== d.machine.name) continue;
    const alias = await readAlias(aws, `${arn}:${d.alias.name}`);
    out.push({ name: arn.slice(arn.lastIndexOf(":") + 1), arn, tags: machine.tags, ...(alias ? { alias: alias.arn } : {}) });
  }
  return out;
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
