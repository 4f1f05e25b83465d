import { closest } from "../util/closest.ts";
import type { StepIR, TransitionIR } from "../flow/ir.ts";
import { scopeKey, type Frame, type Graph, type GraphNode, type GraphProblem } from "./types.ts";

interface Edge {
  to: string;
  /** Where the edge is written, for diagnostics. */
  path: (string | number)[];
}

export function edgesOf(step: StepIR): Edge[] {
  const t: TransitionIR = step.transition;
  switch (t.kind) {
    case "linear":
    case "foreach":
      return [{ to: t.next, path: ["steps", step.name, "next"] }];
    case "split":
      return t.next.map((to, i) => ({ to, path: ["steps", step.name, "next", i] }));
    case "switch":
      return t.cases.map((c) => ({ to: c.next, path: ["steps", step.name, "switch", c.value] }));
    case "end":
      return [];
  }
}

/**
 * Checks the graph rules and computes the shared analysis: flow order, the scopes (split branches
 * and foreach bodies) every step sits in, and which join closes which split or foreach.
 */
export function analyzeGraph(steps: readonly StepIR[]): { graph: Graph; problems: GraphProblem[] } {
  const problems: GraphProblem[] = [];
  const byName = new Map(steps.map((s) => [s.name, s]));
  const edges = new Map<string, Edge[]>();

  if (!byName.has("start"))
    problems.push({ code: "MISSING_START", message: "the flow has no `start` step", hint: "every flow begins at a step named `start`", path: ["steps"] });
  if (!byName.has("end"))
    problems.push({ code: "MISSING_END", message: "the flow has no `end` step", hint: "every flow finishes at a step named `end`", path: ["steps"] });
  if (byName.get("start")?.join)
    problems.push({ code: "START_IS_JOIN", message: "`start` cannot be a join", hint: "remove `join: true` from `start`", path: ["steps", "start", "join"] });

  for (const s of steps) {
    const out: Edge[] = [];
    const seen = new Set<string>();
    for (const e of edgesOf(s)) {
      if (!byName.has(e.to)) {
        problems.push({
          code: "UNKNOWN_TARGET",
          message: `step \`${s.name}\` goes to \`${e.to}\`, which is not a step of this flow`,
          hint: suggest(e.to, [...byName.keys()]),
          path: e.path,
        });
        continue;
      }
      if (e.to === s.name) {
        problems.push({ code: "SELF_LOOP", message: `step \`${s.name}\` goes to itself`, hint: "flows are acyclic; use a foreach to repeat work", path: e.path });
        continue;
      }
      if (s.transition.kind === "split" && seen.has(e.to)) {
        problems.push({ code: "DUPLICATE_BRANCH", message: `split \`${s.name}\` lists \`${e.to}\` twice`, hint: "list each branch once", path: e.path });
        continue;
      }
      seen.add(e.to);
      out.push(e);
    }
    edges.set(s.name, out);
  }

  // Depth-first from start, iteratively (a 10,000-step chain must not overflow the stack).
  const color = new Map<string, 1 | 2>();
  const postorder: string[] = [];
  const reportedCycles = new Set<string>();
  const dfs = (root: string) => {
    const stack: { name: string; i: number }[] = [{ name: root, i: 0 }];
    color.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const out = edges.get(top.name) ?? [];
      if (top.i < out.length) {
        // Children are visited last-first so that reverse postorder lists them first-first.
        const e = out[out.length - 1 - top.i++]!;
        const c = color.get(e.to);
        if (c === 1) {
          const from = stack.findIndex((f) => f.name === e.to);
          const loop = [...stack.slice(from).map((f) => f.name), e.to];
          const key = [...loop.slice(0, -1)].sort().join(",");
          if (!reportedCycles.has(key)) {
            reportedCycles.add(key);
            problems.push({
              code: "CYCLE",
              message: `the steps form a cycle: ${loop.join(" → ")}`,
              hint: "flows are acyclic; remove one of these edges (a foreach repeats work without a loop)",
              path: e.path,
            });
          }
          edges.set(top.name, out.filter((x) => x !== e));
          top.i--;
          // the removed edge shifts the remaining ones; keep visiting from the same logical position
        } else if (c === undefined) {
          color.set(e.to, 1);
          stack.push({ name: e.to, i: 0 });
        }
      } else {
        color.set(top.name, 2);
        postorder.push(top.name);
        stack.pop();
      }
    }
  };
  if (byName.has("start")) dfs("start");
  const order = postorder.reverse();
  for (const s of steps) {
    if (!color.has(s.name) && byName.has("start"))
      problems.push({
        code: "UNREACHABLE",
        message: `step \`${s.name}\` cannot be reached from \`start\``,
        hint: "point a `next` or `switch` case at it, or delete it",
        path: ["steps", s.name],
      });
  }

  const nodes = new Map<string, GraphNode>();
  for (const name of order) {
    const step = byName.get(name)!;
    nodes.set(name, { step, parents: [], children: (edges.get(name) ?? []).map((e) => e.to), frames: [], foreachDepth: 0 });
  }
  const incoming = new Map<string, { from: string; frames: Frame[] }[]>();
  for (const name of order) {
    for (const child of nodes.get(name)!.children) {
      nodes.get(child)?.parents.push(name);
    }
  }

  for (const name of order) {
    const node = nodes.get(name)!;
    const ins = incoming.get(name) ?? [];
    if (name !== "start") node.frames = resolveFrames(node, ins, nodes, problems);
    node.foreachDepth = node.frames.filter((f) => f.kind === "foreach").length;
    const t = node.step.transition;
    const outEdges = edges.get(name) ?? [];
    // Branch numbers by target, looked up once: a 10,000-way split must not search its list per branch.
    const branchOf = t.kind === "split" ? new Map(t.next.map((to, i) => [to, i] as const).reverse()) : undefined;
    outEdges.forEach((e, i) => {
      const frames: Frame[] =
        t.kind === "split"
          ? [...node.frames, { kind: "split", step: name, branch: branchOf!.get(e.to) ?? i }]
          : t.kind === "foreach"
            ? [...node.frames, { kind: "foreach", step: name }]
            : node.frames;
      const list = incoming.get(e.to) ?? [];
      list.push({ from: name, frames });
      incoming.set(e.to, list);
    });
  }

  const end = nodes.get("end");
  if (end && end.frames.length > 0) reportOpen(end.frames, "end", problems);

  const scopes = new Map<string, string[]>();
  for (const name of order) {
    const key = scopeKey(nodes.get(name)!.frames);
    const list = scopes.get(key) ?? [];
    list.push(name);
    scopes.set(key, list);
  }
  return { graph: { order, nodes, scopes }, problems };
}

