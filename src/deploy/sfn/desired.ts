import type { CompiledFlow } from "../../compile/pipeline.ts";
import type { EnvConfig, SfnConfig } from "../../config/types.ts";
import { buildSpec, packageKey, packageMapKey } from "../../flow/spec.ts";
import { sfnNames } from "../../names/sfn.ts";
import { toCompactJson } from "../../render/serialize.ts";
import { childReferences } from "../../contract/sfn-child.ts";
import { TAG } from "../ownership.ts";
import { childIntegration } from "./family.ts";
import { allTags, managedTags, scheduleMarker, tagProblems, type TagSets, type Tags } from "./tags.ts";

/**
 * What AWS should hold for one flow in one environment, read from the compiled bundle (never
 * recompiled here): the bundle is what a reviewer approved, so deploy sends exactly its documents and
 * adds only what a bundle cannot know (the owner, tags that mark flowc's resources).
 */
export interface DesiredObject {
  bucket: string;
  key: string;
  body: string;
  contentType: string;
}

export interface DesiredMachine {
  name: string;
  arn: string;
  /** Parsed, for comparison; `definitionText` (compact JSON) is what is sent. */
  definition: Record<string, unknown>;
  definitionText: string;
  roleArn: string;
  type: "STANDARD" | "EXPRESS";
  logging?: { level: string; includeExecutionData: boolean; destinations: { cloudWatchLogsLogGroup: { logGroupArn: string } }[] };
  tracing: boolean;
  tags: TagSets;
  /** The child machines its definition starts (unqualified ARNs), which deploy pins to versions. */
  children: string[];
}

/** A child state machine of a flow split into a family: versioned and aliased with the flow's own. */
export interface DesiredChild {
  machine: DesiredMachine;
  alias: { name: string; arn: string };
  /** The name of the machine that starts it. */
  parent: string;
}

export interface DesiredRule {
  name: string;
  bus: string;
  description: string;
  eventPattern: unknown;
  state: string;
  targets: Record<string, unknown>[];
  tags: TagSets;
}

/** A webhook's API destination (and the connection of the same name it calls through), from `<flow>.notify.json`. */
export interface DesiredApiDestination {
  name: string;
  description: string;
  endpoint: string;
  rateLimit: number;
}

export interface DesiredSchedule {
  name: string;
  group: string;
  /** The CreateSchedule/UpdateSchedule input, Description carrying flowc's marker. */
  input: Record<string, unknown>;
}

export interface DesiredPolicy {
  roleArn: string;
  roleName: string;
  name: string;
  document: unknown;
}

export interface DesiredSfn {
  flow: string;
  env: string;
  sfn: SfnConfig;
  owner: string;
  contentHash: string;
  flowcVersion: string;
  machine: DesiredMachine;
  alias: { name: string; arn: string };
  /** A split flow's child machines, each before the machine that starts it: the order deploy writes them. */
  children: DesiredChild[];
  /** Stored on each published version: which build it is. */
  versionDescription: string;
  schedule?: DesiredSchedule;
  /** Where a schedule of this flow and environment is, whether or not the flow has one now. */
  scheduleName: string;
  scheduleGroup: string;
  rules: DesiredRule[];
  /** Name prefix of this flow's rules in this environment (to find rules a flow no longer has), when names are not shortened. */
  rulePrefix?: string;
  /** Webhooks of the notification rules (whose targets name them `{api-destination:NAME}` until deploy knows the ARN). */
  apiDestinations: DesiredApiDestination[];
  /** Name prefix of this flow's API destinations in this environment (to find those it no longer has). */
  hookPrefix?: string;
  policy?: DesiredPolicy;
  objects: DesiredObject[];
  /** Per-image (and per-secrets) Batch job / ECS task definitions the compiler asked for: name → image ("" keeps the base's). */
  imageDefinitions: Record<string, string>;
  /** The container secrets (name, valueFrom) of those that carry some: references only, never values. */
  definitionSecrets: Record<string, { name: string; valueFrom: string }[]>;
  /** The bundle file with the statements the definitions' execution role needs for them. */
  secretsPolicyFile?: string;
  /**
   * How deploy registers them (Batch only; ECS task definitions are not registered yet): each is the
   * base definition's latest ACTIVE revision with only the image replaced, tagged as flowc's.
   */
  jobDefinitions?: { base: string; tags: TagSets };
  problems: string[];
}

