import type { GraphNode } from "../../graph/types.ts";
import { stateName } from "../../names/sfn.ts";
import type { Graph, ParallelState, State } from "./asl.ts";
import type { EmitScope } from "./scope.ts";

export const splitName = (step: string) => stateName(step, "split");

/**
 * A static split: one Parallel branch per child, each running up to the join. A branch that goes
 * straight to the join still needs a state, so it gets a Pass (a split lists each child once, so there
 * is at most one).
 */
export function splitState(node: GraphNode, emit: EmitScope): ParallelState {
  const t = node.step.transition;
  if (t.kind !== "split") throw new Error(`${node.step.name} is not a split`);
  const join = node.closedBy!;
  const branches: Graph[] = t.next.map((child, i) => {
    if (child === join) {
      const name = stateName(node.step.name, `to-${join}`);
      const pass: State = { Type: "Pass", Comment: `This branch of ${node.step.name} goes straight to ${join}.`, End: true, OutputPath: null };
      return { StartAt: name, States: { [name]: pass } };
    }
    return { StartAt: child, States: emit([...node.frames, { kind: "split", step: node.step.name, branch: i }], join) };
  });
  return {
    Type: "Parallel",
    Comment: `${node.step.name} splits into ${t.next.join(", ")}; ${join} joins them.`,
    Branches: branches,
    ResultPath: null,
    Next: join,
  };
}
