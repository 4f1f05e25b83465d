// Notifications compiled for both targets (docs/operating.md, "Notifications"): on Step Functions an
// EventBridge rule per outcome on the flow's own status-change events, whose targets (SNS, webhook API
// destinations) get the notice through an InputTransformer; on Argo an exit handler that runs
// `flowc notify`. The words are one function's (src/contract/notice.ts) on both.
import { describe, expect, it } from "vitest";
import type { EnvConfig, NotifyConfig } from "../../src/config/types.ts";
import { noticeText } from "../../src/contract/notice.ts";
import { transformInput, type DeliveredEvent } from "../e2e/events.ts";
import { byKind, compileYaml, testEnv as argoEnv } from "./argo/helpers.ts";
import { compileText, file, testEnv as sfnEnv } from "./sfn/helpers.ts";
import { validateAsl } from "./sfn/validate-asl.ts";

const FLOW = `apiVersion: flowc/v1
name: nightly
steps:
  start: { command: [a], next: end }
  end: { command: [b] }
`;
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:data-alerts";
const HOOK = "https://hooks.example.com/services/T000/B000/XXXX";

function notify(n: Partial<NotifyConfig>): NotifyConfig {
  return { onFailure: [], onSuccess: [], flows: {}, ...n };
}
const withNotify = (env: EnvConfig, n: NotifyConfig): EnvConfig => ({ ...env, notify: n });

/** A Step Functions "Execution Status Change" event of `machine` run through `alias`, as EventBridge delivers it. */
function statusEvent(status: string, alias: string, extra: Record<string, unknown> = {}): DeliveredEvent {
  const machine = alias.replace(/:[^:]+$/, "");
  return {
    version: "0",
    id: "e1",
    "detail-type": "Step Functions Execution Status Change",
    source: "aws.states",
    account: "123456789012",
    time: "2026-12-05T03:00:00Z",
    region: "eu-west-1",
    resources: [`${machine.replace(":stateMachine:", ":execution:")}:r-1`],
    detail: { executionArn: `${machine.replace(":stateMachine:", ":execution:")}:r-1`, stateMachineArn: machine, stateMachineAliasArn: alias, name: "r-1", status, error: null, cause: null, ...extra },
  };
}

