import { createHash } from "node:crypto";
import type { EnvConfig } from "../config/types.ts";
import { NAME_LIMITS } from "./limits.ts";
import { fitName } from "./shorten.ts";

const awsName = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, "-");

/**
 * A flow's state machine name in an environment: `sfn.stateMachineName` is a pattern in which
 * `{flow}` stands for the flow's name (default `{flow}`), so one configuration serves every flow of a
 * repository, and an upstream flow (afterFlow) is found under the same pattern.
 */
export const machineName = (flow: string, env?: EnvConfig) =>
  fitName([(env?.sfn?.stateMachineName ?? "{flow}").split("{flow}").join(flow)], NAME_LIMITS.sfnStateMachineName, { sanitize: awsName });

/** The machine name under the default pattern. */
export const defaultMachineName = (flow: string) => machineName(flow);

/**
 * Names of everything flowc creates on AWS for a flow in an environment. These are part of the public
 * contract (golden tests pin them): changing one orphans deployed resources.
 */
export function sfnNames(flow: string, env: EnvConfig) {
  const machine = machineName(flow, env);
  return {
    stateMachine: machine,
    /** One alias per environment: promote moves it between versions. */
    alias: fitName([env.name], NAME_LIMITS.sfnAliasName, { sanitize: awsName }),
    schedule: fitName([flow, env.name], NAME_LIMITS.schedulerScheduleName, { sanitize: awsName }),
    rule: (suffix: string) => fitName([flow, env.name, suffix], NAME_LIMITS.eventBridgeRuleName, { sanitize: awsName }),
    /**
     * A webhook's EventBridge API destination and its connection (one each per URL, named by the
     * URL's hash so a changed URL is a new destination); the prefix finds those a flow no longer has.
     */
    hook: (url: string) => fitName([flow, env.name, "hook", createHash("sha256").update(url).digest("hex").slice(0, 8)], NAME_LIMITS.eventBridgeApiDestinationName, { sanitize: awsName }),
    hookPrefix: `${awsName(flow)}-${awsName(env.name)}-hook-`,
    /** What every rule of this flow and environment starts with, unless its name had to be shortened. */
    rulePrefix: `${awsName(flow)}-${awsName(env.name)}-`,
    /** Inline policy on the state machine's role (IAM allows 128). */
    policy: fitName(["flowc", flow, env.name], 128, { sanitize: awsName }),
    /** Batch job names (128): readable in the Batch console, not unique (Batch does not need it). */
    batchJob: (step: string) => fitName([flow, step], 128, { sanitize: awsName }),
    /** Distributed Map run labels (40). */
    mapLabel: (step: string) => fitName([step], 40, { sanitize: awsName }),
  };
}

/**
 * A Batch job definition (or ECS task definition family) per image: the image is fixed in the
 * definition, so a step whose image differs from the configured definition's gets a sibling
 * definition, registered by deploy from the configured one with only the image replaced.
 */
export function imageDefinitionName(base: string, image: string): string {
  const tail = image.slice(image.lastIndexOf("/") + 1);
  return `${fitName([definitionBaseName(base), tail], 128 - 9, { sanitize: awsName })}-${createHash("sha256").update(image).digest("hex").slice(0, 8)}`;
}

/**
 * A definition per (image, secrets): Batch and ECS fix a container's secrets in the definition (a
 * RunTask or SubmitJob override cannot add them). Without secrets this is imageDefinitionName; with
 * them the hash covers the image and every `NAME=reference`, and a step on the environment's image
 * (`image` undefined: the base's is kept) is `<definition>-<hash8>`.
 */
export function derivedDefinitionName(base: string, image: string | undefined, secrets: readonly { name: string; valueFrom: string }[]): string {
  if (!secrets.length) return image ? imageDefinitionName(base, image) : base;
  const parts = [definitionBaseName(base), ...(image ? [image.slice(image.lastIndexOf("/") + 1)] : [])];
  const hash = createHash("sha256")
    .update([image ?? "", ...secrets.map((s) => `${s.name}=${s.valueFrom}`)].join("\n"))
    .digest("hex")
    .slice(0, 8);
  return `${fitName(parts, 128 - 9, { sanitize: awsName })}-${hash}`;
}

/** The family name of a configured definition (an ARN's name without its revision). */
const definitionBaseName = (base: string) => (base.startsWith("arn:") ? base.slice(base.lastIndexOf("/") + 1).replace(/:\d+$/, "") : base);

/**
 * A child state machine of a flow split into several (`<machine>-Steps-s120`, `<machine>-Foreach-fan`):
 * named after the scope it runs, never a counter, so an unrelated edit leaves the names alone. The
 * parent's name (up to 40 characters of it) always leads, so a machine's children are found by prefix.
 */
export function childMachineName(machine: string, suffix: string): string {
  const clean = awsName(suffix);
  const full = `${machine}-${clean}`;
  const max = NAME_LIMITS.sfnStateMachineName;
  if (full.length <= max) return full;
  const head = machine.slice(0, 40);
  const hash = createHash("sha256").update(`${machine}\u0000${suffix}`).digest("hex").slice(0, 8);
  return `${head}-${clean.slice(0, max - head.length - hash.length - 2).replace(/[-_]+$/, "")}-${hash}`;
}

/** The prefix every child of `machine` starts with. */
export const childMachinePrefix = (machine: string) => (machine.length <= 40 ? `${machine}-` : machine.slice(0, 40));

/** A Step Functions state name within the 80-character limit. */
export const stateName = (...parts: string[]) => fitName(parts, NAME_LIMITS.sfnStateName, { sep: "." });
