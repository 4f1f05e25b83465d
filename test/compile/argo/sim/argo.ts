/**
 * A model of how the Argo controller runs the DAGs flowc writes, enough to check the mapping: task
 * order, `depends` over task results (a false `depends` makes a task Omitted), `when` after
 * substitution (false makes it Skipped), output parameters with their defaults for skipped tasks,
 * `withParam` fan-out (an empty list makes the task Skipped), retries and nested DAG templates.
 * Container templates "run" by asking the scenario what the step did.
 *
 * It builds the controller's node tree (workflow/controller/dag.go, executeDAGTask): a task's node
 * becomes a child of the outbound nodes of the tasks it depends on (a root task: of its DAG's node),
 * a DAG node's outbound nodes are those of its leaf tasks, a TaskGroup's those of its items, a Retry
 * node's its last attempt. Each DAG's phase is then assessed from that tree as the controller does
 * (phase.ts), never from a rule of our own.
 */
import { evaluate, dependsTasks } from "./expr.ts";
import { assessDagPhase } from "./phase.ts";

export type Phase = "Succeeded" | "Failed" | "Error" | "Skipped" | "Omitted";
export type NodeType = "Pod" | "Retry" | "DAG" | "TaskGroup" | "Skipped" | "Suspend";

export interface ArgoNode {
  id: string;
  name: string;
  type: NodeType;
  phase: Phase;
  children: string[];
  /** DAG nodes: the outbound nodes of its leaf tasks (updateOutboundNodesForTargetTasks). */
  outboundNodes: string[];
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

export interface Simulation {
  /** `step@index` of every container that ran, in the order they ran. */
  ran: string[];
  /** The Workflow's phase: its entrypoint node's. */
  phase: Phase;
  nodes: Map<string, ArgoNode>;
}

type Obj = Record<string, any>;

/**
 * How the controller resolves an output of a task that was Skipped or Omitted, by version: its
 * declared default (v3.7.13+, v4.0.4+), an error that requeues the Workflow forever (v3.7.11-v3.7.12,
 * v4.0.2-v4.0.3: a missing variable), or the `{{...}}` left as written (before those).
 */
export type SkippedOutputs = "default" | "requeue" | "unresolved";

export class Requeue extends Error {}

export function simulate(wt: Obj, scenario: Scenario, o: { skippedOutputs?: SkippedOutputs } = {}): Simulation {
  const skippedOutputs = o.skippedOutputs ?? "default";
  const templates = new Map<string, Obj>((wt.spec.templates as Obj[]).map((t) => [t.name, t]));
  const ran: string[] = [];
  const nodes = new Map<string, ArgoNode>();

  const add = (name: string, type: NodeType, phase: Phase, outputs: Record<string, string> = {}): ArgoNode => {
    const n: ArgoNode = { id: `n${nodes.size}`, name, type, phase, children: [], outboundNodes: [], outputs };
    nodes.set(n.id, n);
    return n;
  };
  const node = (id: string) => nodes.get(id)!;

  /** getOutboundNodes (operator.go): the nodes whose children a dependent task becomes. */
  const outbound = (id: string): string[] => {
    const n = node(id);
    switch (n.type) {
      case "Pod":
      case "Skipped":
      case "Suspend":
        return [n.id];
      case "TaskGroup":
        return n.children.length ? n.children.flatMap(outbound) : [n.id];
      case "Retry":
        return n.children.length ? [n.children.at(-1)!] : [];
      case "DAG":
        return n.outboundNodes.flatMap(outbound);
    }
  };

  const runTemplate = (name: string, inputs: Record<string, string>, nodeName: string): ArgoNode => {
    const t = templates.get(name);
    if (!t) throw new Error(`no template ${name}`);
    const params: Record<string, string> = {};
    for (const p of t.inputs?.parameters ?? []) {
      const v = inputs[p.name] ?? p.default ?? p.value;
      if (v === undefined) throw new Error(`template ${name}: input ${p.name} not given`);
      params[p.name] = v;
    }
    if (t.container) return runContainer(t, params, nodeName);
    if (t.suspend) return add(nodeName, "Suspend", "Succeeded");
    if (t.dag) return runDag(t, params, nodeName);
    throw new Error(`template ${name} is neither a container nor a DAG`);
  };

  const runContainer = (t: Obj, params: Record<string, string>, nodeName: string): ArgoNode => {
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
    if (!t.retryStrategy) return add(nodeName, "Pod", out.phase, outputs);
    // A step that fails used up every attempt; one that succeeds is modelled as its first attempt.
    const retry = add(nodeName, "Retry", out.phase, outputs);
    const attempts = out.phase === "Succeeded" ? 1 : Number(t.retryStrategy.limit) + 1;
    for (let k = 0; k < attempts; k++) retry.children.push(add(`${nodeName}(${k})`, "Pod", k === attempts - 1 ? out.phase : "Failed").id);
    return retry;
  };

  const runDag = (t: Obj, params: Record<string, string>, nodeName: string): ArgoNode => {
    const boundary = add(nodeName, "DAG", "Succeeded");
    const byTask = new Map<string, ArgoNode>();
    const tasks: Obj[] = t.dag.tasks;
    const deps = new Map<string, string[]>(tasks.map((x) => [x.name, x.depends ? dependsTasks(x.depends) : []]));
    for (const task of tasks) {
      const nodeNameOf = `${nodeName}.${task.name}`;
      /** connectDependencies: under the outbound nodes of what the task depends on, or the DAG's node. */
      const connect = (n: ArgoNode) => {
        const ds = deps.get(task.name)!;
        if (ds.length === 0) boundary.children.push(n.id);
        for (const d of ds) for (const o of outbound(byTask.get(d)!.id)) node(o).children.push(n.id);
        byTask.set(task.name, n);
      };
      const scope = (k: string): string | undefined => {
        if (k.startsWith("inputs.parameters.")) return params[k.slice(18)];
        const m = /^tasks\.([^.]+)\.(status|outputs\.parameters\.(.+))$/.exec(k);
        if (!m) return undefined;
        const r = byTask.get(m[1]!);
        if (!r) throw new Error(`task ${task.name} refers to ${m[1]}, which has not run before it`);
        if (m[2] === "status") return r.phase;
        if ((r.phase === "Skipped" || r.phase === "Omitted") && skippedOutputs !== "default") {
          if (skippedOutputs === "requeue") throw new Requeue(`task ${task.name} reads {{${k}}} of a ${r.phase} task: the controller requeues the Workflow, forever`);
          return `{{${k}}}`;
        }
        // An output the task never produced stays as written (Argo leaves it unresolved).
        return r.outputs[m[3]!] ?? `{{${k}}}`;
      };
      if (task.depends) {
        const ok = evaluate(task.depends, (ref) => {
          const dot = ref.lastIndexOf(".");
          const r = byTask.get(ref.slice(0, dot));
          if (!r) throw new Error(`task ${task.name} depends on unknown or later task ${ref}`);
          const want = ref.slice(dot + 1);
          if (!["Succeeded", "Failed", "Errored", "Skipped", "Omitted"].includes(want)) throw new Error(`unknown task result ${ref}`);
          return want === "Errored" ? r.phase === "Error" : r.phase === want;
        });
        if (!ok) {
          connect(add(nodeNameOf, "Skipped", "Omitted", defaultsOf(templates.get(task.template))));
          continue;
        }
      }
      if (task.when && !evaluate(subst(task.when, scope), () => { throw new Error(`bare identifier in when: ${task.when}`); })) {
        connect(add(nodeNameOf, "Skipped", "Skipped", defaultsOf(templates.get(task.template))));
        continue;
      }
      const args = (item?: string) =>
        Object.fromEntries((task.arguments?.parameters ?? []).map((p: Obj) => [p.name, subst(p.value, (k) => (k === "item" ? item : scope(k)))]));
      if (task.withParam) {
        const items = JSON.parse(subst(task.withParam, scope)) as string[];
        if (items.length === 0) {
          connect(add(nodeNameOf, "Skipped", "Skipped"));
          continue;
        }
        const group = add(nodeNameOf, "TaskGroup", "Succeeded");
        connect(group);
        items.forEach((item, i) => group.children.push(runTemplate(task.template, args(item), `${nodeNameOf}(${i}:${item})`).id));
        const failed = group.children.map((c) => node(c).phase).find((p) => p === "Failed" || p === "Error");
        group.phase = failed ?? "Succeeded";
        continue;
      }
      connect(runTemplate(task.template, args(), nodeNameOf));
    }
    // Leaves: tasks no other task depends on (findLeafTaskNames), sorted as the controller sorts them.
    const depended = new Set([...deps.values()].flat());
    const leaves = tasks.map((x) => x.name as string).filter((n) => !depended.has(n)).sort();
    boundary.phase = assessDagPhase(boundary, leaves.map((l) => byTask.get(l)!.id), nodes);
    boundary.outboundNodes = leaves.flatMap((l) => outbound(byTask.get(l)!.id));
    return boundary;
  };

  const root = runTemplate(wt.spec.entrypoint, {}, wt.metadata?.name ?? "wf");
  return { ran, phase: root.phase, nodes };
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
