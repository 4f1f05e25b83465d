// A generator of random valid flows: nested chains, splits (a branch may go straight to the join),
// foreaches and switches (a case may skip ahead to wherever the switch leads).
import fc from "fast-check";
import { stringify } from "yaml";

type Block =
  | { k: "step" }
  | { k: "seq"; parts: Block[] }
  | { k: "split"; branches: (Block | null)[] }
  | { k: "foreach"; body: Block }
  | { k: "switch"; cases: (Block | null)[] };

export const block: fc.Arbitrary<Block> = fc.letrec<{ block: Block }>((tie) => ({
  block: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant({ k: "step" } as Block),
    fc.record({ k: fc.constant("seq" as const), parts: fc.array(tie("block"), { minLength: 2, maxLength: 3 }) }),
    // A split lists each child once, so at most one branch may go straight to the join (null).
    fc
      .tuple(tie("block"), fc.array(tie("block"), { minLength: 0, maxLength: 2 }), fc.boolean())
      .map(([a, rest, direct]) => ({ k: "split" as const, branches: direct ? [a, null, ...rest] : [a, ...rest] }))
      .filter((b) => b.branches.length >= 2),
    fc.record({ k: fc.constant("foreach" as const), body: tie("block") }),
    fc.record({ k: fc.constant("switch" as const), cases: fc.array(fc.option(tie("block"), { nil: null }), { minLength: 1, maxLength: 3 }) }),
  ),
})).block;

/** Renders a block as flow steps that go to `exit` when done; returns the block's first step. */
function render(b: Block, exit: string, steps: Record<string, Record<string, unknown>>, counter: { n: number }): string {
  const name = () => `s${counter.n++}`;
  switch (b.k) {
    case "step": {
      const n = name();
      steps[n] = { command: ["run"], next: exit };
      return n;
    }
    case "seq": {
      let next = exit;
      for (const part of [...b.parts].reverse()) next = render(part, next, steps, counter);
      return next;
    }
    case "split": {
      const open = name();
      const join = name();
      steps[join] = { command: ["run"], join: true, next: exit };
      steps[open] = { command: ["run"], next: b.branches.map((br) => (br ? render(br, join, steps, counter) : join)) };
      return open;
    }
    case "foreach": {
      const open = name();
      const join = name();
      steps[join] = { command: ["run"], join: true, next: exit };
      steps[open] = { command: ["run"], foreach: true, next: render(b.body, join, steps, counter) };
      return open;
    }
    case "switch": {
      const open = name();
      steps[open] = { command: ["run"], switch: Object.fromEntries(b.cases.map((c, i) => [`c${i}`, c ? render(c, exit, steps, counter) : exit])) };
      return open;
    }
  }
}

export function flowYaml(b: Block): string {
  const steps: Record<string, Record<string, unknown>> = {};
  const first = render(b, "end", steps, { n: 0 });
  steps.end = { command: ["run"] };
  return stringify({ apiVersion: "flowc/v1", name: "random", steps: { start: { command: ["run"], next: first }, ...steps } });
}

