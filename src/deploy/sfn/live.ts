import type { AwsSession } from "../../aws/clients.ts";
import { sameJson } from "./canonical.ts";
import type { DesiredMachine, DesiredSfn } from "./desired.ts";
import { childIntegration, familyOf, pinnedChildren, sameUnpinned, unqualified } from "./family.ts";
import { objectExists, readPolicy } from "./read-other.ts";
import { readJobDefinition, referencedJobDefinitions, type LiveJobDefinition } from "./read-batch.ts";
import { listAliases, listVersions, readAlias, readMachine, readVersion } from "./read-machine.ts";
import { readHooks, type LiveApiDestination, type LiveConnection } from "./read-hooks.ts";
import { readRules, readSchedules, scheduleGroupExists } from "./read-triggers.ts";
import type { Tags } from "./tags.ts";

export { listAliases, listMachines, listVersions, readAlias, readMachine, readVersion } from "./read-machine.ts";
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

/** One state machine of the family as AWS holds it, with the environment's alias. */
export interface LiveUnit {
  machine?: LiveMachine;
  alias?: LiveAlias;
  /** The version the alias routes to. */
  aliasVersion?: LiveVersion;
  /** The newest published version (read only when the alias's version does not already match). */
  latestVersion?: LiveVersion;
}

/** A child machine the environment's running family starts and the bundle no longer has. */
export interface StaleChild {
  name: string;
  arn: string;
  tags: Tags;
  alias: LiveAlias;
}

export interface LiveSfn extends LiveUnit {
  /** The bundle's child machines, by name (split flows). */
  children?: Record<string, LiveUnit>;
  /** Children the running family has and the bundle does not: their alias goes once the flow's has moved. */
  staleChildren?: StaleChild[];
  /** Schedules named like this flow's, in any group. */
  schedules: LiveSchedule[];
  scheduleGroupMissing?: boolean;
  /** Rules named like this flow's or targeting its alias, flowc's or not (ownership decides). */
  rules: LiveRule[];
  /** Webhook API destinations and connections named like this flow's (flowc's or not: their description decides). */
  apiDestinations?: LiveApiDestination[];
  connections?: LiveConnection[];
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
  const hooksP = readHooks(aws, desired);
  const integration = childIntegration(desired.sfn);
  const machineP = readUnit(aws, desired.machine, desired.alias.arn, !!opts.versions, integration);
  const childrenP = Promise.all(desired.children.map(async (c) => [c.machine.name, await readUnit(aws, c.machine, c.alias.arn, !!opts.versions, integration)] as const));
  const familyP = (async () => {
    const [root, children] = await Promise.all([machineP, childrenP]);
    const stale = opts.versions ? await readStaleChildren(aws, desired, [root, ...children.map(([, u]) => u)], integration) : [];
    return { children: Object.fromEntries(children), stale };
  })();
  const jobDefsP = opts.versions !== false ? readJobDefinitions(aws, desired, machineP) : Promise.resolve(undefined);
  const [objects, policy, schedules, groupExists, rules, { machine, alias, aliasVersion, latestVersion }, family, jobDefinitions, hooks] = await Promise.all([
    objectsP,
    policyP,
    schedulesP,
    groupP,
    rulesP,
    machineP,
    familyP,
    jobDefsP,
    hooksP,
  ]);
  return {
    ...(machine ? { machine } : {}),
    ...(alias ? { alias } : {}),
    ...(aliasVersion ? { aliasVersion } : {}),
    ...(latestVersion ? { latestVersion } : {}),
    children: family.children,
    staleChildren: family.stale,
    schedules,
    ...(!groupExists ? { scheduleGroupMissing: true } : {}),
    rules,
    apiDestinations: hooks.apiDestinations,
    connections: hooks.connections,
    ...(policy ? { policy } : {}),
    objects: Object.fromEntries(objects),
    ...(jobDefinitions ? { jobDefinitions } : {}),
  };
}

/**
 * One machine of the family, its alias, the version the alias runs and, when that is not the desired
 * build, the newest version (a deploy that died after publishing). A parent is compared without its
 * children's versions: which versions it pins is decided by the plan, once its children are planned.
 */
