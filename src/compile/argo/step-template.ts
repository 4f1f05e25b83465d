import { createHash } from "node:crypto";
import type { StepIR } from "../../flow/ir.ts";
import type { ArgoNamer } from "../../names/argo.ts";
import { toCompactJson } from "../../render/serialize.ts";
import type { ResolvedSecret } from "../secrets.ts";
import type { CompileProblem } from "../types.ts";
import { CONTAINER_NAME, FOREACH_PATH, PARAM, SWITCH_PATH, stepCommand } from "./contract.ts";
import { retryStrategy } from "./retry.ts";
import type { ArgoParameter, Container, EnvVar, Template } from "./types.ts";

/**
 * The container templates that run steps: `flowc step` in the step's image (the environment's image
 * comes from templateDefaults and is left out), resources as requests = limits, the step's
 * environment, retry and timeout. Foreach and switch steps expose what `flowc step` wrote as output
 * parameters.
 *
 * Steps with the same configuration share one template and pass their name and index as arguments:
 * Argo v4 allows 200 templates per WorkflowTemplate, and a flow's steps mostly share their defaults.
 * A template is named by its kind and a hash of its content (`run-…`, `foreach-…`, `switch-…`), so
 * the name is stable when steps are added or removed elsewhere.
 */
/**
 * Whether Argo carries on past a failure of this step. A caught switch step chose no case, so nothing
 * after it can run: like `flowc run`, the run then fails (docs/step-contract.md), so it is not caught.
 */
export const carriesOn = (step: StepIR): boolean => step.catch && step.transition.kind !== "switch";

export interface StepTemplates {
  /** The template a step runs. */
  of: (step: string) => string;
  templates: Template[];
}

export function stepTemplates(
  steps: readonly StepIR[],
  defaultImage: string | undefined,
  namer: ArgoNamer,
  problems: CompileProblem[],
  secretsOf: (step: StepIR) => ResolvedSecret[] = () => [],
): StepTemplates {
  const byKey = new Map<string, Template>();
  const of = new Map<string, string>();
  for (const step of steps) {
    const body = templateBody(step, defaultImage, problems, secretsOf(step));
    const key = toCompactJson(body);
    let t = byKey.get(key);
    if (!t) {
      const kind = step.transition.kind === "foreach" || step.transition.kind === "switch" ? step.transition.kind : "run";
      t = { name: namer.name(`${kind}-${createHash("sha256").update(key).digest("hex").slice(0, 8)}`), ...body };
      byKey.set(key, t);
    }
    of.set(step.name, t.name);
  }
  return { of: (s) => of.get(s)!, templates: [...byKey.values()] };
}

function templateBody(step: StepIR, defaultImage: string | undefined, problems: CompileProblem[], secrets: ResolvedSecret[]): Omit<Template, "name"> {
  const podDeadline = step.timeoutSeconds ? step.timeoutSeconds + (carriesOn(step) ? CATCH_DEADLINE_GRACE_SECONDS : 0) : undefined;
  const retry = retryStrategy(step, podDeadline);
  const image = step.image ?? defaultImage;
  if (!image)
    problems.push({
      code: "CONFIG_INVALID",
      message: `step \`${step.name}\` has no image, and the environment sets none`,
      hint: "set `image` on the step or under `defaults`, or `image` for the environment in flowc.config.yaml",
      path: ["steps", step.name],
    });
  for (const [k, v] of Object.entries(step.env))
    if (v.includes("{{"))
      problems.push({
        code: "TARGET_UNSUPPORTED",
        message: `the value of \`${k}\` contains \`{{\`, which Argo reads as a variable and cannot escape`,
        hint: "pass it some other way, e.g. as a flow parameter",
        path: ["steps", step.name, "env", k],
      });
  // Secrets by reference: the pod reads them from the Secret; steps with different secrets differ in
  // body, so they never share a template.
  const env: EnvVar[] = [
    ...Object.entries(step.env).map(([n, value]) => ({ name: n, value })),
    ...secrets.filter((x) => x.k8s).map((x) => ({ name: x.name, valueFrom: { secretKeyRef: { name: x.k8s!.secret, key: x.k8s!.key } } })),
  ];
  const container: Container = {
    name: CONTAINER_NAME,
    ...(image && image !== defaultImage ? { image } : {}),
    command: stepCommand({ retried: retry !== undefined, caught: carriesOn(step) }),
    ...(env.length ? { env } : {}),
    resources: resources(step),
  };
  const outputs = outputParameters(step);
  return {
    // Top-level tasks leave the index out: "" is the top level.
    inputs: { parameters: [{ name: PARAM.step }, { name: PARAM.index, default: "" }] },
    ...(outputs.length ? { outputs: { parameters: outputs } } : {}),
    ...(retry ? { retryStrategy: retry } : {}),
    ...(podDeadline ? { activeDeadlineSeconds: podDeadline } : {}),
    container,
  };
}

/**
 * A caught step's pod deadline is a backstop, not the timeout: `flowc step --catch` enforces the step's
 * timeout itself and then writes failed.json so the flow carries on. If the kubelet's deadline fired
 * first (it counts from pod start, image pull included), the container would die before that record
 * exists and the next step would find no finished parent.
 */
export const CATCH_DEADLINE_GRACE_SECONDS = 30;

/**
 * Defaults matter: a foreach step that failed but was caught leaves no list ("[]": its body is skipped
 * and the join still runs), and Argo v4 resolves the case of a switch that did not run to its default
 * instead of failing the `when` of a step that merges its branches.
 */
function outputParameters(step: StepIR): ArgoParameter[] {
  switch (step.transition.kind) {
    case "foreach":
      return [{ name: PARAM.foreach, valueFrom: { path: FOREACH_PATH, default: "[]" } }];
    case "switch":
      return [{ name: PARAM.case, valueFrom: { path: SWITCH_PATH, default: "" } }];
    default:
      return [];
  }
}

/** Requests equal limits (Guaranteed QoS): a step gets what it asked for and no more. */
function resources(step: StepIR) {
  const { cpu, memoryMiB, gpu } = step.resources;
  const q: Record<string, string> = {
    cpu: Number.isInteger(cpu) ? String(cpu) : `${Math.round(cpu * 1000)}m`,
    memory: `${memoryMiB}Mi`,
    ...(gpu > 0 ? { "nvidia.com/gpu": String(gpu) } : {}),
  };
  return { requests: q, limits: { ...q } };
}
