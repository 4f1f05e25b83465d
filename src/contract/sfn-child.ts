/**
 * How a parent state machine of a split flow starts its children (docs/sfn-mapping.md, "Families"):
 * the compiler writes these Tasks and deploy reads them back to pin each child reference to the
 * version it publishes, so both sides share this one definition.
 */
export const START_CHILD = "states:startExecution.sync:2";

/** The child machine ARNs a definition starts (its `startExecution.sync:2` Tasks), as written. */
export function childReferences(definition: unknown, integration: string): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o.Type === "Task" && o.Resource === integration && typeof (o.Parameters as Record<string, unknown> | undefined)?.StateMachineArn === "string")
        out.push((o.Parameters as Record<string, string>).StateMachineArn!);
      for (const x of Object.values(o)) if (x && typeof x === "object") visit(x);
    }
  };
  visit(definition);
  return out;
}