async function readUnit(aws: AwsSession, want: DesiredMachine, aliasArn: string, versions: boolean, integration: string): Promise<LiveUnit> {
  const machine = await readMachine(aws, want.arn);
  const alias = machine ? await readAlias(aws, aliasArn) : undefined;
  let aliasVersion: LiveVersion | undefined;
  let latestVersion: LiveVersion | undefined;
  const same = (v: LiveVersion) => (want.children.length ? v.roleArn === want.roleArn && sameUnpinned(v.definition, want.definition, integration) : sameVersion(v, want));
  if (machine && versions) {
    if (alias?.versionArn) aliasVersion = await readVersion(aws, alias.versionArn);
    if (!aliasVersion || !same(aliasVersion)) {
      const [newest] = await listVersions(aws, machine.arn, 1);
      if (newest) latestVersion = newest.arn === aliasVersion?.arn ? aliasVersion : await readVersion(aws, newest.arn);
    }
  }
  return { ...(machine ? { machine } : {}), ...(alias ? { alias } : {}), ...(aliasVersion ? { aliasVersion } : {}), ...(latestVersion ? { latestVersion } : {}) };
}

/**
 * Children the environment's running family starts (its alias versions' pinned references, followed
 * down) that the bundle no longer has, with this environment's alias on them.
 */
async function readStaleChildren(aws: AwsSession, desired: DesiredSfn, units: LiveUnit[], integration: string): Promise<StaleChild[]> {
  const wanted = new Set([desired.machine.arn, ...desired.children.map((c) => c.machine.arn)]);
  const out: StaleChild[] = [];
  const seen = new Set<string>();
  let queue = units.flatMap((u) => (u.aliasVersion ? pinnedChildren(u.aliasVersion.definition, integration) : [])).map(unqualified);
  while (queue.length) {
    const next: string[] = [];
    for (const arn of queue) {
      if (wanted.has(arn) || seen.has(arn)) continue;
      seen.add(arn);
      const [machine, alias] = await Promise.all([readMachine(aws, arn), readAlias(aws, `${arn}:${desired.alias.name}`)]);
      if (!machine || !alias) continue;
      out.push({ name: arn.slice(arn.lastIndexOf(":") + 1), arn, tags: machine.tags, alias });
      const v = alias.versionArn ? await readVersion(aws, alias.versionArn) : undefined;
      if (v) next.push(...pinnedChildren(v.definition, integration).map(unqualified));
    }
    queue = next;
  }
  return out;
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
async function readJobDefinitions(
  aws: AwsSession,
  desired: DesiredSfn,
  machineP: Promise<{ machine?: LiveMachine; aliasVersion?: LiveVersion }>,
): Promise<LiveJobDefinitions | undefined> {
  const jd = desired.jobDefinitions;
  if (!jd) return undefined;
  const names = Object.keys(desired.imageDefinitions);
  const baseP = names.length ? readJobDefinition(aws, jd.base) : Promise.resolve(undefined);
  const wantedP = Promise.all(names.map(async (n) => [n, await readJobDefinition(aws, n)] as const));
  const { machine, aliasVersion } = await machineP;
  // A split flow's tasks are in its children: what the environment runs is the whole family.
  const integration = childIntegration(desired.sfn);
  const running = aliasVersion ? [aliasVersion, ...(await familyOf(aws, aliasVersion, integration))] : [];
  const candidates = [...new Set(running.flatMap((v) => [...referencedJobDefinitions(v.definition)]))].filter((n) => !(n in desired.imageDefinitions) && isImageDefinitionOf(jd.base, n));
  const staleP = Promise.all(candidates.map((n) => readJobDefinition(aws, n)));
  const elsewhereP = (async () => {
    if (!candidates.length || !machine) return [];
    const used = new Set<string>();
    for (const a of await listAliases(aws, machine.arn)) {
      if (a.name === desired.alias.name || !a.versionArn) continue;
      const v = await readVersion(aws, a.versionArn);
      if (!v) continue;
      for (const x of [v, ...(await familyOf(aws, v, integration))]) for (const n of referencedJobDefinitions(x.definition)) used.add(n);
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
