import type { KubeObject } from "../../kube/client.ts";
import { KubeError } from "../../kube/errors.ts";
import type { Plan, PlannedAction } from "../plan.ts";
import type { ApplyResult, DeployContext } from "../target.ts";
import type { Connection } from "./connect.ts";
import { desiredObjects } from "./desired.ts";
import { conflictError, conflictsOf, refusedError } from "./errors.ts";
import { readLive } from "./live.ts";
import { planArgo, type ArgoPlan, type Step } from "./plan.ts";
import { publishBuild } from "./publish.ts";
import { checkArgoVersion } from "./version.ts";

export type Goal = "deploy" | "destroy";

/**
 * Reads the live objects and plans against them: what `flowc diff` and every deploy start with.
 * Destroying is the same reconciliation towards nothing.
 */
export async function planLive(ctx: DeployContext, conn: Connection, goal: Goal = "deploy"): Promise<ArgoPlan> {
  const { ir } = ctx.compiled.flow;
  const desired = goal === "destroy" ? [] : desiredObjects(ctx.compiled, { namespace: conn.namespace, ownerToken: conn.owner });
  const live = await readLive(conn.client, ir.name, ctx.compiled.env.name, desired);
  return planArgo({
    flow: ir.name,
    env: ctx.compiled.env.name,
    desired,
    live,
    ownerToken: conn.owner,
    ...(ctx.options.authorize ? { authorize: ctx.options.authorize } : {}),
    ...(goal === "destroy" ? { deleteReason: "flowc delete" } : {}),
  });
}

/** A plan whose guard failed is never applied, not even in part. */
export function assertApplicable(p: ArgoPlan, force: boolean, me: { identity: string; owner: string }): void {
  if (p.refusals.length) throw refusedError(p.refusals, me);
  const conflicted = p.steps.filter((s) => s.conflicts.length).map((s) => ({ kind: s.kind, name: s.name, conflicts: s.conflicts }));
  if (conflicted.length && !force) throw conflictError(conflicted);
}

const MAX_ROUNDS = 4;

/**
 * Deploy: plan, then apply the steps in order. Each write carries the resourceVersion the plan saw,
 * so an object that changed meanwhile (another deploy, or our own write whose answer was lost to a
 * connection reset) is not overwritten blindly: the deploy reads again and plans again. Any deploy
 * that stopped midway converges when rerun, because every step is "make it so", never "do this".
 */
export async function reconcile(ctx: DeployContext, conn: Connection, goal: Goal = "deploy"): Promise<ApplyResult> {
  const dryRun = !!ctx.options.dryRun;
  const force = !!ctx.options.force;
  const done = new Map<string, PlannedAction>();
  let writes = 0;
  let published = false;
  let checked = false;
  for (let round = 1; ; round++) {
    const p = await planLive(ctx, conn, goal);
    assertApplicable(p, force, conn);
    const todo = p.steps.filter((s) => s.action.op !== "noop");
    // Before the first write, and only when there is one: an unchanged redeploy stays three LISTs.
    if (goal === "deploy" && !checked && todo.some(writesObject)) {
      await checkArgoVersion(ctx, conn, true);
      checked = true;
    }
    // Always (reads only when present): the template must never name a spec that is not there.
    if (goal === "deploy" && !dryRun && !published) {
      await publishBuild(ctx.compiled, ctx.cwd ?? process.cwd(), ctx.log);
      published = true;
    }
    let current: Step | undefined;
    try {
      for (const step of todo) {
        current = step;
        await execute(step, conn, { dryRun, force });
        if (!dryRun) writes++;
        done.set(`${step.kind}/${step.name}`, step.action);
        ctx.log.info(dryRun ? `dry run accepted by the API server: ${step.action.op} ${step.kind} ${conn.namespace}/${step.name}` : `${verb(step)} ${step.kind} ${conn.namespace}/${step.name}`);
      }
      return { plan: merged(p.plan, done), writes, calls: conn.client.calls(), ...(goal === "deploy" ? templateLink(ctx, conn, p) : {}) };
    } catch (e) {
      if (e instanceof KubeError && e.stale && round < MAX_ROUNDS) {
        // Most often our own write, whose answer a reset lost: the next plan then finds it done.
        if (current) done.set(`${current.kind}/${current.name}`, current.action);
        ctx.log.warn(`${e.op}: changed since it was read; reading again`);
        continue;
      }
      // Someone took fields between our read and our apply: the same report as a predicted conflict.
      if (e instanceof KubeError && e.fieldConflict && current) throw conflictError([{ kind: current.kind, name: current.name, conflicts: conflictsOf(e) }]);
      throw e;
    }
  }
}

async function execute(step: Step, conn: Connection, o: { dryRun: boolean; force: boolean }): Promise<void> {
  const { client } = conn;
  switch (step.action.op) {
    case "create":
    case "update": {
      const body: KubeObject = { ...step.desired!, metadata: { ...step.desired!.metadata, ...(step.resourceVersion ? { resourceVersion: step.resourceVersion } : {}) } };
      await client.apply(body, { force: o.force, dryRun: o.dryRun });
      return;
    }
    case "delete":
      await client.delete(step.kind, step.name, { ...(step.resourceVersion ? { resourceVersion: step.resourceVersion } : {}), dryRun: o.dryRun });
      return;
    case "noop":
      return;
  }
}

/** A create or update: what the cluster's Argo version must be able to run. */
export const writesObject = (s: Step) => s.action.op === "create" || s.action.op === "update";

const verb = (s: Step) => ({ create: "created", update: "updated", delete: "deleted", noop: "kept" })[s.action.op];

/** The final plan, with the actions earlier rounds carried out shown as what they did (not as "noop"). */
function merged(plan: Plan, done: Map<string, PlannedAction>): Plan {
  const actions = plan.actions.map((a) => (a.op === "noop" ? (done.get(`${a.kind}/${a.name}`) ?? a) : a));
  for (const [k, a] of done) if (!plan.actions.some((x) => `${x.kind}/${x.name}` === k)) actions.push(a);
  return { ...plan, actions };
}

/** The template in the Argo UI, when the environment names the UI's address. */
export function templateLink(ctx: DeployContext, conn: Connection, p: ArgoPlan): { link?: string } {
  const ui = ctx.compiled.env.argo?.uiUrl?.replace(/\/+$/, "");
  const wt = p.steps.find((s) => s.kind === "WorkflowTemplate");
  return ui && wt ? { link: `${ui}/workflow-templates/${conn.namespace}/${wt.name}` } : {};
}
