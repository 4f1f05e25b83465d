import type { Graph, GraphNode } from "../../graph/types.ts";
import type { ArgoNamer } from "../../names/argo.ts";
import { conditionalSteps } from "./certain.ts";
import { ENTRYPOINT, PARAM } from "./contract.ts";
import type { InEdge, Phase } from "./depends.ts";
import { renderParts } from "./parts.ts";
import { carriesOn } from "./step-template.ts";
import type { ArgoParameter, Template } from "./types.ts";

/**
 * The DAG templates of a flow. Splits and switches stay inside one DAG (they are only dependencies);
 * a foreach fans out with `withParam` over the child index paths its step wrote:
 *
 *   main:      start → fan ─(fit × N)→ gather → end          a one-step body runs straight from main
 *   main:      start → fan ─(fan-body × N)→ gather → end     a longer body is a DAG template of its own,
 *   fan-body:  fit → score                                    so a nested foreach is a DAG in a DAG
 *
 * A foreach with `parallelism` gets a wrapper DAG (`<step>-each`) whose template-level `parallelism`
 * limits how many items run at once. DAGs with more tasks than Argo allows are cut (parts.ts).
 */
export interface DagNames {
  namer: ArgoNamer;
  /** DAG task name of a step. */
  task: (step: string) => string;
  /** The container template a step runs. */
  template: (step: string) => string;
}

/** A task of a DAG before rendering: what it runs and which edges lead into it. */
export interface TaskNode {
  name: string;
  template: string;
  /** Position in flow order: tasks are listed this way. */
  order: number;
  /** Tasks that must stay in the same DAG as this one (a foreach step and its fan-out). */
  unit: number;
  /** The phases in which this task carries the flow on. */
  accept: Phase[];
  isSwitch: boolean;
  /** Runs in every run of its scope without an uncaught failure: not inside a switch's branches (certain.ts). */
  certain: boolean;
  /** AND over groups, OR within a group (depends.ts). */
  groups: InEdge[][];
  withParam?: string;
  args: ArgoParameter[];
}

/** The foreach step whose body a step runs in ("" at the top level). */
export const ownerOf = (node: GraphNode): string => [...node.frames].reverse().find((f) => f.kind === "foreach")?.step ?? "";

interface Fan {
  /** The body's DAG template, or undefined when the body is one step run straight from the parent DAG. */
  body?: string;
  /** The one step of a one-step body. */
  only?: string;
  /** The parallelism wrapper template. */
  each?: string;
  parallelism?: number;
}

export function dagTemplates(graph: Graph, names: DagNames): Template[] {
  const owners: string[] = [];
  const byOwner = new Map<string, GraphNode[]>();
  for (const s of graph.order) {
    const node = graph.nodes.get(s)!;
    const owner = ownerOf(node);
    if (!byOwner.has(owner)) owners.push(owner), byOwner.set(owner, []);
    byOwner.get(owner)!.push(node);
  }
  const fans = new Map<string, Fan>();
  for (const s of graph.order) {
    const t = graph.nodes.get(s)!.step.transition;
    if (t.kind !== "foreach") continue;
    const body = byOwner.get(s) ?? [];
    const only = body.length === 1 && body[0]!.step.transition.kind === "linear" ? body[0]!.step.name : undefined;
    fans.set(s, {
      ...(only ? { only } : { body: names.namer.name(`${s}-body`) }),
      ...(t.parallelism ? { each: names.namer.name(`${s}-each`), parallelism: t.parallelism } : {}),
    });
  }
  /** The task in the foreach step's DAG that runs the body once per item. */
  const fanTask = (f: string) => {
    const fan = fans.get(f)!;
    return fan.each ?? (fan.only ? names.task(fan.only) : fan.body!);
  };

  const out: Template[] = [];
  const gate = { name: "", used: false };
  for (const owner of owners) {
    const fan = owner === "" ? undefined : fans.get(owner)!;
    if (fan?.only) continue;
    const tasks = scopeTasks(byOwner.get(owner)!, graph, names, owner !== "", fans, fanTask);
    out.push(...renderParts(owner === "" ? ENTRYPOINT : fan!.body!, tasks, owner !== "", names.namer, gate));
  }
  for (const [, fan] of fans) if (fan.each) out.push(wrapper(fan, names));
  if (gate.used) out.push({ name: gate.name, suspend: { duration: "0" } });
  return out;
}

