import type { AwsSession } from "../../aws/clients.ts";
import { parseJson } from "./canonical.ts";
import type { DesiredSfn } from "./desired.ts";
import type { LiveRule, LiveSchedule } from "./live.ts";
import { orUndefined } from "./read-util.ts";
import { fromTagList } from "./tags.ts";

/** Reads of what starts a flow: its schedule (EventBridge Scheduler) and its trigger rules (EventBridge). */
const SCHEDULE_FIELDS = ["Name", "GroupName", "Description", "ScheduleExpression", "ScheduleExpressionTimezone", "StartDate", "EndDate", "State", "KmsKeyArn", "FlexibleTimeWindow", "Target", "ActionAfterCompletion"];

export async function readSchedules(aws: AwsSession, name: string): Promise<LiveSchedule[]> {
  const { c, m } = await aws.scheduler();
  const found: { name: string; group: string }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.send(new m.ListSchedulesCommand({ NamePrefix: name, NextToken }));
    for (const s of page.Schedules ?? []) if (s.Name === name) found.push({ name, group: s.GroupName ?? "default" });
    NextToken = page.NextToken;
  } while (NextToken);
  const out: LiveSchedule[] = [];
  for (const f of found) {
    const s = await orUndefined(c.send(new m.GetScheduleCommand({ Name: f.name, GroupName: f.group })));
    if (!s) continue;
    const input: Record<string, unknown> = {};
    const got = s as unknown as Record<string, unknown>;
    for (const k of SCHEDULE_FIELDS) if (got[k] !== undefined) input[k] = got[k];
    out.push({ name: f.name, group: f.group, input });
  }
  return out;
}

export async function scheduleGroupExists(aws: AwsSession, group: string): Promise<boolean> {
  if (group === "default") return true;
  const { c, m } = await aws.scheduler();
  return !!(await orUndefined(c.send(new m.GetScheduleGroupCommand({ Name: group }))));
}

async function readRule(aws: AwsSession, name: string, bus: string, known?: { Arn?: string; Description?: string; EventPattern?: string; State?: string }): Promise<LiveRule | undefined> {
  const { c, m } = await aws.events();
  const r = known ?? (await orUndefined(c.send(new m.DescribeRuleCommand({ Name: name, EventBusName: bus }))));
  if (!r?.Arn) return undefined;
  const listTargets = async () => {
    const out: Record<string, unknown>[] = [];
    let NextToken: string | undefined;
    do {
      const page = await orUndefined(c.send(new m.ListTargetsByRuleCommand({ Rule: name, EventBusName: bus, NextToken })));
      out.push(...((page?.Targets ?? []) as unknown as Record<string, unknown>[]));
      NextToken = page?.NextToken;
    } while (NextToken);
    return out;
  };
  const [tags, targets] = await Promise.all([orUndefined(c.send(new m.ListTagsForResourceCommand({ ResourceARN: r.Arn }))), listTargets()]);
  return {
    name,
    arn: r.Arn,
    bus,
    description: r.Description ?? "",
    eventPattern: parseJson(r.EventPattern),
    state: r.State ?? "ENABLED",
    tags: fromTagList(tags?.Tags as unknown as Record<string, string>[], "Key", "Value"),
    targets,
  };
}

/**
 * Rules this flow and environment may own: by name prefix, by target (the alias) and by the names the
 * bundle wants. Whether flowc may touch one is decided later, from its tags.
 */
export async function readRules(aws: AwsSession, desired: DesiredSfn): Promise<LiveRule[]> {
  const { c, m } = await aws.events();
  const buses = [...new Set(["default", ...desired.rules.map((r) => r.bus)])];
  const seen = new Map<string, LiveRule>();
  const key = (name: string, bus: string) => `${bus}/${name}`;
  await Promise.all(
    buses.map(async (bus) => {
      const byPrefix = async () => {
        const out: { Name?: string; Arn?: string; Description?: string; EventPattern?: string; State?: string }[] = [];
        if (!desired.rulePrefix) return out;
        let NextToken: string | undefined;
        do {
          const page = await c.send(new m.ListRulesCommand({ NamePrefix: desired.rulePrefix, EventBusName: bus, NextToken }));
          out.push(...(page.Rules ?? []));
          NextToken = page.NextToken;
        } while (NextToken);
        return out;
      };
      const byTarget = async () => {
        const out: string[] = [];
        let NextToken: string | undefined;
        do {
          const page = await c.send(new m.ListRuleNamesByTargetCommand({ TargetArn: desired.alias.arn, EventBusName: bus, NextToken }));
          out.push(...(page.RuleNames ?? []));
          NextToken = page.NextToken;
        } while (NextToken);
        return out;
      };
      const [listed, targeting] = await Promise.all([byPrefix(), byTarget()]);
      const names = new Set([...listed.map((r) => r.Name!), ...targeting, ...desired.rules.filter((r) => r.bus === bus).map((r) => r.name)]);
      const rules = await Promise.all([...names].sort().map((name) => readRule(aws, name, bus, listed.find((r) => r.Name === name))));
      for (const rule of rules) if (rule) seen.set(key(rule.name, bus), rule);
    }),
  );
  return [...seen.values()];
}