type Json = Record<string, unknown>;

function bundleJson(compiled: CompiledFlow, suffix: string): Json | undefined {
  const f = compiled.result.files.find((x) => x.name === `${compiled.flow.ir.name}${suffix}`);
  return f ? (JSON.parse(f.content) as Json) : undefined;
}

/** The tag that marks a child machine as part of a flow's family: the flow's own machine name. */
export const FAMILY_TAG = "flowc.dev/family";

/** The family's state machines in the bundle: file → resource entry, each child before its parent. */
export function bundleMachines(compiled: CompiledFlow): { file: string; name: string; parent?: string; definition: Json }[] {
  const resources = compiled.result.manifest.resources as Record<string, unknown>;
  const entries = compiled.result.files
    .filter((f) => f.name.endsWith(".asl.json"))
    .map((f) => {
      const r = (resources[f.name] ?? {}) as Record<string, string>;
      return { file: f.name, name: r.stateMachine ?? "", ...(r.parent ? { parent: r.parent } : {}), definition: JSON.parse(f.content) as Json };
    });
  const byFile = new Map(entries.map((e) => [e.file, e]));
  const depth = (e: { parent?: string }): number => (e.parent && byFile.has(e.parent) ? 1 + depth(byFile.get(e.parent)!) : 0);
  return entries
    .map((e) => ({ ...e, depth: depth(e) }))
    .sort((a, b) => b.depth - a.depth || a.file.localeCompare(b.file))
    .map(({ depth: _, parent, ...e }) => ({ ...e, ...(parent ? { parent: byFile.get(parent)?.name ?? "" } : {}) }));
}

/**
 * Tags several environments would give one shared state machine must not flip-flop between deploys:
 * a configuration tag goes on the machine only when every environment that resolves to the same
 * machine gives it the same value (`env: prod` stays on prod's own resources).
 */
export function machineUserTags(own: Tags, flowTags: Tags, me: EnvConfig, environments: readonly EnvConfig[], machineName: (e: EnvConfig) => string): Tags {
  const key = (e: EnvConfig) => (e.sfn ? `${e.sfn.partition}:${e.sfn.region}:${e.sfn.account}:${machineName(e)}` : "");
  const siblings = environments.filter((e) => e.name !== me.name && e.sfn && key(e) === key(me));
  const out: Tags = {};
  for (const [k, v] of Object.entries(own)) {
    const fromEnv = k in me.tags && !(k in flowTags);
    if (!fromEnv || siblings.every((s) => s.tags[k] === v)) out[k] = v;
  }
  return out;
}

