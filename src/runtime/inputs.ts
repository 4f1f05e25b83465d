import type { JsonValue } from "../flow/ir.ts";
import type { GraphNode } from "../graph/types.ts";
import { attemptName, indexDepth, lastPosition, parentIndex, taskInRun, truncateIndex } from "../contract/layout.ts";
import { at, InputError, type RunReader } from "./reader.ts";
import type { View } from "./records.ts";

/** One parent task as the step sees it. */
export interface TaskInput {
  step: string;
  index: string;
  /** The parent's visible artifacts: what it saw, overlaid with what it produced. */
  view: View;
  item: JsonValue | undefined;
  /** A join's sub-folder for this input: `<step>` (split) or `<step>.<position>` (foreach). */
  name: string;
}

export interface ResolvedInputs {
  /** What `ctx.get` and a non-join's FLOWC_INPUT_DIR see. */
  view: View;
  /** start: none; a non-join: its one parent; a join: one per branch or foreach item. */
  inputs: TaskInput[];
  join: boolean;
}

/**
 * Which parent tasks a task reads, from the datastore alone (this is what lets `flowc step` run
 * anywhere):
 *   - a non-join reads its parent at its own index (a foreach body's first step: the foreach's index);
 *     reached from several parents (after a switch), it reads the one whose edge was taken;
 *   - a split join reads one parent per branch, at its own index;
 *   - a foreach join reads the body's last step at each child index listed in the opener's foreach.json.
 * A parent whose failure was caught (failed.json) passes its own inputs through.
 */
export async function resolveInputs(r: RunReader, step: string, index: string): Promise<ResolvedInputs> {
  const node = nodeOf(r, step);
  if (node.parents.length === 0) return { view: {}, inputs: [], join: false };
  if (!node.step.join) {
    const parentIdx = truncateIndex(index, Math.min(indexDepth(index), nodeOf(r, node.parents[0]!).foreachDepth));
    const taken = await takenParent(r, node.parents, step, parentIdx);
    if (!taken) throw new InputError(`no parent of \`${step}\`${at(index)} has finished (${node.parents.map((p) => `\`${p}\``).join(", ")})`);
    const input = await inputOf(r, taken.step, parentIdx, taken.view, taken.step);
    return { view: input.view, inputs: [input], join: false };
  }

  const opener = node.closes ? nodeOf(r, node.closes) : undefined;
  if (!opener) throw new InputError(`join \`${step}\` closes nothing`);
  const inputs: TaskInput[] = [];
  if (opener.step.transition.kind === "foreach") {
    const children = await r.foreachChildren(opener.step.name, index);
    const width = String(Math.max(children.length - 1, 0)).length;
    // Read every child at once: a join over 1,000 items must not pay 1,000 round trips in a row.
    const found = await Promise.all(children.map((c) => takenParent(r, node.parents, step, c)));
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      const taken = found[i];
      if (!taken) throw new InputError(`item ${c} of foreach \`${opener.step.name}\` has not reached \`${step}\``);
      inputs.push(await inputOf(r, taken.step, c, taken.view, `${taken.step}.${String(lastPosition(c)).padStart(width, "0")}`));
    }
  } else {
    // Group the join's parents by the split branch they end: a branch with a switch ends in several.
    const branches = new Map<number, string[]>();
    for (const p of node.parents) {
      const f = p === opener.step.name ? undefined : nodeOf(r, p).frames.find((fr) => fr.kind === "split" && fr.step === opener.step.name);
      const b = f && f.kind === "split" ? f.branch : -1 - branches.size;
      branches.set(b, [...(branches.get(b) ?? []), p]);
    }
    for (const parents of branches.values()) {
      const taken = await takenParent(r, parents, step, index);
      if (!taken) throw new InputError(`branch ${parents.map((p) => `\`${p}\``).join("/")} of split \`${opener.step.name}\`${at(index)} has not finished`);
      inputs.push(await inputOf(r, taken.step, index, taken.view, taken.step));
    }
  }
  const view = inputs.length > 0 ? common(inputs.map((i) => i.view)) : ((await outputView(r, opener.step.name, index)) ?? {});
  return { view, inputs, join: true };
}

/**
 * A task's output view (what its children see), or undefined when it neither finished nor failed
 * with the failure caught.
 */
export async function outputView(r: RunReader, step: string, index: string): Promise<View | undefined> {
  const done = await r.done(step, index);
  if (done) {
    const view: View = { ...done.inherited };
    const here = `${taskInRun(step, index)}/${attemptName(done.attempt)}`;
    for (const name of done.artifacts) {
      const enc = done.encodings?.[name];
      view[name] = enc ? { at: here, enc } : { at: here };
    }
    return view;
  }
  if (await r.failed(step, index)) return (await resolveInputs(r, step, index)).view;
  return undefined;
}

/** The item of the innermost foreach around a step, at an index path. */
export async function itemOf(r: RunReader, step: string, index: string): Promise<JsonValue | undefined> {
  const frames = nodeOf(r, step).frames.filter((f) => f.kind === "foreach");
  const opener = frames[frames.length - 1];
  if (!opener || index === "") return undefined;
  const items = await r.items(opener.step, parentIndex(index));
  const pos = lastPosition(index);
  if (pos >= items.length) throw new InputError(`index ${index} is past the ${items.length} items of foreach \`${opener.step}\``);
  return items[pos];
}

/** Of the parents that lead to `target`, the one whose edge was taken, with its output view. */
async function takenParent(r: RunReader, parents: string[], target: string, index: string): Promise<{ step: string; view: View } | undefined> {
  for (const p of parents) {
    const t = nodeOf(r, p).step.transition;
    if (t.kind === "switch" && parents.length > 1) {
      const chosen = await r.switchCase(p, index);
      if (t.cases.find((c) => c.value === chosen)?.next !== target) continue;
    }
    const view = await outputView(r, p, index);
    if (view) return { step: p, view };
  }
  return undefined;
}

async function inputOf(r: RunReader, step: string, index: string, view: View, name: string): Promise<TaskInput> {
  return { step, index, view, item: await itemOf(r, step, index), name };
}

/** What every input agrees on: the same artifact from the same task (in practice, from before the split). */
function common(views: View[]): View {
  const [first, ...rest] = views;
  const out: View = {};
  for (const [name, ref] of Object.entries(first ?? {})) if (rest.every((v) => v[name]?.at === ref.at)) out[name] = ref;
  return out;
}

function nodeOf(r: RunReader, step: string): GraphNode {
  const node = r.scope.graph.nodes.get(step);
  if (!node) throw new InputError(`the flow has no step \`${step}\``);
  return node;
}
