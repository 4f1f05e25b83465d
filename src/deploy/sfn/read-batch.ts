import type { AwsSession } from "../../aws/clients.ts";
import { sortedKeys } from "./canonical.ts";
import type { Tags } from "./tags.ts";

/**
 * Reads of AWS Batch job definitions: the configured one a per-image definition is copied from, and
 * the per-image ones flowc registers (`imageDefinitionName(base, image)` in src/names/sfn.ts).
 */
type Json = Record<string, unknown>;

/** The fields of a job definition RegisterJobDefinition takes (besides its name and tags). */
export const REGISTERED_FIELDS = [
  "type",
  "parameters",
  "schedulingPriority",
  "containerProperties",
  "nodeProperties",
  "retryStrategy",
  "propagateTags",
  "timeout",
  "platformCapabilities",
  "eksProperties",
  "ecsProperties",
  "consumableResourceProperties",
] as const;

export interface LiveJobDefinition {
  name: string;
  /** The latest ACTIVE revision. */
  arn: string;
  revision: number;
  /** The REGISTERED_FIELDS of that revision, as AWS returned them. */
  body: Json;
  tags: Tags;
  /** Every ACTIVE revision (deregistering the definition deregisters them all). */
  activeArns: string[];
}

/** The latest ACTIVE revision of a job definition (a name, or an ARN), or undefined when it has none. */
export async function readJobDefinition(aws: AwsSession, nameOrArn: string): Promise<LiveJobDefinition | undefined> {
  const { c, m } = await aws.batch();
  const found: Json[] = [];
  let nextToken: string | undefined;
  do {
    const page = await c.send(
      new m.DescribeJobDefinitionsCommand({
        ...(nameOrArn.startsWith("arn:") ? { jobDefinitions: [nameOrArn] } : { jobDefinitionName: nameOrArn }),
        status: "ACTIVE",
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    found.push(...((page.jobDefinitions ?? []) as unknown as Json[]));
    nextToken = page.nextToken;
  } while (nextToken);
  // Some implementations ignore the status filter: filter again.
  const active = found.filter((j) => (j.status ?? "ACTIVE") === "ACTIVE").sort((a, b) => Number(b.revision ?? 0) - Number(a.revision ?? 0));
  const latest = active[0];
  if (!latest) return undefined;
  const body: Json = {};
  for (const k of REGISTERED_FIELDS) if (latest[k] !== undefined && latest[k] !== null) body[k] = latest[k];
  return {
    name: String(latest.jobDefinitionName),
    arn: String(latest.jobDefinitionArn),
    revision: Number(latest.revision ?? 0),
    body,
    tags: { ...((latest.tags ?? {}) as Tags) },
    activeArns: active.map((j) => String(j.jobDefinitionArn)),
  };
}

/**
 * A job definition's body for comparison: AWS (and moto) fill in defaults as empty lists and maps
 * (`command: []`, `volumes: []`, `parameters: {}`) and drop environment variables with empty values,
 * so empty and missing are the same, and key order does not count.
 */
export function jobDefinitionView(body: Json): Json {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === "object") {
      const out: Json = {};
      for (const [k, x] of Object.entries(v as Json)) {
        const s = strip(x);
        if (s === undefined || s === null) continue;
        if (Array.isArray(s) && s.length === 0) continue;
        if (s && typeof s === "object" && !Array.isArray(s) && Object.keys(s).length === 0) continue;
        if (k === "environment" && Array.isArray(s)) {
          const kept = (s as Json[]).filter((e) => e.value !== "");
          if (kept.length) out[k] = kept;
          continue;
        }
        out[k] = s;
      }
      return out;
    }
    return v;
  };
  return sortedKeys(strip(body)) as Json;
}

/** The job definitions a state machine definition names (`Parameters.JobDefinition` of its Tasks, nested ones included). */
export function referencedJobDefinitions(definition: unknown): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v as Json)) {
        if (k === "JobDefinition" && typeof x === "string") out.add(x);
        else visit(x);
      }
    }
  };
  visit(definition);
  return out;
}
