import { formatChange, type DiffPath } from "./diff.ts";
import { summarize, type Plan } from "./plan.ts";

const SIGN = { create: "+", update: "~", delete: "-", noop: "=" } as const;

/** The plan for a person: one block per resource, structural changes indented under it. */
export function renderPlan(
  plan: Plan,
  opts: { label?: (kind: string, path: DiffPath) => string; showNoop?: boolean; /** Also list what a create adds (flowc diff of a flow never deployed). */ expandCreates?: boolean } = {},
): string {
  const lines: string[] = [];
  for (const a of plan.actions) {
    if (a.op === "noop" && !opts.showNoop) continue;
    lines.push(`${SIGN[a.op]} ${a.op} ${a.kind} ${a.name}${a.reason ? ` (${a.reason})` : ""}`);
    if (a.op === "update" || (a.op === "create" && opts.expandCreates)) for (const c of a.changes) lines.push(`    ${formatChange(c, opts.label ? (p) => opts.label!(a.kind, p) : undefined)}`);
  }
  const s = summarize(plan);
  lines.push(
    s.create + s.update + s.delete === 0
      ? `No changes: ${plan.flow} (${plan.env}, ${plan.target}) is up to date.`
      : `Plan for ${plan.flow} (${plan.env}, ${plan.target}): ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.noop} unchanged.`,
  );
  return `${lines.join("\n")}\n`;
}

/** The plan for machines (`--format json`). */
export function planJson(plan: Plan): string {
  return `${JSON.stringify({ ...plan, summary: summarize(plan), changed: summarize(plan).create + summarize(plan).update + summarize(plan).delete > 0 }, null, 2)}\n`;
}
