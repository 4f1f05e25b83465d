import { childMachineName, stateName } from "../../names/sfn.ts";
import { ordered, type ChoiceState, type Definition, type Graph, type MapState, type ParallelState, type State } from "./asl.ts";
import { START_CHILD, startChildTask, VERSION_SUFFIX_BYTES } from "./child.ts";
import type { SfnContext } from "./context.ts";
import type { Block, ScopeBlocks } from "./scope.ts";

/**
 * One state machine of a flow's family: the flow's own (`key` "") or a child that runs one of its
 * scopes (a run of chained steps, a foreach body, some branches of a split), started by its parent
 * with `states:startExecution.sync:2`.
 */
export interface MachinePart {
  /** "" for the flow's own machine; else what the child runs, e.g. `Steps-s120`, `Foreach-fan`. */
  key: string;
  name: string;
  /** Unqualified: deploy pins references to the version it publishes. */
  arn: string;
  /** The parent's key. */
  parent?: string;
  definition: Definition;
  /** What it runs, in words ("steps s1 … s99"). */
  what: string;
}

/** A segment ending at the scope's end (its join, or the end of the run) rather than at a step. */
const EXIT = "\u0000exit";
/** Room kept in a child for its Comment and StartAt. */
const CHILD_HEADER = 512;
/** Only about one step in eight may start a segment when another cut is as good: see `anchor`. */
const ANCHOR_EVERY = 8;

const bytes = (text: string) => Buffer.byteLength(text);

/** Compact JSON size, with the bytes deploy adds when it pins each child reference to a version. */
export function uploadSize(text: string): number {
  let refs = 0;
  for (let at = text.indexOf(START_CHILD); at >= 0; at = text.indexOf(START_CHILD, at + START_CHILD.length)) refs++;
  return bytes(text) + refs * VERSION_SUFFIX_BYTES;
}

const sizeOf = (value: unknown) => uploadSize(JSON.stringify(value));

const entrySize = (name: string, state: State) => bytes(JSON.stringify(name)) + 2 + sizeOf(state);

/**
 * Segment boundaries that depend only on the steps' names: when a segment may end at several steps,
 * it prefers one before an anchor, so an edit that grows or shrinks one segment a little moves no
 * boundary after it, and the children's names (taken from their first step) stay as they were.
 */
function anchor(step: string): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < step.length; i++) h = Math.imul(h ^ step.charCodeAt(i), 0x01000193) >>> 0;
  return h % ANCHOR_EVERY === 0;
}

/**
 * Cuts a definition larger than `maxBytes` into a family of state machines, at scope boundaries:
 * 1. a step whose states are larger than a child can hold gives its nested scopes away: a split's
 *    branches go to children in groups, a foreach body to a child of its own;
 * 2. then the scope's chain of steps is cut into segments, each a child, as few as bring the
 *    machine under its budget. A segment has one way in (its first step) and one way out (one step
 *    after it, or the end of the scope), so the parent goes on exactly where the steps would have.
 * Children are cut again the same way when needed. What cannot be cut (one step's states over the
 * budget) is left for the size check to report.
 */
export function splitFamily(ctx: SfnContext, root: Definition, maxBytes: number): MachinePart[] {
  return new Splitter(ctx, maxBytes).run(root);
}

/**
 * Sets each child's parent from the machines' compact JSON: a child's Task may have moved on with a
 * segment cut after it was made, so the parent is whoever starts it in the end. (Reading the text the
 * size check needs anyway is much cheaper than walking ten thousand states again.)
 */
export function assignParents(family: MachinePart[], texts: string[], integration: string): void {
  const byArn = new Map(family.map((m) => [m.arn, m]));
  // Key order is fixed (asl.ts), so a child Task always reads like this.
  const needle = `"Resource":${JSON.stringify(integration)},"Parameters":{"StateMachineArn":"`;
  family.forEach((m, i) => {
    const text = texts[i]!;
    for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
      const from = at + needle.length;
      const child = byArn.get(text.slice(from, text.indexOf('"', from)));
      if (child) child.parent = m.key;
    }
  });
}

class Splitter {
  private readonly machines: MachinePart[] = [];
  private readonly childRoom: number;
  private readonly taskBytes: number;

