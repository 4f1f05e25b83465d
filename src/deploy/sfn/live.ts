import type { AwsSession } from "../../aws/clients.ts";
import { sameJson } from "./canonical.ts";
import type { DesiredSfn } from "./desired.ts";
import { objectExists, readPolicy } from "./read-other.ts";
import { readJobDefinition, referencedJobDefinitions, type LiveJobDefinition } from "./read-batch.ts";
import { listAliases, listVersions, readAlias, readMachine, readVersion } from "./read-machine.ts";
import { readRules, readSchedules, scheduleGroupExists } from "./read-triggers.ts";
import type { Tags } from "./tags.ts";

export { listAliases, listVersions, readAlias, readMachine, readVersion } from "./read-machine.ts";
export { readPolicy } from "./read-other.ts";
export { versionNumber } from "./read-util.ts";

/**
 * What AWS holds now, read with describe/list/get calls only. AWS is the only state: flowc keeps no
 * file of its own, so every command starts here.
 */
export interface LiveVersion {
  arn: string;
  number: number;
  definition: unknown;
  roleArn: string;
  description?: string;
  createdAt?: string;
}

export interface LiveMachine {
  arn: string;
  definition: unknown;
  roleArn: string;
  type?: string;
  logging?: unknown;
  tracing: boolean;
  tags: Tags;
}

export interface LiveAlias {
  arn: string;
  name: string;
  versionArn?: string;
  version?: number;
  description?: string;
}

export interface LiveSchedule {
  name: string;
  group: string;
  /** GetSchedule's answer, trimmed to the fields CreateSchedule takes. */
  input: Record<string, unknown>;
}

export interface LiveRule {
  name: string;
  arn: string;
  bus: string;
  description: string;
  eventPattern: unknown;
  state: string;
  tags: Tags;
  targets: Record<string, unknown>[];
}

export interface LiveSfn {
  machine?: LiveMachine;
  alias?: LiveAlias;
  /** The version the alias routes to. */
  aliasVersion?: LiveVersion;
  /** The newest published version (read only when the alias's version does not already match). */
  latestVersion?: LiveVersion;
  /** Schedules named like this flow's, in any group. */
  schedules: LiveSchedule[];
  scheduleGroupMissing?: boolean;
  /** Rules named like this flow's or targeting its alias, flowc's or not (ownership decides). */
  rules: LiveRule[];
  /** undefined: none; "unreadable": the credentials may not read IAM (the policy is then left alone). */
  policy?: { document: unknown } | "unreadable";
  /** Datastore keys that exist already. */
  objects: Record<string, boolean>;
  /** Per-image Batch job definitions (read only when the bundle has some, or the running version had some). */
  jobDefinitions?: LiveJobDefinitions;
}

export interface LiveJobDefinitions {
  /** The configured definition's latest ACTIVE revision (undefined: none). */
  base?: LiveJobDefinition;
  /** Each per-image definition the bundle wants → its latest ACTIVE revision, or undefined. */
  wanted: Record<string, LiveJobDefinition | undefined>;
  /** Per-image definitions the version the environment runs names and the bundle no longer does (still ACTIVE). */
  stale: LiveJobDefinition[];
  /** Of those, the names another environment's alias of the same machine still runs. */
  usedElsewhere: string[];
}


export interface ReadOptions {
  /** Compare against what the alias runs and the newest version (deploy); off for delete. */
  versions?: boolean;
}

