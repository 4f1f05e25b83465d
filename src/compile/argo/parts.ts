import type { ArgoNamer } from "../../names/argo.ts";
import { ARGO_MAX, PARAM } from "./contract.ts";
import type { TaskNode } from "./dag.ts";
import { caseParam, caseRef, condition, RESULT, statusParam, statusRef, waitFor, type InEdge, type Refs } from "./depends.ts";
import type { ArgoParameter, DagTask, Template } from "./types.ts";

/**
 * Renders the tasks of one scope as a DAG template, cut into parts when there are more than Argo v4
 * allows in one DAG (200).
 *
 * - Tasks are cut by depth (longest path from the scope's first task), so every edge goes forward
 *   and parallel branches are cut at the same height and keep running side by side. A foreach step
 *   and its fan-out stay together. Within a part, tasks keep flow order.
 * - The last task of each part runs the next part. It waits for the tasks whose edges cross the cut
 *   and hands on their phase (`status-<task>`) and, for a switch, its case (`case-<task>`), as input
 *   parameters; a task that needs them decides in `when` (depends.ts).
 * - Failures. Argo takes a DAG's phase from its leaf tasks only: a leaf that ran and succeeded hides
 *   every failure before it, and a leaf that did not run (Omitted) takes the phase of the branch that
 *   led to it, Failed after an uncaught failure (test/compile/argo/sim/phase.ts). The runner of the
 *   next part is its part's only leaf, so it must not run after an uncaught failure anywhere in its
 *   part; then it is Omitted, inherits Failed, and the DAG (and the Workflow) ends Failed with the
 *   parts after it, `end` among them, never run. A task that was Omitted is evidence of a failure only
 *   where no switch can have skipped it, so the runner depends (runnerDepends) on
 *   - the part's last tasks outside switch branches (certain.ts) having carried on: their phases in
 *     `accept`, which a failure anywhere before them makes Omitted;
 *   - no task inside a switch branch having failed uncaught (`!T.Failed && !T.Errored`), since an
 *     Omitted task there may be a branch not taken;
 *   - the tasks whose edges cross the cut having finished, whatever their phase: it hands them on.
 * - Edges into a task from one earlier part that complete two or more of its groups (a wide split's
 *   join) are first folded into a gate: a `suspend` node of duration 0 (no pod) in that part, whose
 *   `depends`/`when` is those groups. The join then needs one phase per part, not one per branch.
 */
const GATE_ROOM = 10;

interface Gate {
  name: string;
  used: boolean;
}

export function renderParts(name: string, all: TaskNode[], nested: boolean, namer: ArgoNamer, gate: Gate): Template[] {
  const parts = partition(all, ARGO_MAX.dagTasks - 1 - GATE_ROOM);
  if (parts.length > 1) addGates(parts, namer, gate);
  const tasks = parts.flat();
  const partOf = new Map<string, number>();
  parts.forEach((p, i) => p.forEach((t) => partOf.set(t.name, i)));
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const lastUse = new Map<string, number>();
  for (const u of tasks) for (const e of u.groups.flat()) lastUse.set(e.from, Math.max(lastUse.get(e.from) ?? -1, partOf.get(u.name)!));
  /** Tasks whose phase (and case) a part after part i needs. */
  const exported = (i: number) => tasks.filter((t) => partOf.get(t.name)! <= i && (lastUse.get(t.name) ?? -1) > i);
  const partNames = parts.map((_, i) => (i === 0 ? name : namer.name(`${name}-part-${i + 1}`)));
  const handed = (t: TaskNode): ArgoParameter[] => [{ name: statusParam(t.name) }, ...(t.isSwitch ? [{ name: caseParam(t.name) }] : [])];

  return parts.map((part, i) => {
    const refs: Refs = { local: (t) => partOf.get(t) === i };
    const dagTasks: DagTask[] = part.map((t) => ({
      name: t.name,
      template: t.template,
      ...condition(t.groups, refs),
      ...(t.withParam ? { withParam: t.withParam } : {}),
      ...(t.args.length ? { arguments: { parameters: t.args } } : {}),
    }));
    if (i < parts.length - 1) {
      const handOn = exported(i);
      const deps = runnerDepends(part, new Set(handOn.map((t) => t.name)), gate);
      dagTasks.push({
        name: partNames[i + 1]!,
        template: partNames[i + 1]!,
        ...(deps.length ? { depends: deps.map((d) => (deps.length > 1 && d.includes("||") ? `(${d})` : d)).join(" && ") } : {}),
        arguments: {
          parameters: [
            ...(nested ? [{ name: PARAM.index, value: `{{inputs.parameters.${PARAM.index}}}` }] : []),
            ...handOn.flatMap((t) => [
              { name: statusParam(t.name), value: statusRef(t.name, refs) },
              ...(byName.get(t.name)!.isSwitch ? [{ name: caseParam(t.name), value: caseRef(t.name, refs) }] : []),
            ]),
          ],
        },
      });
    }
    const inputs = [...(nested ? [{ name: PARAM.index }] : []), ...(i === 0 ? [] : exported(i - 1).flatMap(handed))];
    return { name: partNames[i]!, ...(inputs.length ? { inputs: { parameters: inputs } } : {}), dag: { tasks: dagTasks } };
  });
}