  constructor(
    private readonly ctx: SfnContext,
    private readonly max: number,
  ) {
    this.childRoom = max - CHILD_HEADER;
    const sample = startChildTask(ctx, ctx.arns.machine(`${ctx.names.stateMachine}-Steps-${"x".repeat(24)}`), `steps ${"x".repeat(24)} to ${"x".repeat(24)}: state machine ${"x".repeat(60)}`);
    this.taskBytes = entrySize("x".repeat(30), { ...sample, Next: "x".repeat(24) } as State);
  }

  run(root: Definition): MachinePart[] {
    const part: MachinePart = { key: "", name: this.ctx.names.stateMachine, arn: this.ctx.arns.machine(this.ctx.names.stateMachine), definition: root, what: "" };
    this.machines.push(part);
    this.fit(part);
    return this.machines;
  }

  /** `known`: the size of the machine's states when the caller measured them already. */
  private fit(part: MachinePart, known?: number): void {
    const def = part.definition;
    const room = this.max - sizeOf({ ...def, States: {} });
    if (known !== undefined && known <= room) return;
    const states = def.States;
    const info = this.ctx.scopes.get(states);
    if (!info) return; // nothing known to cut: the size check reports it
    // Each block is measured once here; a block that gives its nested scopes away is measured again.
    const sizes = info.blocks.map((b) => blockSize(states, b));
    const inBlocks = new Set(info.blocks.flatMap((b) => b.names));
    let others = 2;
    for (const [name, s] of Object.entries(states)) if (!inBlocks.has(name)) others += entrySize(name, s);
    const total = () => sizes.reduce((a, b) => a + b, others);
    if (total() <= room) return;
    info.blocks.forEach((block, i) => {
      if (sizes[i]! <= this.childRoom) return;
      this.shrinkNested(part, states, block);
      sizes[i] = blockSize(states, block);
    });
    if (total() <= room) return;
    this.segment(part, def, info, room, sizes, total());
  }

  /** A step too large to move whole gives its split branches and foreach body to children. */
  private shrinkNested(part: MachinePart, states: Record<string, State>, block: Block): void {
    for (const name of block.names) {
      const s = states[name]!;
      if (s.Type === "Parallel") this.groupBranches(part, block.step, name, s);
      else if (s.Type === "Map" && this.ctx.scopes.has(s.ItemProcessor.States)) this.extractBody(part, block.step, s);
    }
  }

  private groupBranches(part: MachinePart, split: string, parName: string, par: ParallelState): void {
    const overhead = sizeOf({ ...par, Branches: [] }) + CHILD_HEADER;
    const groups: Graph[][] = [];
    let current: Graph[] = [];
    let acc = overhead;
    for (const b of par.Branches) {
      const size = sizeOf(b) + 1;
      if (current.length && acc + size > this.childRoom) {
        groups.push(current);
        current = [];
        acc = overhead;
      }
      current.push(b);
      acc += size;
    }
    if (current.length) groups.push(current);
    par.Branches = groups.map((group) => {
      const first = group[0]!.StartAt;
      const what = group.length === 1 ? `the branch of ${split} that starts at ${first}` : `${group.length} branches of ${split}, from the one that starts at ${first}`;
      const graph: Graph =
        group.length === 1
          ? group[0]!
          : {
              StartAt: parName,
              States: { [parName]: ordered({ Type: "Parallel", Comment: par.Comment, Branches: group, ResultPath: null, End: true, OutputPath: null } as ParallelState) },
            };
      const child = this.child(part, `Split-${split}-${first}`, graph, what);
      const task = stateName(split, "branches", first);
      return { StartAt: task, States: { [task]: ordered({ ...startChildTask(this.ctx, child.arn, `${what}: state machine ${child.name}.`), End: true, OutputPath: null } as State) } };
    });
  }

