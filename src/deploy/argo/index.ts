import type { DeployContext, DeployTarget } from "../target.ts";
import { connect, type ArgoDeps, type Connection } from "./connect.ts";
import { userError } from "./errors.ts";
import { label } from "./label.ts";
import { planLive, reconcile, writesObject } from "./reconcile.ts";
import { checkArgoVersion } from "./version.ts";
import { resumeRun } from "./resume.ts";
import { listRuns } from "./runs.ts";
import { backfillName, submit, workflowRun } from "./trigger.ts";

/**
 * Deploying to Argo Workflows through the Kubernetes API, with no controller of flowc's own:
 * server-side apply as field manager `flowc`, ownership in labels, deletes guarded by labels and
 * resourceVersions. docs/deploy-argo.md explains it for users.
 *
 * This module (and @kubernetes/client-node with it) is imported only when a command targets argo.
 */
export function createArgoTarget(deps: ArgoDeps = {}): DeployTarget {
  const run = async <T>(ctx: DeployContext, fn: (conn: Connection) => Promise<T>): Promise<T> => {
    try {
      return await fn(connect(ctx, deps));
    } catch (e) {
      throw userError(e);
    }
  };
  return {
    name: "argo",
    plan: (ctx) =>
      run(ctx, async (conn) => {
        const p = await planLive(ctx, conn);
        // diff reads only: a refusal is what a deploy would meet, so it is said, not thrown.
        for (const r of p.refusals) ctx.log.warn(`a deploy would be refused: ${r.kind} ${r.name}: ${r.message} (${r.hint})`);
        if (p.steps.some(writesObject)) await checkArgoVersion(ctx, conn, false);
        return p.plan;
      }),
    apply: (ctx) => run(ctx, (conn) => reconcile(ctx, conn, "deploy")),
    destroy: (ctx) => run(ctx, (conn) => reconcile(ctx, conn, "destroy")),
    start: (ctx, req) => run(ctx, (conn) => submit(ctx, conn, req)),
    resume: (ctx, req) => run(ctx, (conn) => resumeRun(ctx, conn, req)),
    run: (ctx, name) => run(ctx, (conn) => workflowRun(ctx, conn, name)),
    backfillName,
    runs: (ctx, { limit }) => run(ctx, (conn) => listRuns(ctx, conn, limit)),
    label,
  };
}

export const argoTarget: DeployTarget = createArgoTarget();
