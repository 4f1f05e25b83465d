import type { NotifyTarget } from "../../config/types.ts";
import { apiDestinationRef, FAILURE_STATUSES, hookDescription, noticeText, webhookBody } from "../../contract/notice.ts";
import { consoleBase } from "../../names/sfn-links.ts";
import { toCompactJson } from "../../render/serialize.ts";
import { hasNotify, notifyFor } from "../notify.ts";
import { mergeUnder, template } from "../templates.ts";
import type { CompileProblem } from "../types.ts";
import type { SfnContext } from "./context.ts";
import { checkEventInput } from "./limits.ts";

/** A webhook's EventBridge API destination, with the connection of the same name that it needs. */
export interface ApiDestinationDoc {
  Name: string;
  Description: string;
  InvocationEndpoint: string;
  HttpMethod: "POST";
  InvocationRateLimitPerSecond: number;
}

/** The values of the "Execution Status Change" event a notice is built from (docs/operating.md, "Notifications"). */
const PATHS = { run: "$.detail.name", status: "$.detail.status", error: "$.detail.error", cause: "$.detail.cause", execution: "$.detail.executionArn" };

/**
 * Step Functions' side of notifications (`<flow>.notify.json`): an EventBridge rule per outcome on the
 * flow's own "Execution Status Change" events, in this environment only (the alias the run was started
 * through, as for afterFlow), whose targets are SNS topics and webhooks (API destinations). Each
 * target's InputTransformer writes the notice `flowc notify` writes on Argo (src/contract/notice.ts):
 * the same words, with EventBridge filling in the run, status, error and cause. No controller, no
 * function of ours: EventBridge delivers it.
 */
export function notifyDocument(ctx: SfnContext, source: string | undefined): { doc?: Record<string, unknown>; problems: CompileProblem[] } {
  const lists = notifyFor(ctx.env, ctx.ir.name);
  if (!hasNotify(lists)) return { problems: [] };
  const problems: CompileProblem[] = [];
  const destinations = new Map<string, ApiDestinationDoc>();
  const needsRole = [...lists.onFailure, ...lists.onSuccess].some((t) => t.kind === "webhook" && "url" in t);
  if (needsRole && !ctx.sfn.eventsRoleArn)
    problems.push({
      code: "CONFIG_INVALID",
      message: `environment \`${ctx.env.name}\` notifies webhooks, but sets no \`sfn.eventsRoleArn\``,
      hint: "add the role EventBridge assumes to call API destinations (it needs events:InvokeApiDestination) to flowc.config.yaml",
      path: [],
    });
  const rules = (["failure", "success"] as const).flatMap((outcome) => {
    const targets = (outcome === "failure" ? lists.onFailure : lists.onSuccess).flatMap((t, i) => target(ctx, t, i, outcome === "failure", source, destinations, problems));
    if (targets.length === 0) return [];
    const generated = {
      Name: ctx.names.rule(`notify-${outcome}`),
      Description: `flowc: tells of ${ctx.ir.name} (${ctx.env.name}) runs that ${outcome === "failure" ? "fail, time out or are aborted" : "succeed"}`,
      EventPattern: {
        source: ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        detail: {
          status: outcome === "failure" ? [...FAILURE_STATUSES.sfn] : ["SUCCEEDED"],
          stateMachineArn: [ctx.arns.machine(ctx.names.stateMachine)],
          stateMachineAliasArn: [ctx.arns.alias(ctx.names.stateMachine, ctx.names.alias)],
        },
      },
      Targets: targets,
    };
    return [mergeUnder(template(ctx.env.templates, "sfn/rule.json"), generated)];
  });
  if (rules.length === 0) return { problems };
  if (!destinations.size) return { doc: { rules }, problems };
  // For review, as for secrets: what sfn.eventsRoleArn needs to call these destinations (flowc leaves that role alone).
  const eventsRolePolicy = {
    Version: "2012-10-17",
    Statement: [{ Sid: "InvokeNotificationWebhooks", Effect: "Allow", Action: ["events:InvokeApiDestination"], Resource: [...destinations.keys()].map((n) => `${ctx.arns.apiDestination(n)}/*`) }],
  };
  return { doc: { rules, apiDestinations: [...destinations.values()], eventsRolePolicy }, problems };
}

function target(ctx: SfnContext, t: NotifyTarget, i: number, failure: boolean, source: string | undefined, destinations: Map<string, ApiDestinationDoc>, problems: CompileProblem[]): Record<string, unknown>[] {
  const text = noticeText({
    flow: ctx.ir.name,
    env: ctx.env.name,
    run: "<run>",
    status: "<status>",
    ...(failure ? { error: "<error>", cause: "<cause>" } : {}),
    link: `${consoleBase(ctx.sfn)}/states/home?region=${ctx.sfn.region}#/v2/executions/details/<execution>`,
    ...(source ? { file: source } : {}),
    failure,
  });
  const transformer = (template: string) => ({ InputTransformer: { InputPathsMap: failure ? PATHS : { run: PATHS.run, status: PATHS.status, execution: PATHS.execution }, InputTemplate: template } });
  if (t.kind === "sns") {
    // A quoted template is a JSON string: SNS publishes its text as the message.
    const input = transformer(JSON.stringify(text));
    problems.push(...checkEventInput(`the notification to ${t.topicArn}`, input.InputTransformer.InputTemplate, []));
    return [{ Id: `sns-${i + 1}`, Arn: t.topicArn, ...input }];
  }
  if (!("url" in t)) {
    problems.push({
      code: "TARGET_UNSUPPORTED",
      severity: "warning",
      message: `environment \`${ctx.env.name}\` notifies a webhook whose URL is in Kubernetes secret ${t.secret.name}/${t.secret.key}, which Step Functions cannot read: it is left out`,
      hint: "give Step Functions environments the webhook's URL (notify: { onFailure: [{ webhook: https://... }] }) or an SNS topic",
      path: [],
    });
    return [];
  }
  const name = ctx.names.hook(t.url);
  destinations.set(name, { Name: name, Description: hookDescription(ctx.ir.name, ctx.env.name), InvocationEndpoint: t.url, HttpMethod: "POST", InvocationRateLimitPerSecond: 1 });
  const input = transformer(toCompactJson(webhookBody(text)));
  problems.push(...checkEventInput(`the notification to ${t.url}`, input.InputTransformer.InputTemplate, []));
  return [{ Id: `hook-${i + 1}`, Arn: apiDestinationRef(name), RoleArn: ctx.sfn.eventsRoleArn ?? "", ...input }];
}