/** Cuts tasks into parts of at most `cap` in order of depth, keeping units together; flow order within a part. */
function partition(tasks: TaskNode[], cap: number): TaskNode[][] {
  if (tasks.length <= ARGO_MAX.dagTasks) return [tasks];
  const depth = new Map<string, number>();
  for (const t of tasks) depth.set(t.name, Math.max(0, ...t.groups.flat().map((e) => (depth.get(e.from) ?? -1) + 1)));
  const units = new Map<number, TaskNode[]>();
  for (const t of tasks) units.set(t.unit, [...(units.get(t.unit) ?? []), t]);
  const ordered = [...units.values()].sort((a, b) => depth.get(a[0]!.name)! - depth.get(b[0]!.name)! || a[0]!.order - b[0]!.order);
  const parts: TaskNode[][] = [[]];
  for (const u of ordered) {
    if (parts.at(-1)!.length + u.length > cap) parts.push([]);
    parts.at(-1)!.push(...u);
  }
  return parts.map((p) => p.sort((a, b) => a.order - b.order));
}

/** Folds groups of a task that come entirely from one earlier part into a gate in that part. */
function addGates(parts: TaskNode[][], namer: ArgoNamer, gate: Gate): void {
  const partOf = new Map<string, number>();
  parts.forEach((p, i) => p.forEach((t) => partOf.set(t.name, i)));
  const room = parts.map(() => GATE_ROOM);
  for (const [j, part] of parts.entries()) {
    for (const t of part) {
      const byPart = new Map<number, InEdge[][]>();
      for (const g of t.groups) {
        const ps = new Set(g.map((e) => partOf.get(e.from)!));
        const p = ps.size === 1 ? [...ps][0]! : j;
        if (p < j) byPart.set(p, [...(byPart.get(p) ?? []), g]);
      }
      for (const [p, groups] of byPart) {
        if (groups.flat().length < 2 || room[p]! === 0) continue;
        room[p]!--;
        gate.used = true;
        gate.name ||= namer.name("gate");
        const g: TaskNode = { name: namer.name(`${t.name}-gate-${p + 1}`), template: gate.name, order: Infinity, unit: -1, accept: ["Succeeded"], isSwitch: false, certain: t.certain, groups, args: [] };
        parts[p]!.push(g);
        partOf.set(g.name, p);
        t.groups = [...t.groups.filter((x) => !groups.includes(x)), [{ from: g.name, accept: ["Succeeded"] }]];
      }
    }
  }
}

/**
 * The runner's `depends` terms, in flow order (see "Failures" above). A task outside switch branches
 * "with none after it" has no task outside switch branches after it in this part, reached through any
 * tasks: every other such task fails it by being Omitted.
 */
function runnerDepends(part: TaskNode[], crossing: Set<string>, gate: Gate): string[] {
  const local = new Set(part.map((t) => t.name));
  const next = new Map<string, string[]>();
  for (const t of part) for (const e of t.groups.flat()) if (local.has(e.from)) next.set(e.from, [...(next.get(e.from) ?? []), t.name]);
  const certainAfter = new Map<string, boolean>();
  const byName = new Map(part.map((t) => [t.name, t]));
  for (const t of [...part].reverse())
    certainAfter.set(t.name, (next.get(t.name) ?? []).some((u) => byName.get(u)!.certain || certainAfter.get(u)!));
  const out: string[] = [];
  for (const t of part) {
    if (t.certain && !certainAfter.get(t.name)) out.push(anyOf(t.accept.map((p) => `${t.name}.${RESULT[p]}`)));
    else if (crossing.has(t.name)) out.push(waitFor({ from: t.name, accept: t.accept }));
    else if (!t.certain && canFailUncaught(t, gate)) out.push(`!${t.name}.Failed && !${t.name}.Errored`);
  }
  return out;
}

const anyOf = (xs: string[]) => xs.join(" || ");

/** A task whose Failed or Error phase stops the flow: a step without `catch`, or a fan-out; never a gate. */
function canFailUncaught(t: TaskNode, gate: Gate): boolean {
  return !t.accept.includes("Failed") && !(gate.used && t.template === gate.name);
}
