import { createHash } from "node:crypto";
import { NAME_LIMITS } from "./limits.ts";
import { dnsLabel, fitName } from "./shorten.ts";

/**
 * Names of the Kubernetes objects flowc creates for a flow in an environment, and of the templates and
 * tasks inside a WorkflowTemplate. Object names are part of the public contract (golden tests pin them):
 * changing one orphans deployed objects.
 */

const hash8 = (parts: readonly string[]) => createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 8);

/**
 * A DNS-1123 label within `max` characters. Readable when it can be: the parts joined with `-`. When a
 * part had to change to become a label (`train_model` → `train-model`), a hash of the original parts is
 * appended, because two flows that differ only there would otherwise share one object name.
 */
export function k8sName(parts: readonly string[], max: number): string {
  const clean = parts.map(dnsLabel);
  const changed = clean.some((c, i) => c !== parts[i]);
  if (!changed) return fitName(parts, max, { sanitize: dnsLabel });
  const head = fitName(clean, max - 9, { sanitize: dnsLabel }).replace(/-+$/, "");
  return head ? `${head}-${hash8(parts)}` : hash8(parts);
}

export interface ArgoObjectNames {
  workflowTemplate: string;
  /** ≤ 52: the controller appends `-<unix time>` to name the Workflows it starts. */
  cronWorkflow: string;
  sensor: string;
  /** Prefix of Workflows a Sensor submits (`generateName`); ≤ 50 so a 12-character suffix still fits 63. */
  runPrefix: string;
}

export function argoObjectNames(flow: string, env: string): ArgoObjectNames {
  return {
    workflowTemplate: k8sName([flow, env], NAME_LIMITS.k8sName),
    cronWorkflow: k8sName([flow, env], NAME_LIMITS.argoCronWorkflowName),
    sensor: k8sName([flow, env], NAME_LIMITS.k8sName),
    runPrefix: k8sName([flow, env], 50),
  };
}

/**
 * The k-th Sensor of a flow (from 0): the first is `sensor` above; more exist only when triggers share
 * an event (src/compile/argo/sensor.ts), named `<flow>-<env>-2`, `-3`, ...
 */
export function argoSensorName(flow: string, env: string, k: number): string {
  return k === 0 ? argoObjectNames(flow, env).sensor : k8sName([flow, env, String(k + 1)], NAME_LIMITS.k8sName);
}

/**
 * Argo validates template and task names as `[a-zA-Z0-9][-a-zA-Z0-9]*` (≤ 128), and evaluates `depends`
 * with expr after turning `-` into `_`, so a task named like an expr keyword would break the expression.
 */
const EXPR_WORDS = new Set(["and", "or", "not", "in", "matches", "contains", "startswith", "endswith", "nil", "true", "false", "let", "if", "else", "len", "all", "none", "any", "one", "filter", "map", "count"]);

/**
 * Allocates names in one Argo namespace (the templates of a WorkflowTemplate, or the tasks of a DAG):
 * readable (`row_join` → `row-join`), unique, never an expr keyword. A name that had to change and then
 * collides, or is reserved, gets an 8-character hash of what was asked for. Allocation order matters
 * only for collisions, and callers allocate in flow order, so the result is deterministic.
 */
export class ArgoNamer {
  private readonly used = new Set<string>();
  private readonly wanted: Map<string, string> = new Map();

  constructor(reserved: readonly string[] = []) {
    for (const r of reserved) this.used.add(r);
  }

  /** The name for `want`; asking twice for the same `want` gives the same name. */
  name(want: string): string {
    const known = this.wanted.get(want);
    if (known) return known;
    let base = want.replace(/[^a-zA-Z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "x";
    if (!/^[a-zA-Z0-9]/.test(base)) base = `x${base}`;
    base = base.slice(0, 100);
    let name = base;
    if (this.used.has(name) || EXPR_WORDS.has(name.toLowerCase().replace(/-/g, "_"))) name = `${base}-${hash8([want])}`;
    for (let i = 2; this.used.has(name); i++) name = `${base}-${hash8([want, String(i)])}`;
    this.used.add(name);
    this.wanted.set(want, name);
    return name;
  }
}