export function desiredState(compiled: CompiledFlow, opts: { owner: string; environments?: readonly EnvConfig[] }): DesiredSfn {
  const { ir } = compiled.flow;
  const env = compiled.env;
  const sfn = env.sfn!;
  const m = compiled.result.manifest;
  const names = sfnNames(ir.name, env);
  const p = sfn.partition;
  const machineArn = `arn:${p}:states:${sfn.region}:${sfn.account}:stateMachine:${names.stateMachine}`;
  const problems: string[] = [];

  const asl = bundleJson(compiled, ".asl.json")!;
  const integration = childIntegration(sfn);
  const settings = ((m as unknown as Json).stateMachine ?? {}) as Json;
  const identity = { [TAG.managedBy]: "flowc", [TAG.flow]: ir.name, [TAG.owner]: opts.owner };
  const provenance = { [TAG.hash]: m.contentHash, [TAG.version]: m.flowcVersion };
  const bundleTags = (settings.tags ?? {}) as Tags;
  const userTags = machineUserTags(bundleTags, ir.tags, env, opts.environments ?? [env], (e) => sfnNames(ir.name, e).stateMachine);
  const machineTags: TagSets = { managed: managedTags(identity, userTags), provenance: { ...provenance, [TAG.env]: env.name } };
  problems.push(...tagProblems({ ...machineTags.managed, ...machineTags.provenance }, `state machine ${names.stateMachine}`));

  const machine: DesiredMachine = {
    name: names.stateMachine,
    arn: machineArn,
    definition: asl,
    definitionText: toCompactJson(asl),
    roleArn: String(settings.roleArn ?? sfn.stateMachineRoleArn),
    type: settings.type === "EXPRESS" ? "EXPRESS" : "STANDARD",
    ...(settings.loggingConfiguration ? { logging: settings.loggingConfiguration as DesiredMachine["logging"] } : {}),
    tracing: !!(settings.tracingConfiguration as { enabled?: boolean } | undefined)?.enabled,
    tags: machineTags,
    children: childReferences(asl, integration),
  };

  // Children share the flow's settings (role, logging, tracing, tags) and are marked as its family.
  const children: DesiredChild[] = bundleMachines(compiled)
    .filter((c) => c.parent !== undefined)
    .map((c) => {
      const arn = `arn:${p}:states:${sfn.region}:${sfn.account}:stateMachine:${c.name}`;
      const tags: TagSets = { managed: { ...machineTags.managed, [FAMILY_TAG]: names.stateMachine }, provenance: machineTags.provenance };
      return {
        machine: { ...machine, name: c.name, arn, definition: c.definition, definitionText: toCompactJson(c.definition), tags, children: childReferences(c.definition, integration) },
        alias: { name: names.alias, arn: `${arn}:${names.alias}` },
        parent: c.parent!,
      };
    });
  // Rules are per environment: they get every tag, env-specific ones included.
  const ruleTags: TagSets = { managed: managedTags({ ...identity, [TAG.env]: env.name }, bundleTags), provenance };
  const triggers = bundleJson(compiled, ".triggers.json");
  // Notification rules are rules like the triggers': planned, diffed, tagged and removed the same way.
  const notify = bundleJson(compiled, ".notify.json");
  const rules: DesiredRule[] = ([...((triggers?.rules ?? []) as Json[]), ...((notify?.rules ?? []) as Json[])]).map((r) => {
    const { Name, Description, EventPattern, Targets, State, EventBusName } = r as Record<string, unknown>;
    return {
      name: String(Name),
      bus: String(EventBusName ?? "default"),
      description: String(Description ?? ""),
      eventPattern: EventPattern,
      state: String(State ?? "ENABLED"),
      targets: (Targets ?? []) as Json[],
      tags: ruleTags,
    };
  });
  for (const r of rules) problems.push(...tagProblems(ruleTags.managed, `rule ${r.name}`));
  const apiDestinations: DesiredApiDestination[] = ((notify?.apiDestinations ?? []) as Json[]).map((a) => ({
    name: String(a.Name),
    description: String(a.Description ?? ""),
    endpoint: String(a.InvocationEndpoint),
    rateLimit: Number(a.InvocationRateLimitPerSecond ?? 1),
  }));

  const scheduleDoc = bundleJson(compiled, ".schedule.json");
  const schedule: DesiredSchedule | undefined = scheduleDoc && {
    name: String(scheduleDoc.Name),
    group: String(scheduleDoc.GroupName ?? sfn.scheduleGroup),
    input: { ...scheduleDoc, Description: withMarker(String(scheduleDoc.Description ?? ""), scheduleMarker(ir.name, env.name, opts.owner)) },
  };

  const policyDoc = bundleJson(compiled, ".iam.json");
  const iamRes = (m.resources[`${ir.name}.iam.json`] ?? {}) as Record<string, string>;
  const roleArn = iamRes.role ?? sfn.stateMachineRoleArn;
  const policy: DesiredPolicy | undefined = policyDoc && iamRes.policy ? { roleArn, roleName: roleArn.slice(roleArn.lastIndexOf("/") + 1), name: iamRes.policy, document: policyDoc } : undefined;
  // IAM counts a role's inline policies together, whitespace excluded, against 10,240 characters.
  if (policyDoc && toCompactJson(policyDoc).length > 10_240)
    problems.push(`the role policy ${iamRes.policy} is ${toCompactJson(policyDoc).length} characters; IAM allows 10,240 for all of a role's inline policies`);

  const objects: DesiredObject[] = [];
  const root = /^s3:\/\/([^/]+)\/?(.*)$/.exec(env.datastore);
  if (root) {
    const prefix = root[2]!.replace(/^\/+|\/+$/g, "");
    const at = (key: string) => (prefix ? `${prefix}/${key}` : key);
    const pkg = compiled.flow.loaded.package;
    // The code package first: a spec that names a package must never be readable before it.
    if (pkg?.map) objects.push({ bucket: root[1]!, key: at(packageMapKey(pkg.sha256)), body: pkg.map, contentType: "application/json" });
    if (pkg) objects.push({ bucket: root[1]!, key: at(packageKey(pkg.sha256)), body: pkg.code, contentType: "text/javascript" });
    const spec = buildSpec(ir, pkg?.sha256);
    if (spec.key !== m.spec.key) problems.push(`the spec key ${spec.key} differs from the bundle's ${m.spec.key} (a flowc bug)`);
    objects.push({ bucket: root[1]!, key: at(spec.key), body: spec.text, contentType: "application/json" });
  }

  const resources = m.resources as Record<string, unknown>;
  const imageDefinitions = ((resources.jobDefinitions ?? resources.taskDefinitions ?? {}) as Record<string, string>);
  // Per-image job definitions are named by the image, not the flow: flows and environments that run
  // the same image on the same base share one. The tags say who registered the latest revision.
  const jobDefinitions = sfn.compute.kind === "batch" ? { base: sfn.compute.jobDefinition, tags: ruleTags } : undefined;
  if (jobDefinitions && Object.keys(imageDefinitions).length)
    for (const n of Object.keys(imageDefinitions)) problems.push(...tagProblems(allTags(ruleTags), `job definition ${n}`));
  return {
    flow: ir.name,
    env: env.name,
    sfn,
    owner: opts.owner,
    contentHash: m.contentHash,
    flowcVersion: m.flowcVersion,
    machine,
    alias: { name: names.alias, arn: `${machineArn}:${names.alias}` },
    children,
    versionDescription: versionDescription(env.name, m.contentHash, m.flowcVersion),
    ...(schedule ? { schedule } : {}),
    scheduleName: names.schedule,
    scheduleGroup: schedule?.group ?? sfn.scheduleGroup,
    rules,
    ...(keptPrefix(names.rulePrefix, names.rule("x")) ? { rulePrefix: names.rulePrefix } : {}),
    apiDestinations,
    ...(keptPrefix(names.hookPrefix, names.hook("x")) ? { hookPrefix: names.hookPrefix } : {}),
    ...(policy ? { policy } : {}),
    objects,
    imageDefinitions,
    definitionSecrets: ((m as unknown as Json).jobDefinitionSecrets ?? {}) as DesiredSfn["definitionSecrets"],
    ...(m.resources[`${ir.name}.secrets.iam.json`] ? { secretsPolicyFile: `${ir.name}.secrets.iam.json` } : {}),
    ...(jobDefinitions ? { jobDefinitions } : {}),
    problems,
  };
}

/** The compiler's description, then the marker, within Scheduler's 512 characters. */
function withMarker(description: string, marker: string): string {
  const room = 512 - marker.length - 1;
  const text = description.length > room ? `${description.slice(0, room - 3)}...` : description;
  return text ? `${text} ${marker}` : marker;
}

/** `flowc env=prod hash=1a2b3c4d5e6f flowc=0.1.0`: what `flowc versions` shows for each version. */
export const versionDescription = (env: string, hash: string, flowcVersion: string) => `flowc env=${env} hash=${hash.slice(0, 12)} flowc=${flowcVersion}`;

export function readVersionDescription(d: string | undefined): { env?: string; hash?: string; flowc?: string } {
  const get = (k: string) => new RegExp(`(?:^|\\s)${k}=(\\S+)`).exec(d ?? "")?.[1];
  return { env: get("env"), hash: get("hash"), flowc: get("flowc") };
}

/**
 * Whether names made like `sample` keep `prefix` (`flow-env-`): long names are shortened with a hash,
 * and are then found by their target or their exact name instead of by prefix.
 */
const keptPrefix = (prefix: string, sample: string) => sample.startsWith(prefix);
