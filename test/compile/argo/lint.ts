/**
 * The checks `argo lint` makes that a schema cannot (workflow/validate/validate.go), for the shapes
 * flowc writes: template and task names, references between them, `depends` naming tasks of the same
 * DAG declared earlier, `{{...}}` variables only where Argo defines them ({{retries}} only under a
 * retryStrategy, task outputs only of ancestors, `{{item}}` only with withParam).
 */
import { dependsTasks } from "./sim/expr.ts";
import type { Obj } from "./helpers.ts";

const FIELD_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;

export function lintWorkflowTemplate(wt: Obj): string[] {
  const out: string[] = [];
  const templates: Obj[] = wt.spec.templates;
  const byName = new Map(templates.map((t) => [t.name, t]));
  if (byName.size !== templates.length) out.push("template names are not unique");
  if (!byName.has(wt.spec.entrypoint)) out.push(`entrypoint ${wt.spec.entrypoint} is not a template`);
  const globals = new Set(["workflow.name", ...(wt.spec.arguments?.parameters?.length ? ["workflow.parameters.json"] : [])]);
  for (const p of wt.spec.arguments?.parameters ?? []) globals.add(`workflow.parameters.${p.name}`);

  for (const t of templates) {
    if (!FIELD_NAME.test(t.name) || t.name.length > 128) out.push(`template name ${t.name} is invalid`);
    const inputs = new Set((t.inputs?.parameters ?? []).map((p: Obj) => `inputs.parameters.${p.name}`));
    if (t.container) {
      const allowed = new Set([...globals, ...inputs, ...(t.retryStrategy ? ["retries"] : [])]);
      for (const v of vars(t.container)) if (!allowed.has(v)) out.push(`template ${t.name}: {{${v}}} is not defined there`);
      continue;
    }
    if (!t.dag) continue;
    const tasks: Obj[] = t.dag.tasks;
    const seen = new Map<string, Obj>();
    const ancestors = new Map<string, Set<string>>();
    for (const task of tasks) {
      if (!FIELD_NAME.test(task.name)) out.push(`${t.name}: task name ${task.name} is invalid`);
      if (seen.has(task.name)) out.push(`${t.name}: task ${task.name} appears twice`);
      const target = byName.get(task.template);
      if (!target) out.push(`${t.name}.${task.name}: template ${task.template} does not exist`);
      const deps = task.depends ? dependsTasks(task.depends) : [];
      const anc = new Set<string>();
      for (const d of deps) {
        if (!seen.has(d)) out.push(`${t.name}.${task.name}: depends on ${d}, which is not an earlier task of this DAG`);
        anc.add(d);
        for (const a of ancestors.get(d) ?? []) anc.add(a);
      }
      ancestors.set(task.name, anc);
      // Arguments a template needs and does not default.
      for (const p of target?.inputs?.parameters ?? []) {
        const given = (task.arguments?.parameters ?? []).some((a: Obj) => a.name === p.name);
        if (!given && p.default === undefined && p.value === undefined) out.push(`${t.name}.${task.name}: input ${p.name} of ${task.template} is not given`);
      }
      const allowed = new Set([...globals, ...inputs, ...(task.withParam ? ["item"] : [])]);
      for (const v of vars({ when: task.when, withParam: task.withParam, arguments: task.arguments })) {
        const m = /^tasks\.([^.]+)\.(status|outputs\.parameters\.(.+))$/.exec(v);
        if (m) {
          if (!anc.has(m[1]!)) out.push(`${t.name}.${task.name}: {{${v}}} refers to a task that is not an ancestor`);
          const producer = byName.get(seen.get(m[1]!)?.template);
          if (m[3] && !(producer?.outputs?.parameters ?? []).some((p: Obj) => p.name === m[3])) out.push(`${t.name}.${task.name}: {{${v}}} is not an output of ${m[1]}`);
        } else if (!allowed.has(v)) out.push(`${t.name}.${task.name}: {{${v}}} is not defined there`);
      }
      seen.set(task.name, task);
    }
  }
  return out;
}

function vars(v: unknown): string[] {
  const s = JSON.stringify(v ?? null);
  return [...s.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]!);
}