describe("GIVEN an environment that notifies an SNS topic and a webhook of failures, and the topic of successes", () => {
  const env = withNotify(sfnEnv(), notify({ onFailure: [{ kind: "sns", topicArn: TOPIC }, { kind: "webhook", url: HOOK }], onSuccess: [{ kind: "sns", topicArn: TOPIC }] }));
  const r = compileText(FLOW, env);
  const doc = JSON.parse(file(r, ".notify.json")?.content ?? "{}");
  const alias = `arn:aws:states:eu-west-1:123456789012:stateMachine:nightly:${env.name}`;

  it("WHEN compiled for sfn THEN the bundle has nightly.notify.json: a rule per outcome on this flow's runs in this environment", () => {
    expect(r.problems).toEqual([]);
    expect(validateAsl(JSON.parse(file(r, ".asl.json")!.content))).toMatchObject({ isValid: true });
    expect(doc.rules.map((x: { Name: string }) => x.Name)).toEqual([`nightly-${env.name}-notify-failure`, `nightly-${env.name}-notify-success`]);
    expect(doc.rules[0].EventPattern).toEqual({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { status: ["FAILED", "TIMED_OUT", "ABORTED"], stateMachineArn: ["arn:aws:states:eu-west-1:123456789012:stateMachine:nightly"], stateMachineAliasArn: [alias] },
    });
    expect(doc.rules[1].EventPattern.detail.status).toEqual(["SUCCEEDED"]);
    expect(r.manifest.resources["nightly.notify.json"]).toEqual({
      [`nightly-${env.name}-notify-failure`]: "rule",
      [`nightly-${env.name}-notify-success`]: "rule",
      [doc.apiDestinations[0].Name]: "apiDestination",
    });
  });

  it("THEN the webhook is an API destination named by the URL's hash, which the target names until deploy knows its ARN", () => {
    expect(doc.apiDestinations).toEqual([{ Name: expect.stringMatching(new RegExp(`^nightly-${env.name}-hook-[0-9a-f]{8}$`)), Description: `flowc: notifications of nightly (${env.name})`, InvocationEndpoint: HOOK, HttpMethod: "POST", InvocationRateLimitPerSecond: 1 }]);
    const hook = doc.rules[0].Targets[1];
    expect(hook).toMatchObject({ Id: "hook-2", Arn: `{api-destination:${doc.apiDestinations[0].Name}}`, RoleArn: env.sfn!.eventsRoleArn });
    expect(doc.rules[0].Targets[0]).toMatchObject({ Id: "sns-1", Arn: TOPIC });
    expect(doc.rules[0].Targets[0].RoleArn).toBeUndefined();
    // What the events role needs, for review (flowc leaves that role alone).
    expect(doc.eventsRolePolicy.Statement).toEqual([
      { Sid: "InvokeNotificationWebhooks", Effect: "Allow", Action: ["events:InvokeApiDestination"], Resource: [`arn:aws:events:eu-west-1:123456789012:api-destination/${doc.apiDestinations[0].Name}/*`] },
    ]);
  });

  it("WHEN a run fails THEN the topic gets the notice flowc notify writes on Argo, filled from the event, and the webhook the same text as Slack JSON", () => {
    const cause = 'Job "nightly-end" failed: {"exit": 1}\nTraceback';
    const event = statusEvent("FAILED", alias, { error: "States.TaskFailed", cause });
    const expected = noticeText({
      flow: "nightly",
      env: env.name,
      run: "r-1",
      status: "FAILED",
      error: "States.TaskFailed",
      cause,
      link: `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/${event.detail.executionArn}`,
      failure: true,
    });
    const [sns, hook] = doc.rules[0].Targets;
    expect(JSON.parse(transformInput(event, sns.InputTransformer))).toBe(expected);
    expect(JSON.parse(transformInput(event, hook.InputTransformer))).toEqual({ text: expected });
    expect(expected).toContain(`resume: flowc resume <nightly's flow file> r-1 --env ${env.name}`);
  });

  it("WHEN a run succeeds THEN the notice has no error, cause or resume command", () => {
    const text = JSON.parse(transformInput(statusEvent("SUCCEEDED", alias), doc.rules[1].Targets[0].InputTransformer));
    const link = `https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:nightly:r-1`;
    expect(text).toBe(noticeText({ flow: "nightly", env: env.name, run: "r-1", status: "SUCCEEDED", link, failure: false }));
    expect(text).not.toMatch(/error:|cause:|resume:/);
  });

  it("THEN the same environment compiled for Argo runs flowc notify on exit with the webhook (SNS is left out with a warning)", () => {
    const a = compileYaml(FLOW, { ...argoEnv(), notify: env.notify! });
    expect(a.problems).toEqual([expect.objectContaining({ code: "TARGET_UNSUPPORTED", severity: "warning" })]);
    const wt = byKind(a, "WorkflowTemplate")!;
    expect(wt.spec.onExit).toBe("flowc-notify");
    const handler = wt.spec.templates.find((t: { name: string }) => t.name === "flowc-notify");
    expect(handler.container.command.slice(0, 2)).toEqual(["flowc", "notify"]);
    const spec = JSON.parse(handler.container.env.find((e: { name: string }) => e.name === "FLOWC_NOTIFY").value);
    expect(spec).toMatchObject({ flow: "nightly", onFailure: [{ webhook: HOOK }], onSuccess: [] });
  });
});

describe("GIVEN notification settings Step Functions cannot honour", () => {
  it("WHEN a webhook is notified without sfn.eventsRoleArn THEN it is CONFIG_INVALID and nothing is written", () => {
    const env = withNotify(sfnEnv(), notify({ onFailure: [{ kind: "webhook", url: HOOK }] }));
    delete env.sfn!.eventsRoleArn;
    const r = compileText(FLOW, env);
    expect(r.problems).toEqual([expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining("sfn.eventsRoleArn") })]);
    expect(r.files).toEqual([]);
  });

  it("WHEN a webhook's URL is in a Kubernetes secret THEN it is left out with a warning, and only the topic is told", () => {
    const env = withNotify(sfnEnv(), notify({ onFailure: [{ kind: "webhook", secret: { name: "slack", key: "url" } }, { kind: "sns", topicArn: TOPIC }] }));
    const r = compileText(FLOW, env);
    expect(r.problems).toEqual([expect.objectContaining({ code: "TARGET_UNSUPPORTED", severity: "warning" })]);
    const doc = JSON.parse(file(r, ".notify.json")!.content);
    expect(doc.rules[0].Targets.map((t: { Arn: string }) => t.Arn)).toEqual([TOPIC]);
    expect(doc.apiDestinations).toBeUndefined();
  });

  it("WHEN a flow has lists of its own THEN they replace the environment's, and an empty one means no rule", () => {
    const env = withNotify(sfnEnv(), notify({ onFailure: [{ kind: "sns", topicArn: TOPIC }], flows: { nightly: { onFailure: [] } } }));
    const r = compileText(FLOW, env);
    expect(file(r, ".notify.json")).toBeUndefined();
    expect(r.manifest.resources["nightly.notify.json"]).toBeUndefined();
  });
});
