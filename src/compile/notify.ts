import type { EnvConfig, NotifyLists } from "../config/types.ts";

/** The notification lists for one flow: the flow's own entry replaces the environment's, list by list. */
export function notifyFor(env: EnvConfig, flow: string): NotifyLists {
  const n = env.notify;
  if (!n) return { onFailure: [], onSuccess: [] };
  const own = n.flows[flow] ?? {};
  return { onFailure: own.onFailure ?? n.onFailure, onSuccess: own.onSuccess ?? n.onSuccess };
}

export const hasNotify = (l: NotifyLists) => l.onFailure.length + l.onSuccess.length > 0;
