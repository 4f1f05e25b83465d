import type { DeployTarget } from "../target.ts";
import { deploy, planDeploy } from "./deploy.ts";
import { destroy } from "./delete.ts";
import { promote } from "./promote.ts";
import { rollback } from "./rollback.ts";
import { resume } from "./resume.ts";
import { runs } from "./runs.ts";
import { withSession } from "./session.ts";
import { backfillName, run, scheduledRuns, start } from "./trigger.ts";
import { versions } from "./versions.ts";
import { label } from "./view.ts";

/**
 * AWS Step Functions as a deploy target: a state machine per flow (shared by the environments that
 * resolve to the same name, account and region), a version per build, an alias per environment, an
 * EventBridge Scheduler schedule and EventBridge rules that start the alias. See docs/deploy-sfn.md.
 * This module is loaded only when a command targets sfn: it pulls in the AWS SDK.
 */
export const sfnTarget: DeployTarget = {
  name: "sfn",
  plan: (ctx) =>
    withSession(ctx, async (aws) => {
      const { planned } = await planDeploy(aws, ctx);
      for (const w of planned.warnings) ctx.log.warn(w);
      for (const r of planned.refusals) ctx.log.warn(`a deploy would be refused: ${r.message} (${r.hint})`);
      return planned.plan;
    }),
  apply: (ctx) => withSession(ctx, (aws) => deploy(aws, ctx)),
  destroy: (ctx) => withSession(ctx, (aws) => destroy(aws, ctx)),
  start: (ctx, req) => withSession(ctx, (aws) => start(aws, ctx, req)),
  resume: (ctx, req) => withSession(ctx, (aws) => resume(aws, ctx, req)),
  run: (ctx, name) => withSession(ctx, (aws) => run(aws, ctx, name)),
  backfillName: (ctx, tick) => backfillName(ctx.compiled.env.name, tick),
  scheduledRuns: (ctx, from, to) => withSession(ctx, (aws) => scheduledRuns(aws, ctx, from, to)),
  runs: (ctx, opts) => withSession(ctx, (aws) => runs(aws, ctx, opts)),
  versions: (ctx) => withSession(ctx, (aws) => versions(aws, ctx.compiled)),
  promote: (ctx, from) => withSession(ctx, (aws) => promote(aws, ctx, from)),
  rollback: (ctx, to) => withSession(ctx, (aws) => rollback(aws, ctx, to)),
  label,
};
