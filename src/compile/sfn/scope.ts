import { scopeKey, type Frame } from "../../graph/types.ts";
import { ordered, type State } from "./asl.ts";
import { catcher, catchStates } from "./catch.ts";
import { switchReadName, switchStates } from "./choice.ts";
import type { SfnContext } from "./context.ts";
import { END, exitTo, type Target } from "./exit.ts";
import { fanOutEntry, foreachStates } from "./map.ts";
import { splitName, splitState } from "./parallel.ts";
import { stepTask } from "./task.ts";

/** One step's states in a scope: its Task and the helpers after it (`<step>.<what>`, nested ones included). */
export interface Block {
  step: string;
  names: string[];
}

/** How an emitted scope was made: which blocks, in flow order, and the join that ends it (none at the top). */
export interface ScopeBlocks {
  frames: Frame[];
  closer: string | undefined;
  blocks: Block[];
}

/** Emits the states of one scope (the top level, a split branch or a foreach body) up to `closer`. */
export type EmitScope = (frames: Frame[], closer: string | undefined) => Record<string, State>;

/**
 * A scope's steps come from the graph analysis in flow order; each step's Task keeps the step's name,
 * and its helper states follow it, named `<step>.<what>` (a '.' never appears in a step name).
 */
export function emitScope(ctx: SfnContext, frames: Frame[], closer: string | undefined): Record<string, State> {
  const states: Record<string, State> = {};
  const emit: EmitScope = (f, c) => emitScope(ctx, f, c);
  const blocks: Block[] = [];
  for (const name of ctx.graph.scopes.get(scopeKey(frames)) ?? []) {
    const node = ctx.graph.nodes.get(name)!;
    const step = node.step;
    const t = step.transition;
    const block: Block = { step: name, names: [] };
    blocks.push(block);
    const put = (n: string, s: State) => {
      states[n] = ordered(s);
      block.names.push(n);
    };

    const after: Target =
      t.kind === "linear" ? t.next : t.kind === "end" ? END : t.kind === "split" ? splitName(name) : t.kind === "foreach" ? fanOutEntry(ctx, name) : switchReadName(name);
    // A caught failure carries on as if the step had succeeded, except that a failed foreach has no
    // items (its join runs with none) and a failed switch has no case (so catch does not apply).
    const afterCatch: Target | undefined = t.kind === "switch" ? undefined : t.kind === "foreach" ? node.closedBy! : after;
    if (step.catch && t.kind === "switch")
      ctx.problems.push({
        code: "TARGET_UNSUPPORTED",
        severity: "warning",
        message: `\`catch\` has no effect on switch step \`${name}\`: a failed switch chooses no case, so its failure ends the run`,
        hint: "move the risky work into a step before the switch, and catch that one",
        path: ["steps", name, "catch"],
      });
    const task = stepTask(ctx, step);
    const catching = step.catch && afterCatch !== undefined;
    put(name, { ...task, ...(catching ? { Catch: [catcher(name)] } : {}), ...exitTo(after, closer) } as State);
    if (catching) for (const [n, s] of Object.entries(catchStates(ctx, step, node.foreachDepth, afterCatch, closer))) put(n, s);

    if (t.kind === "split") put(splitName(name), splitState(node, emit));
    else if (t.kind === "foreach") for (const [n, s] of Object.entries(foreachStates(ctx, node, emit))) put(n, s);
    else if (t.kind === "switch") for (const [n, s] of Object.entries(switchStates(ctx, node, closer))) put(n, s);
  }
  // Remembered by the object's identity, which the Parallel branch or Map body that holds it keeps:
  // the splitter (split.ts) moves whole blocks, never parts of one.
  ctx.scopes.set(states, { frames, closer, blocks });
  return states;
}
