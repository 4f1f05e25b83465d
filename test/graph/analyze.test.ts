import { describe, expect, it } from "vitest";
import { loadYamlFlow } from "../../src/flow/load/yaml.ts";
import { validateFlow } from "../../src/flow/validate/index.ts";

const graphOf = (steps: string) => {
  const r = validateFlow(loadYamlFlow("g.yaml", `apiVersion: flowc/v1\nname: g\nsteps:\n${steps}`));
  expect(r.diagnostics).toEqual([]);
  return r.graph!;
};

describe("GIVEN a split inside a foreach inside a foreach", () => {
  const g = graphOf(`  start: { command: [a], foreach: true, next: row }
  row: { command: [a], foreach: true, next: fork }
  fork: { command: [a], next: [x, y] }
  x: { command: [a], next: j }
  y: { command: [a], next: j }
  j: { command: [a], join: true, next: rj }
  rj: { command: [a], join: true, next: gj }
  gj: { command: [a], join: true, next: end }
  end: { command: [a] }
`);
  it("THEN flow order is start first, branches in declared order, end last", () => {
    expect(g.order).toEqual(["start", "row", "fork", "x", "y", "j", "rj", "gj", "end"]);
  });
  it("THEN each step knows its enclosing scopes and foreach depth", () => {
    expect(g.nodes.get("x")!.frames).toEqual([
      { kind: "foreach", step: "start" },
      { kind: "foreach", step: "row" },
      { kind: "split", step: "fork", branch: 0 },
    ]);
    expect(g.nodes.get("x")!.foreachDepth).toBe(2);
    expect(g.nodes.get("j")!.foreachDepth).toBe(2);
    expect(g.nodes.get("rj")!.foreachDepth).toBe(1);
    expect(g.nodes.get("end")!.foreachDepth).toBe(0);
  });
  it("THEN every join knows what it closes and every opener its join", () => {
    expect([g.nodes.get("j")!.closes, g.nodes.get("rj")!.closes, g.nodes.get("gj")!.closes]).toEqual(["fork", "row", "start"]);
    expect([g.nodes.get("fork")!.closedBy, g.nodes.get("row")!.closedBy, g.nodes.get("start")!.closedBy]).toEqual(["j", "rj", "gj"]);
  });
  it("THEN scopes group the steps of each branch and body", () => {
    expect(g.scopes.get("")).toEqual(["start", "gj", "end"]);
    expect(g.scopes.get("start[*]")).toEqual(["row", "rj"]);
    expect(g.scopes.get("start[*]/row[*]")).toEqual(["fork", "j"]);
    expect(g.scopes.get("start[*]/row[*]/fork[0]")).toEqual(["x"]);
  });
});

describe("GIVEN a switch whose branches meet again", () => {
  const g = graphOf(`  start: { command: [a], switch: { b: big, s: small } }
  big: { command: [a], next: merge }
  small: { command: [a], next: merge }
  merge: { command: [a], next: end }
  end: { command: [a] }
`);
  it("THEN the merge step has both branches as parents and stays at the top level", () => {
    expect(g.nodes.get("merge")!.parents).toEqual(["big", "small"]);
    expect(g.nodes.get("merge")!.frames).toEqual([]);
  });
});

describe("GIVEN a 10,000-step chain", () => {
  it("THEN analysis does not overflow the stack", () => {
    const steps = ["  start: { command: [a], next: s0 }"];
    for (let i = 0; i < 10_000; i++) steps.push(`  s${i}: { command: [a], next: ${i === 9_999 ? "end" : `s${i + 1}`} }`);
    steps.push("  end: { command: [a] }");
    const g = graphOf(`${steps.join("\n")}\n`);
    expect(g.order.length).toBe(10_002);
  });
});
