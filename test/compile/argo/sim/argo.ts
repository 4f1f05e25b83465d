/**
 * A model of how the Argo controller runs the DAGs flowc writes, enough to check the mapping: task
 * order, `depends` over task results (a false `depends` makes a task Omitted), `when` after
 * substitution (false makes it Skipped), output parameters with their defaults for skipped tasks,
 * `withParam` fan-out (an empty list makes the task Skipped) and nested DAG templates. Container
 * templates "run" by asking the scenario what the step did.
 */
import { evaluate } from "./expr.ts";

type Phase = "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted";
interface NodeResult {
  phase: Phase;
  outputs: Record<string, string>;
}

export interface StepOutcome {
  /** What the pod ended as. A caught failure handled by `flowc step --catch` is Succeeded with no files. */
  phase: "Succeeded" | "Failed";
  /** Files flowc step wrote: the foreach list (child index paths) and the switch case. */
  foreach?: string[];
  case?: string;
}

export interface Scenario {
  /** Called once per task that runs: the step's name (from its command) and index. */
  run: (step: string, index: string) => StepOutcome;
}

type Obj = Record<string, any>;

export function simulate(wt: Obj, scenario: Scenario): { ran: string[]; phase: Phase } {
  const templates = new Map<string, Obj>((wt.spec.templates as Obj[]).map((t) => [t.name, t]));
  const ran: string[] = [];

  const runTemplate = (name: string, inputs: Record<string, string>): NodeResult => {
    const t = templates.get(name);
    if (!t) throw new Error(`no template ${name}`);
    const params: Record<string, string> = {};
    for (const p of t.inputs?.parameters ?? []) {
      const v = inputs[p.name] ?? p.default ?? p.value;
      if (v === undefined) throw new Error(`template ${name}: input ${p.name} not given`);
      params[p.name] = v;
    }
    if (t.container) return runContainer(t, params);
    if (t.suspend) return { phase: "Succeeded", outputs: {} };
    if (t.dag) return runDag(t, params);
    throw new Error(`template ${name} is neither a container nor a DAG`);
  };

  const runContainer = (t: Obj, params: Record<string, string>): NodeResult => {
    const cmd: string[] = t.container.command;
    const input = (k: string) => (k.startsWith("inputs.parameters.") ? params[k.slice(18)] : undefined);
    const step = subst(cmd[cmd.indexOf("--step") + 1]!, input);
    const index = subst(cmd[cmd.indexOf("--index") + 1]!, input);
    ran.push(`${step}@${index}`);
    const out = scenario.run(step, index);
    const outputs: Record<string, string> = {};
    for (const p of t.outputs?.parameters ?? []) {
      const file = p.valueFrom.path as string;
      const written = out.phase === "Succeeded" ? (file.endsWith("foreach.json") ? (out.foreach ? JSON.stringify(out.foreach) : undefined) : out.case) : undefined;
      const v = written ?? p.valueFrom.default;
      if (v !== undefined) outputs[p.name] = v;
    }
    return { phase: out.phase, outputs };
  };

  const runDag = (t: Obj, params: Record<string, string>): NodeResult => {
    const results = new Map<string, NodeResult>();
    const tasks: Obj[] = t.dag.tasks;
    for (const task of tasks) {
      const scope = (k: string): string | undefined => {
        if (k.startsWith("inputs.parameters.")) return params[k.slice(18)];
        const m = /^tasks\.([^.]+)\.(status|outputs\.parameters\.(.+))$/.exec(k);
        if (!m) return undefined;
        const r = results.get(m[1]!);
        if (!r) throw new Error(`task ${task.name} refers to ${m[1]}, which has not run before it`);
        // An output the task never produced stays as written (Argo leaves it unresolved).
        return m[2] === "status" ? r.phase : (r.outputs[m[3]!] ?? `{{${k}}}`);
      };
      if (task.depends) {
        const ok = evaluate(task.depends, (ref) => {
          const dot = ref.lastIndexOf(".");
          const r = results.get(ref.slice(0, dot));
          if (!r) throw new Error(`task ${task.name} depends on unknown or later task ${ref}`);
          const want = ref.slice(dot + 1);
          if (!["Succeeded", "Failed", "Errored", "Skipped", "Omitted"].includes(want)) throw new Error(`unknown task result ${ref}`);
          return want === "Errored" ? r.phase === "Error" : r.phase === want;
        });
        if (!ok) {
          results.set(task.name, { phase: "Omitted", outputs: defaultsOf(templates.get(task.template)) });
          continue;
        }
      }
      if (task.when && !evaluate(subst(task.when, scope), () => { throw new Error(`bare identifier in when: ${task.when}`); })) {
        results.set(task.name, { phase: "Skipped", outputs: defaultsOf(templates.get(task.template)) });
        continue;
      }
      const args = (item?: string) =>
        Object.fromEntries((task.arguments?.parameters ?? []).map((p: Obj) => [p.name, subst(p.value, (k) => (k === "item" ? item : scope(k)))]));
      if (task.withParam) {
        const items = JSON.parse(subst(task.withParam, scope)) as string[];
        if (items.length === 0) {
          results.set(task.name, { phase: "Skipped", outputs: {} });
          continue;
        }
        const phases = items.map((item) => runTemplate(task.template, args(item)).phase);
        results.set(task.name, { phase: phases.every((p) => p === "Succeeded") ? "Succeeded" : "Failed", outputs: {} });
        continue;
      }
      results.set(task.name, runTemplate(task.template, args()));
    }
    // Leaves decide the DAG's phase (assessDAGPhase): a failed leaf fails it.
    const depended = new Set(tasks.flatMap((x) => (x.depends ? [...(x.depends as string).matchAll(/([A-Za-z0-9-]+)\.[A-Z]/g)].map((m) => m[1]) : [])));
    const failed = tasks.some((x) => !depended.has(x.name) && ["Failed", "Error"].includes(results.get(x.name)!.phase));
    return { phase: failed ? "Failed" : "Succeeded", outputs: {} };
  };

  const { phase } = runTemplate(wt.spec.entrypoint, {});
  return { ran, phase };
}

/** Output parameters of a skipped task resolve to their declared defaults (Argo v4). */
function defaultsOf(t: Obj | undefined): Record<string, string> {
  return Object.fromEntries((t?.outputs?.parameters ?? []).filter((p: Obj) => p.valueFrom?.default !== undefined).map((p: Obj) => [p.name, p.valueFrom.default]));
}

/** Argo's `{{...}}` substitution; an unknown reference is an error here (Argo would fail the task). */
function subst(s: string, scope: (k: string) => string | undefined): string {
  return s.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, k: string) => {
    const v = scope(k);
    if (v === undefined) throw new Error(`cannot resolve {{${k}}}`);
    return v;
  });
}
