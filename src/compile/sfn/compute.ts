import type { EnvConfig, SfnConfig } from "../../config/types.ts";
import type { StepIR } from "../../flow/ir.ts";
import { definitionName } from "./context.ts";

/**
 * What every Task would repeat, said once in the context object (`$.compute`, built by the `Context`
 * state): the job queue (ECS: the cluster and its network), the configured job (task) definition, and
 * the resources most steps ask for. A Task points at these with `"JobQueue.$": "$.compute.JobQueue"`;
 * a step that differs (another image, other resources) spells its own value out. Like the shared
 * env, a change of queue or of the usual resources is then one line of a reviewed diff, not one per
 * step, and a Task stays small enough for thousands of them to fit one definition.
 */
export interface ComputeDefaults {
  /** The object the context carries. */
  fields: Record<string, unknown>;
  /** The resources `fields` holds, as `resourcesKey` writes them. */
  resources: string;
  /** The job (task) definition `fields` holds. */
  definition: string;
}

export const COMPUTE_PATH = "$.compute";

export const resourcesKey = (s: StepIR) => `${s.resources.cpu}/${s.resources.memoryMiB}/${s.resources.gpu}`;

/** Batch's ResourceRequirements for a step. */
export function batchResources(s: StepIR): { Type: string; Value: string }[] {
  const { cpu, memoryMiB, gpu } = s.resources;
  return [{ Type: "VCPU", Value: String(cpu) }, { Type: "MEMORY", Value: String(memoryMiB) }, ...(gpu > 0 ? [{ Type: "GPU", Value: String(gpu) }] : [])];
}

/** The value most steps have (the first in flow order on a tie), so a flow's usual setting is said once. */
function usual<T>(steps: readonly StepIR[], key: (s: StepIR) => T): T | undefined {
  const counts = new Map<T, number>();
  let best: { n: number; value: T } | undefined;
  for (const s of steps) {
    const k = key(s);
    const n = (counts.get(k) ?? 0) + 1;
    counts.set(k, n);
    if (!best || n > best.n) best = { n, value: k };
  }
  return best?.value;
}

export function computeDefaults(sfn: SfnConfig, env: EnvConfig, steps: readonly StepIR[]): ComputeDefaults {
  const definition = usual(steps, (s) => definitionName(sfn, env, s)) ?? "";
  const c = sfn.compute;
  if (c.kind === "batch") {
    const sized = usual(steps, resourcesKey);
    const step = steps.find((s) => resourcesKey(s) === sized);
    return {
      fields: { JobQueue: c.jobQueue, JobDefinition: definition, ...(step ? { ResourceRequirements: batchResources(step) } : {}) },
      resources: sized ?? "",
      definition,
    };
  }
  return {
    definition,
    fields: {
      Cluster: c.cluster,
      TaskDefinition: definition,
      ...(c.subnets.length ? { NetworkConfiguration: { AwsvpcConfiguration: { Subnets: c.subnets, SecurityGroups: c.securityGroups, AssignPublicIp: c.assignPublicIp ? "ENABLED" : "DISABLED" } } } : {}),
    },
    resources: "",
  };
}