function resolveFrames(
  node: GraphNode,
  ins: { from: string; frames: Frame[] }[],
  nodes: Map<string, GraphNode>,
  problems: GraphProblem[],
): Frame[] {
  const name = node.step.name;
  if (ins.length === 0) return [];
  if (!node.step.join) {
    const keys = new Set(ins.map((i) => scopeKey(i.frames)));
    if (keys.size > 1) {
      const common = commonPrefix(ins.map((i) => i.frames));
      const open = ins.flatMap((i) => i.frames.slice(common.length, common.length + 1));
      const opener = open[0];
      if (name === "end") {
        reportOpen(uniqueFrames(open), "end", problems);
      } else if (opener) {
        problems.push({
          code: "MISSING_JOIN",
          message: `\`${name}\` gathers the branches of ${opener.kind} \`${opener.step}\` but is not a join`,
          hint: `add \`join: true\` to \`${name}\` (or route the branches to a join step first)`,
          path: ["steps", name],
        });
      }
      return common;
    }
    return ins[0]!.frames;
  }

  // A join: every parent edge must come from inside the same split or foreach.
  if (ins.some((i) => i.frames.length === 0)) {
    problems.push({
      code: "JOIN_NOTHING",
      message: `\`${name}\` is a join, but ${ins.filter((i) => i.frames.length === 0).map((i) => `\`${i.from}\``).join(", ")} is not inside a split or foreach`,
      hint: `remove \`join: true\` from \`${name}\`, or make it follow a split (\`next: [a, b]\`) or a foreach`,
      path: ["steps", name, "join"],
    });
    return commonPrefix(ins.map((i) => i.frames));
  }
  const tops = ins.map((i) => i.frames[i.frames.length - 1]!);
  const openers = [...new Set(tops.map((f) => f.step))];
  if (openers.length > 1) {
    problems.push({
      code: "WRONG_JOIN",
      message: `join \`${name}\` closes steps from different ${openers.map((o) => `\`${o}\``).join(" and ")} scopes`,
      hint: "each split or foreach needs its own join; nest them: the inner join first, then the outer",
      path: ["steps", name],
    });
    return commonPrefix(ins.map((i) => i.frames.slice(0, -1)));
  }
  const opener = openers[0]!;
  const outer = ins[0]!.frames.slice(0, -1);
  if (new Set(ins.map((i) => scopeKey(i.frames.slice(0, -1)))).size > 1) {
    problems.push({
      code: "WRONG_JOIN",
      message: `join \`${name}\` is reached from different enclosing scopes`,
      hint: "close inner splits and foreaches before this join",
      path: ["steps", name],
    });
  }
  const openerNode = nodes.get(opener)!;
  const ot = openerNode.step.transition;
  if (ot.kind === "split") {
    const got = new Set(tops.map((f) => (f.kind === "split" ? f.branch : -1)));
    const missing = ot.next.filter((_, i) => !got.has(i));
    if (missing.length)
      problems.push({
        code: "WRONG_JOIN",
        message: `join \`${name}\` closes split \`${opener}\` but does not receive its branch${missing.length > 1 ? "es" : ""} ${missing.map((m) => `\`${m}\``).join(", ")}`,
        hint: `route every branch of \`${opener}\` to \`${name}\``,
        path: ["steps", name],
      });
  } else if (ins.some((i) => i.from === opener)) {
    problems.push({
      code: "WRONG_JOIN",
      message: `foreach \`${opener}\` goes straight to its join \`${name}\`: the foreach has no body`,
      hint: `put the step that runs once per item between \`${opener}\` and \`${name}\``,
      path: ["steps", opener, "next"],
    });
  }
  if (openerNode.closedBy && openerNode.closedBy !== name) {
    problems.push({
      code: "WRONG_JOIN",
      message: `${ot.kind} \`${opener}\` is closed twice, by \`${openerNode.closedBy}\` and by \`${name}\``,
      hint: "route all branches to one join",
      path: ["steps", name],
    });
  }
  openerNode.closedBy = name;
  node.closes = opener;
  return outer;
}

