/**
 * Random valid flows for property tests: sequences of blocks, each a plain step, a split with its
 * join, a foreach with its join, or a switch whose cases (possibly empty, possibly sharing a target)
 * meet again at a plain step. Blocks nest, so every shape the graph allows appears: split in
 * foreach, foreach in foreach, switch in a branch, a switch case straight to the merge step.
 */
import fc from "fast-check";
import { stringify } from "yaml";

export type Block =
  | { k: "step" }
  | { k: "chain"; n: number }
  | { k: "split"; branches: Block[][] }
  | { k: "foreach"; body: Block[]; parallelism?: number }
  | { k: "switch"; cases: Block[][] };

export interface StepOpts {
  catch: boolean;
  retry: number;
  timeout: boolean;
}

const opts: fc.Arbitrary<StepOpts> = fc.record({
  catch: fc.constantFrom(false, false, false, true),
  retry: fc.constantFrom(0, 0, 1, 3),
  timeout: fc.boolean(),
});

/** Like `blocks`, with long chains too: scopes of more than 200 tasks, which Argo v4 makes us cut into parts. */
export const bigBlocks = (chain: number): fc.Arbitrary<Block[]> => blockTree(fc.integer({ min: 20, max: chain }));
export const blocks: fc.Arbitrary<Block[]> = blockTree(undefined);

function blockTree(chain: fc.Arbitrary<number> | undefined): fc.Arbitrary<Block[]> {
  return fc.letrec<{ seq: Block[]; nonEmpty: Block[]; block: Block }>((tie) => ({
  seq: fc.array(tie("block"), { minLength: 0, maxLength: 3 }),
  nonEmpty: fc.array(tie("block"), { minLength: 1, maxLength: 3 }),
  block: fc.oneof(
    { maxDepth: 3, withCrossShrink: true },
    fc.constant<Block>({ k: "step" }),
    ...(chain ? [fc.record({ k: fc.constant("chain" as const), n: chain })] : []),
    fc.record({ k: fc.constant("split" as const), branches: fc.array(tie("nonEmpty"), { minLength: 2, maxLength: 3 }) }),
    fc.record({ k: fc.constant("foreach" as const), body: tie("nonEmpty"), parallelism: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }) }),
    fc.record({ k: fc.constant("switch" as const), cases: fc.array(tie("seq"), { minLength: 1, maxLength: 3 }) }),
  ),
  })).seq;
}

/**
 * The flow document for a block sequence between `start` and `end`. Names mix `_` and `-` (x_3 and
 * x-3 can both appear) so that Argo name sanitizing and collisions are exercised.
 */
export function flowYaml(seq: Block[], stepOpts: (i: number) => StepOpts): string {
  const steps: Record<string, Record<string, unknown>> = {};
  let n = 0;
  const fresh = (prefix: string) => {
    n++;
    return n % 7 === 3 ? `${prefix}_${n - 1}` : `${prefix}-${n}`;
  };
  const add = (name: string, s: Record<string, unknown>) => {
    const o = stepOpts(n % 64);
    steps[name] = {
      command: ["run", name],
      ...s,
      // The flow format refuses catch on a switch (a failed switch chooses no case).
      ...(o.catch && !s.switch ? { catch: true } : {}),
      ...(o.retry ? { retry: { times: o.retry, backoff: { delay: "2s", factor: 2, max: "1m" } } } : {}),
      ...(o.timeout ? { timeout: "10m" } : {}),
    };
  };
  /** Builds `seq` so that it continues at `after`; returns its first step (or `after` when empty). */
  const build = (bs: Block[], after: string): string => {
    let next = after;
    for (let i = bs.length - 1; i >= 0; i--) {
      const b = bs[i]!;
      if (b.k === "chain") {
        for (let j = 0; j < b.n; j++) {
          const name = fresh("s");
          add(name, { next });
          next = name;
        }
      } else if (b.k === "step") {
        const name = fresh("s");
        add(name, { next });
        next = name;
      } else if (b.k === "split") {
        const open = fresh("split");
        const join = fresh("join");
        add(join, { join: true, next });
        add(open, { next: b.branches.map((br) => build(br, join)) });
        next = open;
      } else if (b.k === "foreach") {
        const open = fresh("each");
        const join = fresh("gather");
        add(join, { join: true, next });
        add(open, { foreach: true, next: build(b.body, join), ...(b.parallelism ? { parallelism: b.parallelism } : {}) });
        next = open;
      } else {
        const open = fresh("pick");
        const merge = fresh("merge");
        add(merge, { next });
        add(open, { switch: Object.fromEntries(b.cases.map((c, k) => [`c${k}`, build(c, merge)])) });
        next = open;
      }
    }
    return next;
  };
  steps.end = { command: ["run", "end"] };
  const first = build(seq, "end");
  steps.start = { command: ["run", "start"], next: first };
  return stringify({ apiVersion: "flowc/v1", name: "random", parameters: { p: { type: "string", default: "x" } }, steps });
}

export const stepOptions = fc.array(opts, { minLength: 64, maxLength: 64 });
