import type { AwsSession } from "../../aws/clients.ts";
import { START_CHILD } from "../../contract/sfn-child.ts";
import type { SfnConfig } from "../../config/types.ts";
import { sameJson } from "./canonical.ts";
import type { LiveVersion } from "./live.ts";
import { readVersion } from "./read-machine.ts";

/**
 * A flow split into a family of state machines (docs/deploy-sfn.md, "Families"): the bundle names each
 * child by its unqualified ARN; what deploy sends pins it to one version (`…:stateMachine:<child>:7`).
 * A published version of a parent therefore runs exactly the children it was built with: promote and
 * rollback move one alias and the whole family follows, a run started before a deploy finishes with
 * the children it started with, and no version ever names a child that does not exist (children are
 * published first, and versions are deleted only with their machine).
 */
type Json = Record<string, unknown>;

export const childIntegration = (sfn: Pick<SfnConfig, "partition">) => `arn:${sfn.partition}:states:::${START_CHILD}`;

/** `arn:…:stateMachine:name:7` → `arn:…:stateMachine:name` (an unqualified ARN stays as it is). */
export const unqualified = (arn: string) => arn.replace(/^(arn:[^:]+:states:[^:]+:\d+:stateMachine:[^:]+):.+$/, "$1");

/** Visits every Task that starts a child machine, with its Parameters. */
function eachChildTask(definition: unknown, integration: string, visit: (parameters: Json) => void): void {
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Json;
      if (o.Type === "Task" && o.Resource === integration && o.Parameters && typeof (o.Parameters as Json).StateMachineArn === "string") visit(o.Parameters as Json);
      for (const x of Object.values(o)) if (x && typeof x === "object") walk(x);
    }
  };
  walk(definition);
}

/** A copy of `definition` whose child references are pinned: unqualified ARN → version ARN (or a placeholder). */
export function pinChildren(definition: unknown, integration: string, pins: ReadonlyMap<string, string>): unknown {
  if (!pins.size) return definition;
  const copy = structuredClone(definition);
  eachChildTask(copy, integration, (p) => {
    const to = pins.get(p.StateMachineArn as string);
    if (to) p.StateMachineArn = to;
  });
  return copy;
}

/** The child versions a deployed definition starts (qualified ARNs, as deploy pinned them). */
export function pinnedChildren(definition: unknown, integration: string): string[] {
  const out: string[] = [];
  eachChildTask(definition, integration, (p) => out.push(p.StateMachineArn as string));
  return out;
}

/** Equal definitions once child references are compared without their version (what the bundle says). */
export function sameUnpinned(a: unknown, b: unknown, integration: string): boolean {
  const strip = (d: unknown) => {
    const copy = structuredClone(d);
    eachChildTask(copy, integration, (p) => (p.StateMachineArn = unqualified(p.StateMachineArn as string)));
    return copy;
  };
  return sameJson(strip(a), strip(b));
}

/**
 * Every child version a deployed parent version runs, its children's children included: what an alias
 * must follow when promote or rollback moves the parent. Each is read once.
 */
export async function familyOf(aws: AwsSession, version: Pick<LiveVersion, "definition">, integration: string): Promise<LiveVersion[]> {
  const out: LiveVersion[] = [];
  const seen = new Set<string>();
  let queue = pinnedChildren(version.definition, integration);
  while (queue.length) {
    const next: string[] = [];
    for (const arn of queue) {
      if (seen.has(arn)) continue;
      seen.add(arn);
      const v = await readVersion(aws, arn);
      if (!v) continue;
      out.push(v);
      next.push(...pinnedChildren(v.definition, integration));
    }
    queue = next;
  }
  return out;
}
