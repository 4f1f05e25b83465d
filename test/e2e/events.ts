// EventBridge on moto, for the trigger proofs (docs/e2e.md, "Triggers and schedules"). moto keeps rules
// but cannot deliver to a Step Functions target (PutEvents fails with NotImplementedError when such a
// rule matches), and has no TestEventPattern (NotImplemented). It does route PutEvents through rules to
// SQS queues, with its own pattern matcher. So a rule's pattern is tested by a probe: on an event bus of
// its own (the deployed rules on the default bus must not see the events), a rule with the deployed
// rule's exact EventPattern, targeting a queue; what PutEvents delivers to the queue matched. The
// target's InputTransformer is applied as AWS documents it (moto's own transformer leaves unquoted
// string values unquoted, where AWS quotes them).
import { randomBytes } from "node:crypto";
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import type { MotoClientConfig } from "../harness/moto.ts";

/** A raw AWS JSON-protocol call (SQS here: @aws-sdk/client-sqs is not a dependency). */
async function awsJson<T>(config: MotoClientConfig, service: string, target: string, body: unknown): Promise<T> {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  const res = await fetch(`${config.endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": target,
      authorization: `AWS4-HMAC-SHA256 Credential=${config.credentials.accessKeyId}/${day}/${config.region}/${service}/aws4_request, SignedHeaders=content-type;host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target}: HTTP ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

export interface BusEvent {
  source: string;
  "detail-type": string;
  detail: Record<string, unknown>;
  resources?: string[];
}

/** What EventBridge delivers: the event with the envelope the bus adds (id, time, account, region...). */
export type DeliveredEvent = BusEvent & { version: string; id: string; time: string; account: string; region: string; resources: string[] };

/**
 * Sends `events` to the default bus and returns those a rule with `pattern` matched, as delivered.
 * The probe rule and its queue are removed afterwards.
 */
export async function matchedBy(config: MotoClientConfig, pattern: string, events: BusEvent[]): Promise<DeliveredEvent[]> {
  const id = `e2e-probe-${randomBytes(4).toString("hex")}`;
  const eb = new EventBridgeClient(config);
  const { QueueUrl } = await awsJson<{ QueueUrl: string }>(config, "sqs", "AmazonSQS.CreateQueue", { QueueName: id });
  const attrs = await awsJson<{ Attributes: { QueueArn: string } }>(config, "sqs", "AmazonSQS.GetQueueAttributes", { QueueUrl, AttributeNames: ["QueueArn"] });
  try {
    await eb.send(new CreateEventBusCommand({ Name: id }));
    await eb.send(new PutRuleCommand({ Name: id, EventBusName: id, EventPattern: pattern, State: "ENABLED" }));
    await eb.send(new PutTargetsCommand({ Rule: id, EventBusName: id, Targets: [{ Id: "probe", Arn: attrs.Attributes.QueueArn }] }));
    const put = await eb.send(
      new PutEventsCommand({
        Entries: events.map((e) => ({ EventBusName: id, Source: e.source, DetailType: e["detail-type"], Detail: JSON.stringify(e.detail), Resources: e.resources ?? [] })),
      }),
    );
    if (put.FailedEntryCount) throw new Error(`PutEvents: ${JSON.stringify(put.Entries)}`);
    const got: DeliveredEvent[] = [];
    for (;;) {
      const r = await awsJson<{ Messages?: { Body: string }[] }>(config, "sqs", "AmazonSQS.ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 });
      if (!r.Messages?.length) break;
      got.push(...r.Messages.map((m) => JSON.parse(m.Body) as DeliveredEvent));
    }
    return got;
  } finally {
    await eb.send(new RemoveTargetsCommand({ Rule: id, EventBusName: id, Ids: ["probe"] })).catch(() => undefined);
    await eb.send(new DeleteRuleCommand({ Name: id, EventBusName: id })).catch(() => undefined);
    await eb.send(new DeleteEventBusCommand({ Name: id })).catch(() => undefined);
    await awsJson(config, "sqs", "AmazonSQS.DeleteQueue", { QueueUrl }).catch(() => undefined);
    eb.destroy();
  }
}

/** A JSONPath of EventBridge's InputPathsMap (`$.detail.key`, `$.resources[0]`) on an event. */
function pick(event: unknown, path: string): unknown {
  if (!path.startsWith("$")) throw new Error(`not a JSON path: ${path}`);
  let v: unknown = event;
  for (const m of path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    if (v === null || typeof v !== "object") return undefined;
    v = m[1] !== undefined ? (v as Record<string, unknown>)[m[1]] : (v as unknown[])[Number(m[2])];
  }
  return v;
}

/**
 * EventBridge's input transformer, as the AWS docs describe it: each `<name>` in the template is
 * replaced by the InputPathsMap value taken from the event. Inside a JSON string a value is inserted as
 * text; outside, as JSON (a string gets its quotes: `{"day": <day>}` → `{"day": "2026-11-29"}`). A path
 * the event lacks gives null. Returns the target's input text.
 */
export function transformInput(event: DeliveredEvent, transformer: { InputPathsMap?: Record<string, string>; InputTemplate?: string }): string {
  const values = new Map(Object.entries(transformer.InputPathsMap ?? {}).map(([k, p]) => [k, pick(event, p)]));
  values.set("aws.events.event.json", event);
  const template = transformer.InputTemplate ?? "";
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === "\\" && inString) {
      out += c + (template[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    const m = c === "<" ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (m && values.has(m[1]!)) {
      const v = values.get(m[1]!);
      out += inString ? (typeof v === "string" ? JSON.stringify(v).slice(1, -1) : JSON.stringify(v ?? null)) : JSON.stringify(v ?? null);
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

/** What EventBridge passes a target for an event: its constant `Input`, the `InputPath` part, the transformed event, or the event. */
export function targetInput(event: DeliveredEvent, target: { Input?: string; InputPath?: string; InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate?: string } }): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(pick(event, target.InputPath) ?? null);
  if (target.InputTransformer) return transformInput(event, target.InputTransformer);
  return JSON.stringify(event);
}