function reportOpen(frames: Frame[], at: string, problems: GraphProblem[]) {
  for (const f of frames) {
    problems.push({
      code: f.kind === "split" ? "UNCLOSED_SPLIT" : "UNCLOSED_FOREACH",
      message: `${f.kind} \`${f.step}\` is never joined: its ${f.kind === "split" ? "branches" : "body"} reach \`${at}\` without a join`,
      hint: `add a step with \`join: true\` that ${f.kind === "split" ? "every branch" : "the body"} of \`${f.step}\` leads to`,
      path: ["steps", f.step, "next"],
    });
  }
}

function uniqueFrames(frames: Frame[]): Frame[] {
  const seen = new Set<string>();
  return frames.filter((f) => {
    if (seen.has(f.step)) return false;
    seen.add(f.step);
    return true;
  });
}

function commonPrefix(lists: Frame[][]): Frame[] {
  const first = lists[0] ?? [];
  let n = first.length;
  for (const l of lists) {
    let i = 0;
    while (i < n && i < l.length && scopeKey([l[i]!]) === scopeKey([first[i]!])) i++;
    n = i;
  }
  return first.slice(0, n);
}

function suggest(target: string, names: string[]): string {
  const near = closest(target, names);
  return near ? `did you mean \`${near}\`?` : `known steps: ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", ..." : ""}`;
}
