import { diffValues } from "../diff.ts";
import type { PlannedAction } from "../plan.ts";
import { TAG } from "../ownership.ts";
import type { DesiredSfn } from "./desired.ts";
import type { LiveSfn } from "./live.ts";
import { additions, type Op, type PlanOptions, type PlanParts } from "./ops.ts";
import { jobDefinitionView } from "./read-batch.ts";
import { notFlowc, ownership } from "./refusals.ts";
import type { Tags } from "./tags.ts";
import { keyOf } from "./view.ts";

type Json = Record<string, unknown>;

/** Registered by flowc for this flow and this environment: the only per-image definitions a deploy deregisters. */
const ours = (tags: Tags, d: DesiredSfn) => tags[TAG.managedBy] === "flowc" && tags[TAG.flow] === d.flow && tags[TAG.env] === d.env;

/** What a derived definition differs from the base by, for the plan: its image and the names of its secrets. */
export function describeDefinition(d: DesiredSfn, name: string): string {
  const image = d.imageDefinitions[name];
  const secrets = d.definitionSecrets[name]?.map((s) => s.name) ?? [];
  return [image ? `image ${image}` : "", secrets.length ? `secrets ${secrets.join(", ")}` : ""].filter(Boolean).join("; ");
}

/**
 * The base's body with the image replaced ("" keeps the base's) and the step's secrets added to the
 * base's (the step's win by name). Secrets are references (`valueFrom`); no value is ever sent.
 */
function derivedBody(base: Json | undefined, image: string, secrets: { name: string; valueFrom: string }[] | undefined): Json {
  const container = (base?.containerProperties ?? {}) as Json;
  const merged = new Map(((container.secrets ?? []) as { name: string; valueFrom: string }[]).map((s) => [s.name, s]));
  for (const s of secrets ?? []) merged.set(s.name, s);
  return {
    ...(base ?? {}),
    containerProperties: {
      ...container,
      ...(image ? { image } : {}),
      ...(merged.size ? { secrets: [...merged.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) } : {}),
    },
  };
}

/**
 * Per-image Batch job definitions (a step whose image is not the environment's): each is the
 * configured definition's latest ACTIVE revision with only `containerProperties.image` replaced.
 * One that is missing, or whose body differs (the base changed since), gets a new revision, before
 * the machine that names it is written. One the running version names and the bundle no longer does
 * is deregistered after everything else (returned as removals), if flowc registered it for this flow
 * and environment and no other environment's alias of the machine still runs it.
 */
export function planJobDefinitions(d: DesiredSfn, live: LiveSfn, opts: PlanOptions, out: PlanParts): { actions: PlannedAction[]; ops: Op[] } {
  const removals: { actions: PlannedAction[]; ops: Op[] } = { actions: [], ops: [] };
  const names = Object.keys(d.imageDefinitions).sort();
  const jd = d.jobDefinitions;
  if (!jd) {
    if (names.length)
      out.warnings.push(
        `steps use images or secrets other than the environment's: register the task definitions ${names.map((n) => `${n} (${describeDefinition(d, n)})`).join(", ")} from the configured one; flowc deploy registers Batch job definitions only`,
      );
    return removals;
  }
  const lj = live.jobDefinitions;
  const base = lj?.base;
  const where = `job definition \`${jd.base}\` (sfn.batch.jobDefinition)`;
  const baseProblem = !names.length
    ? undefined
    : !base
      ? `the ${where} has no ACTIVE revision; the per-image definitions ${names.join(", ")} are copies of it`
      : !base.body.containerProperties
        ? `the ${where} has no containerProperties (a multi-node, EKS or ECS-properties definition); flowc can only replace containerProperties.image`
        : undefined;
  if (baseProblem) out.refusals.push({ resource: `job definition ${jd.base}`, message: baseProblem, hint: "register it as a single-container definition, or fix sfn.batch.jobDefinition in flowc.config.yaml" });
  const withSecrets = names.filter((n) => d.definitionSecrets[n]?.length);
  const baseContainer = (base?.body.containerProperties ?? {}) as Json;
  // Batch fetches a container's secrets with the job's execution role: without one, no job starts.
  if (withSecrets.length && base?.body.containerProperties && !baseContainer.executionRoleArn)
    out.refusals.push({
      resource: `job definition ${jd.base}`,
      message: `steps read secrets (${withSecrets.map((n) => d.definitionSecrets[n]!.map((s) => s.name).join(", ")).join("; ")}), but the ${where} has no executionRoleArn, which Batch fetches them with`,
      hint: `give it an execution role holding the statements of ${d.secretsPolicyFile ?? "the bundle's secrets policy"}`,
    });

  let secretsChanged = false;
  for (const name of names) {
    const body = derivedBody(base?.body, d.imageDefinitions[name]!, d.definitionSecrets[name]);
    const want = jobDefinitionView(body);
    const l = lj?.wanted[name];
    if (!l) {
      secretsChanged ||= withSecrets.includes(name);
      out.actions.push({ op: "create", kind: "job-definition", name, reason: describeDefinition(d, name), changes: additions(want) });
      out.ops.push({ kind: "registerJobDefinition", name, body });
      continue;
    }
    const refused = l.tags[TAG.managedBy] !== "flowc" ? notFlowc(`job definition ${name}`) : ours(l.tags, d) ? ownership(`job definition ${name}`, l.tags, d, opts, d.env) : undefined;
    if (refused) out.refusals.push(refused);
    const changes = diffValues(jobDefinitionView(l.body), want, { keyOf });
    out.actions.push({ op: changes.length ? "update" : "noop", kind: "job-definition", name: `${name}:${l.revision}`, ...(changes.length ? { reason: `a new revision: the base ${jd.base} changed` } : {}), changes });
    if (changes.length) out.ops.push({ kind: "registerJobDefinition", name, body });
    secretsChanged ||= changes.length > 0 && withSecrets.includes(name);
  }
  if (secretsChanged && typeof baseContainer.executionRoleArn === "string")
    out.warnings.push(`steps read secrets with the execution role ${baseContainer.executionRoleArn} (of ${jd.base}): it needs the statements of ${d.secretsPolicyFile ?? "the bundle's secrets policy"}; flowc does not change that role`);

  for (const s of lj?.stale ?? []) {
    if (!ours(s.tags, d)) {
      removals.actions.push({ op: "noop", kind: "job-definition", name: s.name, reason: "no longer used by this flow; kept: registered by another flow or environment", changes: [] });
      continue;
    }
    if (lj!.usedElsewhere.includes(s.name)) {
      removals.actions.push({ op: "noop", kind: "job-definition", name: s.name, reason: "no longer used by this environment; kept: another environment's alias runs it", changes: [] });
      continue;
    }
    const refused = ownership(`job definition ${s.name}`, s.tags, d, opts, d.env);
    if (refused) out.refusals.push(refused);
    removals.actions.push({ op: "delete", kind: "job-definition", name: s.name, reason: "no step uses its image any more", changes: [] });
    removals.ops.push({ kind: "deregisterJobDefinition", name: s.name, arns: s.activeArns });
  }
  return removals;
}