/** The tasks of one scope, with their incoming edges, in flow order. */
function scopeTasks(nodes: GraphNode[], graph: Graph, names: DagNames, nested: boolean, fans: Map<string, Fan>, fanTask: (f: string) => string): TaskNode[] {
  const inScope = new Set(nodes.map((n) => n.step.name));
  const conditional = conditionalSteps(nodes, graph);
  const index = nested ? [{ name: PARAM.index, value: `{{inputs.parameters.${PARAM.index}}}` }] : [];
  const tasks: TaskNode[] = [];
  nodes.forEach((node, i) => {
    const step = node.step;
    const name = names.task(step.name);
    tasks.push({
      name,
      template: names.template(step.name),
      order: tasks.length,
      unit: i,
      accept: carriesOn(step) ? ["Succeeded", "Failed", "Error"] : ["Succeeded"],
      isSwitch: step.transition.kind === "switch",
      certain: !conditional.has(step.name),
      groups: incoming(node, graph, names, inScope, fanTask),
      args: [{ name: PARAM.step, value: step.name }, ...index],
    });
    if (step.transition.kind !== "foreach") return;
    const fan = fans.get(step.name)!;
    const list = `{{tasks.${name}.outputs.parameters.${PARAM.foreach}}}`;
    tasks.push({
      name: fanTask(step.name),
      template: fan.each ?? (fan.only ? names.template(fan.only) : fan.body!),
      order: tasks.length,
      unit: i,
      // Argo skips a withParam task whose list is empty; the join must still run.
      accept: ["Succeeded", "Skipped"],
      isSwitch: false,
      certain: !conditional.has(step.name),
      // Only a foreach step that succeeded has a list to fan out.
      groups: [[{ from: name, accept: ["Succeeded"] }]],
      ...(fan.each
        ? { args: [{ name: PARAM.items, value: list }] }
        : { withParam: list, args: [...(fan.only ? [{ name: PARAM.step, value: fan.only }] : []), { name: PARAM.index, value: "{{item}}" }] }),
    });
  });
  return tasks;
}

function incoming(node: GraphNode, graph: Graph, names: DagNames, inScope: Set<string>, fanTask: (f: string) => string): InEdge[][] {
  const opener = node.closes ? graph.nodes.get(node.closes)! : undefined;
  if (opener?.step.transition.kind === "foreach") return [[{ from: fanTask(opener.step.name), accept: ["Succeeded", "Skipped"] }]];
  const edges: { edge: InEdge; parent: string }[] = [];
  for (const p of new Set(node.parents)) {
    if (!inScope.has(p)) continue; // the first step of a foreach body: its parent is the foreach step outside
    const parent = graph.nodes.get(p)!.step;
    const t = parent.transition;
    const accept: Phase[] = carriesOn(parent) ? ["Succeeded", "Failed", "Error"] : ["Succeeded"];
    const cases = t.kind === "switch" ? t.cases.filter((c) => c.next === node.step.name).map((c) => c.value) : undefined;
    edges.push({ parent: p, edge: { from: names.task(p), accept, ...(cases ? { cases } : {}) } });
  }
  if (edges.length === 0) return [];
  if (opener?.step.transition.kind !== "split") return [edges.map((e) => e.edge)];
  // A split's join: one group per branch, in branch order.
  const branches = opener.step.transition.next;
  const branchOf = (parent: string) =>
    parent === opener.step.name
      ? branches.indexOf(node.step.name)
      : ((graph.nodes.get(parent)!.frames.find((f) => f.kind === "split" && f.step === opener.step.name) as { branch: number } | undefined)?.branch ?? -1);
  const groups = new Map<number, InEdge[]>();
  for (const e of edges) groups.set(branchOf(e.parent), [...(groups.get(branchOf(e.parent)) ?? []), e.edge]);
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!);
}

/** Limits how many items of a foreach run at once: template-level parallelism over a withParam task. */
function wrapper(fan: Fan, names: DagNames): Template {
  const inner = fan.only ? names.task(fan.only) : fan.body!;
  return {
    name: fan.each!,
    parallelism: fan.parallelism!,
    inputs: { parameters: [{ name: PARAM.items }] },
    dag: {
      tasks: [
        {
          name: inner,
          template: fan.only ? names.template(fan.only) : fan.body!,
          withParam: `{{inputs.parameters.${PARAM.items}}}`,
          arguments: { parameters: [...(fan.only ? [{ name: PARAM.step, value: fan.only }] : []), { name: PARAM.index, value: "{{item}}" }] },
        },
      ],
    },
  };
}

