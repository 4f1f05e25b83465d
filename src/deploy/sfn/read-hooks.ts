import type { AwsSession } from "../../aws/clients.ts";
import type { DesiredSfn } from "./desired.ts";
import { orUndefined } from "./read-util.ts";

/** A webhook's API destination as EventBridge holds it (its connection is read beside it). */
export interface LiveApiDestination {
  name: string;
  arn: string;
  description: string;
  endpoint: string;
  rateLimit: number;
  connectionArn?: string;
}

export interface LiveConnection {
  name: string;
  arn: string;
  description: string;
}

/**
 * The API destinations and connections this flow and environment may own: those the bundle names,
 * and those under the flow's hook prefix (to find webhooks it no longer has). API destinations and
 * connections take no tags, so their Description carries flowc's marker (see plan-hooks.ts).
 */
export async function readHooks(aws: AwsSession, desired: DesiredSfn): Promise<{ apiDestinations: LiveApiDestination[]; connections: LiveConnection[] }> {
  const wanted = desired.apiDestinations.map((a) => a.name);
  if (!wanted.length && !desired.hookPrefix) return { apiDestinations: [], connections: [] };
  const { c, m } = await aws.events();
  const listed = async (list: (token?: string) => Promise<{ names: string[]; next?: string }>) => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await list(token);
      out.push(...page.names);
      token = page.next;
    } while (token);
    return out;
  };
  const prefix = desired.hookPrefix;
  const [destinationNames, connectionNames] = prefix
    ? await Promise.all([
        listed(async (NextToken) => {
          const p = await c.send(new m.ListApiDestinationsCommand({ NamePrefix: prefix, NextToken }));
          return { names: (p.ApiDestinations ?? []).map((a) => a.Name!), ...(p.NextToken ? { next: p.NextToken } : {}) };
        }),
        listed(async (NextToken) => {
          const p = await c.send(new m.ListConnectionsCommand({ NamePrefix: prefix, NextToken }));
          return { names: (p.Connections ?? []).map((a) => a.Name!), ...(p.NextToken ? { next: p.NextToken } : {}) };
        }),
      ])
    : [[], []];
  const names = (found: string[]) => [...new Set([...wanted, ...found])].sort();
  const [apiDestinations, connections] = await Promise.all([
    Promise.all(
      names(destinationNames).map(async (Name) => {
        const a = await orUndefined(c.send(new m.DescribeApiDestinationCommand({ Name })));
        return a?.ApiDestinationArn
          ? [{ name: Name, arn: a.ApiDestinationArn, description: a.Description ?? "", endpoint: a.InvocationEndpoint ?? "", rateLimit: a.InvocationRateLimitPerSecond ?? 0, ...(a.ConnectionArn ? { connectionArn: a.ConnectionArn } : {}) }]
          : [];
      }),
    ),
    Promise.all(
      names(connectionNames).map(async (Name) => {
        const x = await orUndefined(c.send(new m.DescribeConnectionCommand({ Name })));
        return x?.ConnectionArn ? [{ name: Name, arn: x.ConnectionArn, description: x.Description ?? "" }] : [];
      }),
    ),
  ]);
  return { apiDestinations: apiDestinations.flat(), connections: connections.flat() };
}
