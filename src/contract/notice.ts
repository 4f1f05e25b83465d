/**
 * The notification a run's end sends (docs/operating.md, "Notifications"): the same words on both
 * targets. Step Functions builds them in an EventBridge input template (the values are the template's
 * `<placeholders>`); on Argo `flowc notify` fills them in the Workflow's exit handler.
 */
export interface Notice {
  flow: string;
  env: string;
  run: string;
  status: string;
  /** The steps that failed, with what they said (Argo knows them from the Workflow's failed nodes). */
  failed?: { step: string; message: string }[];
  /** Step Functions' error and cause (a Batch task's cause names its job, `<flow>-<step>`). */
  error?: string;
  cause?: string;
  link?: string;
  /** The flow file as the repository names it, for the resume command. */
  file?: string;
  /** Whether this notice is about a failure (then it says how to resume). */
  failure: boolean;
}

export function noticeText(n: Notice): string {
  const lines = [`flowc: ${n.flow} (${n.env}) run ${n.run} ${n.status}`];
  for (const f of n.failed ?? []) lines.push(`failed step ${f.step}: ${f.message}`);
  if (n.error !== undefined) lines.push(`error: ${n.error}`);
  if (n.cause !== undefined) lines.push(`cause: ${n.cause}`);
  lines.push(`logs: flowc logs ${n.run} --env ${n.env}`);
  if (n.failure) lines.push(`resume: flowc resume ${n.file ?? `<${n.flow}'s flow file>`} ${n.run} --env ${n.env}`);
  if (n.link) lines.push(n.link);
  return lines.join("\n");
}

/** What a webhook receives: Slack's incoming-webhook JSON (Mattermost, Teams' Slack-compatible hooks and most chat tools take it). */
export const webhookBody = (text: string) => ({ text });

/** Run statuses that are failures, on both targets. */
export const FAILURE_STATUSES = { sfn: ["FAILED", "TIMED_OUT", "ABORTED"], argo: ["Failed", "Error"] } as const;

/**
 * A Step Functions notification rule's webhook target names its API destination by name until deploy
 * knows the ARN (EventBridge puts a UUID in it); compile writes the reference, deploy resolves it.
 */
export const apiDestinationRef = (name: string) => `{api-destination:${name}}`;
export const API_DESTINATION_REF = /^\{api-destination:([A-Za-z0-9._-]+)\}$/;

/** API destinations and connections take no tags: their description marks them as this flow's, in this environment. */
export const hookDescription = (flow: string, env: string) => `flowc: notifications of ${flow} (${env})`;