  private extractBody(part: MachinePart, foreach: string, map: MapState): void {
    const body = map.ItemProcessor;
    const what = `the body of foreach ${foreach}`;
    const child = this.child(part, `Foreach-${foreach}`, { StartAt: body.StartAt, States: body.States }, what);
    const task = stateName(foreach, "body");
    map.ItemProcessor = {
      ProcessorConfig: body.ProcessorConfig,
      StartAt: task,
      States: { [task]: ordered({ ...startChildTask(this.ctx, child.arn, `${what}, once per item: state machine ${child.name}.`), End: true, OutputPath: null } as State) },
    } as MapState["ItemProcessor"];
  }

  /** Cuts the scope's chain into segments (children), from its start, until the machine fits. */
  private segment(part: MachinePart, graph: Graph, info: ScopeBlocks, room: number, sizes: number[], size: number): void {
    const states = graph.States;
    const blocks = info.blocks;
    const n = blocks.length;
    const index = new Map(blocks.map((b, i) => [b.step, i]));
    const succ = blocks.map((b) => this.successors(b.step, info.closer).map((t) => (t === EXIT ? EXIT : index.has(t) ? t : EXIT)));
    const preds: number[][] = blocks.map(() => []);
    succ.forEach((ts, i) => ts.forEach((t) => t !== EXIT && preds[index.get(t)!]!.push(i)));

    let total = size;
    const cuts: { from: number; to: number; exit: string }[] = [];
    for (let i = 0; i < n && total > room; ) {
      const exits = new Map<string, number>();
      let acc = CHILD_HEADER;
      let lastValid: { j: number; acc: number; exit: string } | undefined;
      let lastAnchor: typeof lastValid;
      for (let j = i; j < n; j++) {
        acc += sizes[j]!;
        if (acc > this.childRoom) break;
        // Every way into the segment but the first step must come from inside it.
        if (j > i && preds[j]!.some((p) => p < i)) break;
        const inner = preds[j]!.filter((p) => p >= i).length;
        if (inner) {
          const left = (exits.get(blocks[j]!.step) ?? 0) - inner;
          if (left > 0) exits.set(blocks[j]!.step, left);
          else exits.delete(blocks[j]!.step);
        }
        for (const t of succ[j]!) exits.set(t, (exits.get(t) ?? 0) + 1);
        if (exits.size !== 1) continue;
        const cut = { j, acc, exit: [...exits.keys()][0]! };
        lastValid = cut;
        if (j === n - 1 || anchor(blocks[j + 1]!.step)) lastAnchor = cut;
      }
      const chosen = lastAnchor && lastValid && lastAnchor.acc * 2 >= lastValid.acc ? lastAnchor : lastValid;
      // A lone small step is not worth a machine: the Task that would start it is about as large.
      if (!chosen || (chosen.j === i && sizes[i]! < 2 * this.taskBytes)) {
        i++;
        continue;
      }
      cuts.push({ from: i, to: chosen.j, exit: chosen.exit });
      total -= chosen.acc - CHILD_HEADER - this.taskBytes;
      i = chosen.j + 1;
    }
    if (!cuts.length) return;

    const renamed = new Map<string, string>();
    const replaced = new Map<string, [string, State]>();
    const moved = new Set<string>();
    const newBlocks: Block[] = [];
    let at = 0;
    for (const cut of cuts) {
      newBlocks.push(...blocks.slice(at, cut.from));
      const seg = blocks.slice(cut.from, cut.to + 1);
      const known = sizes.slice(cut.from, cut.to + 1).reduce((a, b) => a + b, 2);
      const { name, state } = this.extractSegment(part, states, info, seg, cut.exit, known);
      for (const b of seg) for (const s of b.names) moved.add(s);
      renamed.set(seg[0]!.step, name);
      replaced.set(seg[0]!.names[0]!, [name, state]);
      newBlocks.push({ step: seg[0]!.step, names: [name] });
      at = cut.to + 1;
    }
    newBlocks.push(...blocks.slice(at));
    // The scope's object keeps its identity (its Parallel branch or Map body holds it): rebuilt in place.
    const entries = Object.entries(states);
    for (const k of Object.keys(states)) delete states[k];
    for (const [k, s] of entries) {
      const r = replaced.get(k);
      // A segment's Task may go on to the first step of the next segment, renamed too.
      if (r) states[r[0]] = retarget(r[1], renamed);
      else if (!moved.has(k)) states[k] = retarget(s, renamed);
    }
    graph.StartAt = renamed.get(graph.StartAt) ?? graph.StartAt;
    info.blocks = newBlocks;
  }

