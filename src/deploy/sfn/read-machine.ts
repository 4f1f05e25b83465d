import type { AwsSession } from "../../aws/clients.ts";
import { parseJson } from "./canonical.ts";
import type { LiveAlias, LiveMachine, LiveVersion } from "./live.ts";
import { iso, orUndefined, versionNumber } from "./read-util.ts";
import { fromTagList } from "./tags.ts";

/** Reads of a state machine, its versions and aliases (Step Functions). */
export async function readMachine(aws: AwsSession, arn: string): Promise<LiveMachine | undefined> {
  const { c, m } = await aws.sfn();
  // Both at once: a missing machine fails both, and the tags are needed whenever it exists.
  const [d, tags] = await Promise.all([
    orUndefined(c.send(new m.DescribeStateMachineCommand({ stateMachineArn: arn }))),
    orUndefined(c.send(new m.ListTagsForResourceCommand({ resourceArn: arn }))),
  ]);
  if (!d) return undefined;
  return {
    arn,
    definition: parseJson(d.definition),
    roleArn: d.roleArn ?? "",
    type: d.type,
    logging: d.loggingConfiguration,
    tracing: !!d.tracingConfiguration?.enabled,
    tags: fromTagList(tags?.tags as Record<string, string>[] | undefined),
  };
}

export async function readVersion(aws: AwsSession, arn: string): Promise<LiveVersion | undefined> {
  const { c, m } = await aws.sfn();
  const d = await orUndefined(c.send(new m.DescribeStateMachineCommand({ stateMachineArn: arn })));
  if (!d) return undefined;
  return { arn, number: versionNumber(arn) ?? 0, definition: parseJson(d.definition), roleArn: d.roleArn ?? "", description: d.description, createdAt: iso(d.creationDate) };
}

export async function readAlias(aws: AwsSession, arn: string): Promise<LiveAlias | undefined> {
  const { c, m } = await aws.sfn();
  const a = await orUndefined(c.send(new m.DescribeStateMachineAliasCommand({ stateMachineAliasArn: arn })));
  if (!a) return undefined;
  // flowc routes 100% to one version; with a weighted route, the heavier one is what "runs".
  const route = [...(a.routingConfiguration ?? [])].sort((x, y) => (y.weight ?? 0) - (x.weight ?? 0))[0];
  return { arn, name: a.name ?? "", versionArn: route?.stateMachineVersionArn, version: versionNumber(route?.stateMachineVersionArn), description: a.description };
}

/** Published versions, newest first (ARNs and dates only). */
export async function listVersions(aws: AwsSession, machineArn: string, max?: number): Promise<{ arn: string; number: number; createdAt?: string }[]> {
  const { c, m } = await aws.sfn();
  const out: { arn: string; number: number; createdAt?: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await c.send(new m.ListStateMachineVersionsCommand({ stateMachineArn: machineArn, nextToken, ...(max ? { maxResults: max } : {}) }));
    for (const v of page.stateMachineVersions ?? []) out.push({ arn: v.stateMachineVersionArn!, number: versionNumber(v.stateMachineVersionArn) ?? 0, createdAt: iso(v.creationDate) });
    nextToken = max && out.length >= max ? undefined : page.nextToken;
  } while (nextToken);
  return out.sort((a, b) => b.number - a.number);
}

export async function listAliases(aws: AwsSession, machineArn: string): Promise<LiveAlias[]> {
  const { c, m } = await aws.sfn();
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await orUndefined(c.send(new m.ListStateMachineAliasesCommand({ stateMachineArn: machineArn, nextToken })));
    for (const a of page?.stateMachineAliases ?? []) arns.push(a.stateMachineAliasArn!);
    nextToken = page?.nextToken;
  } while (nextToken);
  const out: LiveAlias[] = [];
  for (const arn of arns) {
    const a = await readAlias(aws, arn);
    if (a) out.push(a);
  }
  return out;
}

/** State machines whose name starts with `prefix` (ListStateMachines has no filter: every page is read). */
export async function listMachines(aws: AwsSession, prefix: string): Promise<{ name: string; arn: string }[]> {
  const { c, m } = await aws.sfn();
  const out: { name: string; arn: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await c.send(new m.ListStateMachinesCommand({ nextToken, maxResults: 1000 }));
    for (const x of page.stateMachines ?? []) if (x.name?.startsWith(prefix)) out.push({ name: x.name, arn: x.stateMachineArn! });
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}
