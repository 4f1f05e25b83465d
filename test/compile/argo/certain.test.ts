import { describe, expect, it } from "vitest";
import { conditionalSteps } from "../../../src/compile/argo/certain.ts";
import { flowFromYaml } from "./helpers.ts";

/** The conditional steps of the top-level scope of a flow given by its steps. */
function conditional(steps: string[]): string[] {
  const { graph } = flowFromYaml(["apiVersion: flowc/v1", "name: c", "steps:", ...steps.map((s) => `  ${s}`), "  end: { command: [x] }"].join("\n"));
  const top = graph.order.map((s) => graph.nodes.get(s)!).filter((n) => !n.frames.some((f) => f.kind === "foreach"));
  return [...conditionalSteps(top, graph)].sort();
}

describe("GIVEN the steps a run may skip without a failure (inside a switch's branches)", () => {
  it("WHEN a switch's cases meet again THEN the steps of the cases are conditional, the switch and the step they meet at are not", () => {
    expect(conditional(["start: { command: [x], switch: { a: a1, b: b1 } }", "a1: { command: [x], next: a2 }", "a2: { command: [x], next: m }", "b1: { command: [x], next: m }", "m: { command: [x], next: end }"])).toEqual(["a1", "a2", "b1"]);
  });

  it("WHEN a case goes straight to the merge THEN only the other case's steps are conditional", () => {
    expect(conditional(["start: { command: [x], switch: { a: a1, b: m } }", "a1: { command: [x], next: m }", "m: { command: [x], next: end }"])).toEqual(["a1"]);
  });

  it("WHEN a split's branches fork THEN nothing is conditional: every branch runs", () => {
    expect(conditional(["start: { command: [x], next: [a, b] }", "a: { command: [x], next: j }", "b: { command: [x], next: j }", "j: { command: [x], join: true, next: end }"])).toEqual([]);
  });

  it("WHEN a split lies inside a case THEN its branches and join are conditional; a split after the merge is not", () => {
    expect(
      conditional([
        "start: { command: [x], switch: { a: p, b: m } }",
        "p: { command: [x], next: [p1, p2] }",
        "p1: { command: [x], next: j }",
        "p2: { command: [x], next: j }",
        "j: { command: [x], join: true, next: m }",
        "m: { command: [x], next: [q1, q2] }",
        "q1: { command: [x], next: k }",
        "q2: { command: [x], next: k }",
        "k: { command: [x], join: true, next: end }",
      ]),
    ).toEqual(["j", "p", "p1", "p2"]);
  });

  it("WHEN switches nest THEN the inner switch and its cases are conditional, the outer merge is not", () => {
    expect(
      conditional([
        "start: { command: [x], switch: { a: inner, b: m } }",
        "inner: { command: [x], switch: { x: x1, y: im } }",
        "x1: { command: [x], next: im }",
        "im: { command: [x], next: m }",
        "m: { command: [x], next: end }",
      ]),
    ).toEqual(["im", "inner", "x1"]);
  });

  it("WHEN a switch's cases never meet before `end` THEN everything after the switch is conditional except `end`", () => {
    expect(conditional(["start: { command: [x], switch: { a: a1, b: b1 } }", "a1: { command: [x], next: end }", "b1: { command: [x], next: end }"])).toEqual(["a1", "b1"]);
  });
});