  private extractSegment(part: MachinePart, states: Record<string, State>, info: ScopeBlocks, seg: Block[], exit: string, known: number): { name: string; state: State } {
    const first = seg[0]!.step;
    const last = seg[seg.length - 1]!.step;
    const what = seg.length === 1 ? `step ${first}` : `steps ${first} to ${last}`;
    const done = "Done";
    let needsDone = false;
    const childStates: Record<string, State> = {};
    for (const b of seg)
      for (const name of b.names) {
        const s = states[name]!;
        if (exit === EXIT) childStates[name] = s;
        else if (s.Type === "Choice") {
          needsDone ||= s.Default === exit || s.Choices.some((c) => c.Next === exit);
          childStates[name] = retarget(s, new Map([[exit, done]]));
        } else if ("Next" in s && s.Next === exit) {
          const { Next: _, ...rest } = s as State & { Next: string };
          childStates[name] = ordered({ ...rest, End: true, OutputPath: null } as State);
        } else childStates[name] = s;
      }
    if (needsDone) childStates[done] = { Type: "Pass", Comment: `The parent goes on at ${exit}.`, End: true, OutputPath: null };
    this.ctx.scopes.set(childStates, { frames: info.frames, closer: exit === EXIT ? info.closer : exit, blocks: seg });
    // A Choice may have gained a Pass to `Done`: measured as the block was, plus that.
    const child = this.child(part, `Steps-${first}`, { StartAt: first, States: childStates }, what, needsDone ? undefined : known);
    const ends = exit !== EXIT ? { Next: exit } : info.closer === undefined ? { End: true } : { End: true, OutputPath: null };
    return { name: stateName(first, "steps"), state: ordered({ ...startChildTask(this.ctx, child.arn, `${what}: state machine ${child.name}.`), ...ends } as State) };
  }

  private child(parent: MachinePart, key: string, graph: Graph, what: string, known?: number): MachinePart {
    const name = childMachineName(this.ctx.names.stateMachine, key);
    if (this.machines.some((m) => m.name === name)) throw new Error(`two parts of ${this.ctx.ir.name} would be state machine ${name} (a flowc bug)`);
    const part: MachinePart = {
      key,
      name,
      arn: this.ctx.arns.machine(name),
      parent: parent.key,
      definition: { Comment: `flowc: ${this.ctx.ir.name} (${this.ctx.env.name}): ${what}, started by ${parent.name}.`, StartAt: graph.StartAt, States: graph.States },
      what,
    };
    this.machines.push(part);
    this.fit(part, known);
    return part;
  }

  /** Where a step leads within its scope: steps, or EXIT for the scope's end. */
  private successors(step: string, closer: string | undefined): string[] {
    const node = this.ctx.graph.nodes.get(step)!;
    const t = node.step.transition;
    const to = (s: string) => (s === closer ? EXIT : s);
    if (t.kind === "linear") return [to(t.next)];
    if (t.kind === "split" || t.kind === "foreach") return [to(node.closedBy!)];
    if (t.kind === "switch") return [...new Set(t.cases.map((c) => to(c.next)))];
    return [EXIT];
  }
}

function blockSize(states: Record<string, State>, block: Block): number {
  let n = 0;
  for (const name of block.names) n += entrySize(name, states[name]!);
  return n;
}

/** The same state with its transitions to renamed states moved (Next, Default, Choices). */
function retarget(s: State, renamed: Map<string, string>): State {
  if (!renamed.size) return s;
  if (s.Type === "Choice") {
    const c = s as ChoiceState;
    const moved = c.Choices.some((r) => renamed.has(r.Next)) || renamed.has(c.Default);
    if (!moved) return s;
    return { ...c, Choices: c.Choices.map((r) => (renamed.has(r.Next) ? { ...r, Next: renamed.get(r.Next)! } : r)), Default: renamed.get(c.Default) ?? c.Default };
  }
  if ("Next" in s && typeof s.Next === "string" && renamed.has(s.Next)) return { ...s, Next: renamed.get(s.Next)! } as State;
  return s;
}
