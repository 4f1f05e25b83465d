import { checkOwnership, TAG } from "../ownership.ts";
import type { DesiredSfn } from "./desired.ts";
import type { Refusal } from "./ops.ts";
import type { Tags } from "./tags.ts";

/**
 * Why a deploy may not touch a resource: not flowc's, another flow's (two flows resolving to one AWS
 * name), or another owner's (unless --authorize names that owner's token). `env` is given for
 * resources that belong to one environment (rules, schedules), not for a machine environments share.
 */
export function ownership(what: string, tags: Tags | undefined, d: DesiredSfn, opts: { authorize?: string }, env?: string): Refusal | undefined {
  if (!tags) return undefined;
  const v = checkOwnership(tags, d.owner, opts.authorize);
  if (!v.ok) return { resource: what, message: `${what}: ${v.message}`, hint: v.hint, ...(v.liveOwner ? { liveOwner: v.liveOwner } : {}) };
  if (tags[TAG.flow] !== d.flow || (env !== undefined && tags[TAG.env] !== env))
    return {
      resource: what,
      message: `${what} belongs to flow \`${tags[TAG.flow]}\`${tags[TAG.env] ? ` (${tags[TAG.env]})` : ""}, not \`${d.flow}\`${env ? ` (${env})` : ""}`,
      hint: "two flows resolve to the same AWS name: rename one, or set sfn.stateMachineName in flowc.config.yaml",
    };
  return undefined;
}

export function notFlowc(what: string): Refusal {
  return {
    resource: what,
    message: `${what} exists but was not created by flowc`,
    hint: "flowc never touches resources it did not create: delete or rename it, or rename the flow",
  };
}