/** Everything a deploy plan compares, with as few calls as the desired state allows. */
export async function readLive(aws: AwsSession, desired: DesiredSfn, opts: ReadOptions = { versions: true }): Promise<LiveSfn> {
  // Independent resources are read at once: against AWS each call is a round trip, and a no-op
  // deploy is nothing but reads.
  const objectsP = Promise.all(desired.objects.map(async (o) => [`${o.bucket}/${o.key}`, await objectExists(aws, o.bucket, o.key)] as const));
  const policyP = desired.policy ? readPolicy(aws, desired.policy.roleName, desired.policy.name) : Promise.resolve(undefined);
  const schedulesP = readSchedules(aws, desired.scheduleName);
  const groupP = desired.schedule ? scheduleGroupExists(aws, desired.schedule.group) : Promise.resolve(true);
  const rulesP = readRules(aws, desired);
  const machineP = (async () => {
    const machine = await readMachine(aws, desired.machine.arn);
    const alias = machine ? await readAlias(aws, desired.alias.arn) : undefined;
    let aliasVersion: LiveVersion | undefined;
    let latestVersion: LiveVersion | undefined;
    if (machine && opts.versions) {
      if (alias?.versionArn) aliasVersion = await readVersion(aws, alias.versionArn);
      if (!aliasVersion || !sameVersion(aliasVersion, desired.machine)) {
        const [newest] = await listVersions(aws, machine.arn, 1);
        if (newest) latestVersion = newest.arn === aliasVersion?.arn ? aliasVersion : await readVersion(aws, newest.arn);
      }
    }
    return { machine, alias, aliasVersion, latestVersion };
  })();
  const jobDefsP = opts.versions !== false ? readJobDefinitions(aws, desired, machineP) : Promise.resolve(undefined);
  const [objects, policy, schedules, groupExists, rules, { machine, alias, aliasVersion, latestVersion }, jobDefinitions] = await Promise.all([objectsP, policyP, schedulesP, groupP, rulesP, machineP, jobDefsP]);
  return {
    ...(machine ? { machine } : {}),
    ...(alias ? { alias } : {}),
    ...(aliasVersion ? { aliasVersion } : {}),
    ...(latestVersion ? { latestVersion } : {}),
    schedules,
    ...(!groupExists ? { scheduleGroupMissing: true } : {}),
    rules,
    ...(policy ? { policy } : {}),
    objects: Object.fromEntries(objects),
    ...(jobDefinitions ? { jobDefinitions } : {}),
  };
}

/**
 * Named like a per-image definition (`flowc-job-train-2-1a2b3c4d`, src/names/sfn.ts), and not the base
 * itself. Only a name check: what may be deregistered is decided by the definition's tags.
 */
export function isImageDefinitionOf(base: string, name: string): boolean {
  const baseName = base.startsWith("arn:") ? base.slice(base.lastIndexOf("/") + 1).replace(/:\d+$/, "") : base;
  return name !== baseName && name !== base && !name.startsWith("arn:") && /-[0-9a-f]{8}$/.test(name);
}

/**
 * The base definition and the per-image ones: those the bundle wants, and those the environment's
 * running version names that the bundle no longer has (to deregister once the alias has moved).
 * Nothing is read for a flow that has none and never had any.
 */
async function readJobDefinitions(aws: AwsSession, desired: DesiredSfn, machineP: Promise<{ machine?: LiveMachine; aliasVersion?: LiveVersion }>): Promise<LiveJobDefinitions | undefined> {
  const jd = desired.jobDefinitions;
  if (!jd) return undefined;
  const names = Object.keys(desired.imageDefinitions);
  const baseP = names.length ? readJobDefinition(aws, jd.base) : Promise.resolve(undefined);
  const wantedP = Promise.all(names.map(async (n) => [n, await readJobDefinition(aws, n)] as const));
  const { machine, aliasVersion } = await machineP;
  const candidates = [...referencedJobDefinitions(aliasVersion?.definition)].filter((n) => !(n in desired.imageDefinitions) && isImageDefinitionOf(jd.base, n));
  const staleP = Promise.all(candidates.map((n) => readJobDefinition(aws, n)));
  const elsewhereP = (async () => {
    if (!candidates.length || !machine) return [];
    const used = new Set<string>();
    for (const a of await listAliases(aws, machine.arn)) {
      if (a.name === desired.alias.name || !a.versionArn) continue;
      const v = await readVersion(aws, a.versionArn);
      for (const n of referencedJobDefinitions(v?.definition)) used.add(n);
    }
    return candidates.filter((n) => used.has(n));
  })();
  const [base, wanted, stale, usedElsewhere] = await Promise.all([baseP, wantedP, staleP, elsewhereP]);
  if (!names.length && !candidates.length) return undefined;
  return {
    ...(base ? { base } : {}),
    wanted: Object.fromEntries(wanted),
    stale: stale.filter((x): x is LiveJobDefinition => !!x),
    usedElsewhere,
  };
}

/** A version runs the desired build when its definition and role are the desired ones. */
export function sameVersion(v: Pick<LiveVersion, "definition" | "roleArn">, want: { definition: unknown; roleArn: string }): boolean {
  return v.roleArn === want.roleArn && sameJson(v.definition, want.definition);
}
