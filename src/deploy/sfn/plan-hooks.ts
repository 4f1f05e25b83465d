import { createHash } from "node:crypto";
import { API_DESTINATION_REF, hookDescription } from "../../contract/notice.ts";
import { diffValues } from "../diff.ts";
import type { DesiredApiDestination, DesiredRule, DesiredSfn } from "./desired.ts";
import { additions, type PlanParts } from "./ops.ts";
import { notFlowc } from "./refusals.ts";
import type { LiveSfn } from "./live.ts";

/**
 * Webhook API destinations and their connections take no tags, so flowc marks them in their
 * Description: this flow's notifications in this environment. A destination or connection of the
 * bundle's name without that description is someone else's, and is never touched.
 */
export const hookOwned = (description: string, d: { flow: string; env: string }) => description === hookDescription(d.flow, d.env);

/** A webhook URL's path is usually its token: plans and logs show the host and a hash of the rest. */
export const maskedEndpoint = (url: string) => `${/^https?:\/\/[^/]+/.exec(url)?.[0] ?? ""}/… (sha256 ${createHash("sha256").update(url).digest("hex").slice(0, 8)})`;

const view = (a: { endpoint: string; rateLimit: number }) => ({ InvocationEndpoint: maskedEndpoint(a.endpoint), HttpMethod: "POST", InvocationRateLimitPerSecond: a.rateLimit });

/**
 * Before the rules (a target must name a destination that exists): each webhook gets its connection
 * and its API destination, created or updated in place. Those of this flow and environment that the
 * bundle no longer has go with the removals, after the rules that named them (planHookRemovals).
 */
export function planHooks(d: DesiredSfn, live: LiveSfn, out: PlanParts): void {
  const destinations = live.apiDestinations ?? [];
  const connections = live.connections ?? [];
  const created = d.apiDestinations.filter((h) => !destinations.some((x) => x.name === h.name));
  if (created.length)
    out.warnings.push(`notification webhooks are called with the events role ${d.sfn.eventsRoleArn ?? "(sfn.eventsRoleArn)"}: it needs the eventsRolePolicy statement of ${d.flow}.notify.json; flowc does not change that role`);
  for (const h of d.apiDestinations) {
    const la = destinations.find((x) => x.name === h.name);
    const lc = connections.find((x) => x.name === h.name);
    for (const [what, l] of [["API destination", la], ["connection", lc]] as const)
      if (l && !hookOwned(l.description, d)) out.refusals.push(notFlowc(`${what} ${h.name}`));
    if (!lc) {
      out.actions.push({ op: "create", kind: "connection", name: h.name, changes: [] });
      out.ops.push({ kind: "createConnection", hook: h });
    }
    if (!la || !lc) {
      // A destination is bound to its connection: a lost connection means a new destination too.
      out.actions.push({ op: la ? "update" : "create", kind: "api-destination", name: h.name, changes: additions(view(h)) });
      out.ops.push({ kind: "putApiDestination", hook: h, create: !la });
      continue;
    }
    const changed = la.endpoint !== h.endpoint || la.rateLimit !== h.rateLimit || la.connectionArn !== lc.arn;
    out.actions.push({ op: changed ? "update" : "noop", kind: "api-destination", name: h.name, changes: changed ? diffValues(view(la), view(h)) : [] });
    if (changed) out.ops.push({ kind: "putApiDestination", hook: h, create: false });
  }
}

/** After the rules' removals: nothing names them any more. */
export function planHookRemovals(d: DesiredSfn, live: LiveSfn, out: PlanParts): void {
  const destinations = live.apiDestinations ?? [];
  const connections = live.connections ?? [];
  const wanted = new Set(d.apiDestinations.map((h) => h.name));
  for (const la of destinations) {
    if (wanted.has(la.name) || !hookOwned(la.description, d)) continue;
    out.removals.actions.push({ op: "delete", kind: "api-destination", name: la.name, reason: "webhook removed from the notifications", changes: [] });
    out.removals.ops.push({ kind: "deleteApiDestination", name: la.name });
  }
  for (const lc of connections) {
    if (wanted.has(lc.name) || !hookOwned(lc.description, d)) continue;
    out.removals.actions.push({ op: "delete", kind: "connection", name: lc.name, reason: "webhook removed from the notifications", changes: [] });
    out.removals.ops.push({ kind: "deleteConnection", name: lc.name });
  }
}

/** A rule's targets with each `{api-destination:NAME}` replaced by its ARN, where one is known. */
export function resolveTargets(rule: DesiredRule, arns: ReadonlyMap<string, string>): DesiredRule {
  if (!rule.targets.some((t) => typeof t.Arn === "string" && API_DESTINATION_REF.test(t.Arn))) return rule;
  return {
    ...rule,
    targets: rule.targets.map((t) => {
      const name = typeof t.Arn === "string" ? API_DESTINATION_REF.exec(t.Arn)?.[1] : undefined;
      const arn = name ? arns.get(name) : undefined;
      return arn ? { ...t, Arn: arn } : t;
    }),
  };
}

export type { DesiredApiDestination };
