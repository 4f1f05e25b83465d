import type { AwsSession } from "../../aws/clients.ts";
import { isConflict } from "../../aws/errors.ts";
import { isTransient } from "../retry.ts";
import type { ApplyResult, DeployContext } from "../target.ts";
import { runOp, type ApplyState } from "./apply.ts";
import { desiredState, type DesiredSfn } from "./desired.ts";
import { SfnError } from "./errors.ts";
import { aliasLink } from "../../names/sfn-links.ts";
import { readLive } from "./live.ts";
import { resolveOwner } from "./owner.ts";
import { planSfn, type Refusal, type SfnPlan } from "./plan.ts";

/** Rounds of read → plan → apply before a deploy gives up on a resource that keeps changing under it. */
const ROUNDS = 4;

export async function desiredFor(aws: AwsSession, ctx: DeployContext): Promise<DesiredSfn> {
  const owner = await resolveOwner(aws, ctx);
  return desiredState(ctx.compiled, { owner: owner.token, ...(ctx.environments ? { environments: ctx.environments } : {}) });
}

export function refusalError(refusals: Refusal[]): SfnError {
  const [first, ...rest] = refusals;
  return new SfnError(
    "DEPLOY_REFUSED",
    `nothing was changed: ${first!.message}${rest.length ? `\n${rest.map((r) => `  also: ${r.message}`).join("\n")}` : ""}`,
    first!.hint,
  );
}

/** Reads AWS and plans; no writes. What `flowc diff` and `flowc deploy --dry-run` show. */
export async function planDeploy(aws: AwsSession, ctx: DeployContext): Promise<{ desired: DesiredSfn; planned: SfnPlan }> {
  // Who is deploying only changes tags, not names: read AWS while STS answers.
  const names = desiredState(ctx.compiled, { owner: "", ...(ctx.environments ? { environments: ctx.environments } : {}) });
  const [desired, live] = await Promise.all([desiredFor(aws, ctx), readLive(aws, names)]);
  return { desired, planned: planSfn(desired, live, { ...(ctx.options.authorize ? { authorize: ctx.options.authorize } : {}) }) };
}

/**
 * Reconcile: read → plan → apply, and again when an operation meets a conflict or a fault the SDK's
 * own retries did not absorb (someone else's change, our own lost answer). Each round starts from
 * what AWS holds, so a deploy killed at any point converges when it is run again. Refusals
 * (ownership, missing prerequisites, bad input) stop it before its first write.
 */
export async function deploy(aws: AwsSession, ctx: DeployContext): Promise<ApplyResult> {
  const { desired, planned: first } = await planDeploy(aws, ctx);
  for (const w of first.warnings) ctx.log.warn(w);
  if (first.refusals.length) throw refusalError(first.refusals);
  const link = aliasLink(desired.sfn, desired.alias.arn);
  if (ctx.options.dryRun || first.ops.length === 0) return result(first, aws, link);

  let planned = first;
  const state: ApplyState = {};
  for (let round = 1; ; round++) {
    try {
      for (const op of planned.ops) await runOp(aws, desired, op, state, ctx.log);
      return result(first, aws, link, state.published?.[desired.machine.arn]?.number ?? (planned.target !== "new" ? planned.target?.number : undefined));
    } catch (e) {
      if (round >= ROUNDS || !(isConflict(e) || isTransient(e))) throw e;
      ctx.log.warn(`${(e as Error).name}: ${(e as Error).message}; reading AWS again and resuming (round ${round + 1} of ${ROUNDS})`);
      await new Promise((r) => setTimeout(r, 200 * round));
      planned = planSfn(desired, await readLive(aws, desired), { ...(ctx.options.authorize ? { authorize: ctx.options.authorize } : {}) });
      if (planned.refusals.length) throw refusalError(planned.refusals);
      if (planned.ops.length === 0) return result(first, aws, link, planned.target !== "new" ? planned.target?.number : undefined);
    }
  }
}

function result(planned: SfnPlan, aws: AwsSession, link: string, version?: number): ApplyResult {
  const calls = aws.calls.summary();
  const v = version ?? (planned.target && planned.target !== "new" ? planned.target.number : undefined);
  return { plan: planned.plan, writes: calls.writes, link, calls, ...(v !== undefined ? { version: String(v) } : {}) };
}
