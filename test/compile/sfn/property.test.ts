// Random valid DAGs (nested chains, splits, foreaches and switches, with branches that go straight to
// a join and switch cases that skip ahead) compile to definitions in which every transition exists and
// every step appears exactly once on every path.
import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import type { Definition, State } from "../../../src/compile/sfn/asl.ts";
import { asl, compileText, testEnv } from "./helpers.ts";
import { block, flowYaml } from "./random-flows.ts";

type Outcome = { visited: string[]; ok: boolean };

/** Every path through a States graph: a Choice forks, a Parallel runs all branches, a Map its body once. */
function paths(states: Record<string, State>, at: string, isStep: (n: string) => boolean, budget: { left: number }): Outcome[] {
  if (--budget.left < 0) throw new Error("too many paths");
  expect(states[at], `state ${at} exists`).toBeDefined();
  const state = states[at]!;
  const here = isStep(at) ? [at] : [];
  const then = (next: string | undefined, end: boolean | undefined): Outcome[] => {
    if (end) return [{ visited: here, ok: true }];
    return paths(states, next!, isStep, budget).map((o) => ({ visited: [...here, ...o.visited], ok: o.ok }));
  };
  switch (state.Type) {
    case "Task":
    case "Pass":
      return then(state.Next, state.End);
    case "Fail":
      return [{ visited: here, ok: false }];
    case "Succeed":
      return [{ visited: here, ok: true }];
    case "Choice":
      return [...state.Choices.map((c) => c.Next), state.Default].flatMap((n) => paths(states, n, isStep, budget));
    case "Parallel": {
      let combos: Outcome[] = [{ visited: here, ok: true }];
      for (const b of state.Branches) {
        const ends = paths(b.States, b.StartAt, isStep, budget);
        combos = combos.flatMap((c) => ends.map((e) => ({ visited: [...c.visited, ...e.visited], ok: c.ok && e.ok })));
      }
      return combos.flatMap((c) => (c.ok ? then(state.Next, state.End).map((o) => ({ visited: [...c.visited, ...o.visited], ok: o.ok })) : [c]));
    }
    case "Map": {
      const body = paths(state.ItemProcessor.States, state.ItemProcessor.StartAt, isStep, budget);
      return body.flatMap((b) => (b.ok ? then(state.Next, state.End).map((o) => ({ visited: [...here, ...b.visited, ...o.visited.filter((v) => !here.includes(v))], ok: o.ok })) : [{ visited: [...here, ...b.visited], ok: false }]));
    }
  }
}

/** Every Next, Default and StartAt names a state of the same States object. */
function checkTransitions(states: Record<string, State>, startAt: string): void {
  expect(Object.keys(states)).toContain(startAt);
  for (const [name, s] of Object.entries(states)) {
    const targets = s.Type === "Choice" ? [...s.Choices.map((c) => c.Next), s.Default] : "Next" in s && s.Next ? [s.Next] : [];
    for (const t of targets) expect(Object.keys(states), `${name} → ${t}`).toContain(t);
    if ("Catch" in s) for (const c of s.Catch ?? []) expect(Object.keys(states)).toContain(c.Next);
    if (s.Type === "Parallel") for (const b of s.Branches) checkTransitions(b.States, b.StartAt);
    if (s.Type === "Map") checkTransitions(s.ItemProcessor.States, s.ItemProcessor.StartAt);
    if (s.Type === "Task" || s.Type === "Pass" || s.Type === "Parallel" || s.Type === "Map") expect(!!s.Next !== !!s.End, `${name}: exactly one of Next and End`).toBe(true);
  }
}

describe("GIVEN random valid flows", () => {
  it("WHEN compiled THEN every Next exists, every step is one state, and every path runs each step it reaches exactly once, from start to end", () => {
    fc.assert(
      fc.property(block, fc.constantFrom("prod", "inline"), (b, env) => {
        const yaml = flowYaml(b);
        const r = compileText(yaml, testEnv(env));
        expect(r.problems.filter((p) => p.severity !== "warning")).toEqual([]);
        const def = asl(r) as Definition;
        checkTransitions(def.States, def.StartAt);

        const steps = new Set(Object.keys((parse(yaml) as { steps: object }).steps));
        // Each step is exactly one state, anywhere in the definition.
        const seen: string[] = [];
        const walk = (states: Record<string, State>) => {
          for (const [n, s] of Object.entries(states)) {
            if (steps.has(n)) seen.push(n);
            if (s.Type === "Parallel") s.Branches.forEach((x) => walk(x.States));
            if (s.Type === "Map") walk(s.ItemProcessor.States);
          }
        };
        walk(def.States);
        expect(seen.sort()).toEqual([...steps].sort());

        // On every path: no step twice; a path that succeeds runs start and end.
        const outcomes = paths(def.States, def.StartAt, (n) => steps.has(n), { left: 20_000 });
        const covered = new Set<string>();
        for (const o of outcomes) {
          expect(new Set(o.visited).size, o.visited.join(" ")).toBe(o.visited.length);
          o.visited.forEach((v) => covered.add(v));
          if (o.ok) {
            expect(o.visited[0]).toBe("start");
            expect(o.visited[o.visited.length - 1]).toBe("end");
          }
        }
        expect([...covered].sort()).toEqual([...steps].sort());
      }),
      { numRuns: Number(process.env.FLOWC_PROPERTY_RUNS ?? 150) },
    );
  }, 120_000);
});
