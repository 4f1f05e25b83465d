import { describe, expect, it } from "vitest";
import { compileYaml, docsOf, flowFromYaml, taskOf, type Obj } from "./helpers.ts";
import { simulate, type StepOutcome } from "./sim/argo.ts";
import { expectedRun } from "./sim/oracle.ts";

const step = (name: string, rest: string) => `  ${name}: { command: [python, -m, work, ${name}], ${rest} }`;
const flow = (name: string, lines: string[]) => ["apiVersion: flowc/v1", `name: ${name}`, "steps:", ...lines, "  end: { command: [python, -m, work, end] }"].join("\n");
const failAt = (...failing: string[]) => (s: string): StepOutcome => ({ phase: failing.includes(s) ? "Failed" : "Succeeded" });

/** A 232-step chain (start, s1 … s230, end): Argo v4 allows 200 tasks per DAG, so it is cut in two. */
const CHAIN = (() => {
  const names = ["start", ...Array.from({ length: 230 }, (_, i) => `s${i + 1}`), "end"];
  return flow("long-chain", names.slice(0, -1).map((s, i) => step(s, `next: ${names[i + 1]}`)));
})();

/** A 260-way split: the join's 260 groups are folded into a gate in the first part. */
const WIDE = (() => {
  const b = Array.from({ length: 260 }, (_, i) => `b${i}`);
  return flow("wide-split", [step("start", `next: [${b.join(", ")}]`), ...b.map((x) => step(x, "next: join")), step("join", "join: true, next: end")]);
})();

/**
 * The only difference between what flowc 0.1.0 wrote for these flows and what it writes now is the
 * `depends` of the task that runs the next part: it waited only for the tasks whose edges cross the
 * cut. These are its words, verbatim; the tests put them back to show what Argo made of them.
 */
const OLD_RUNNER_DEPENDS: Record<string, string> = {
  "long-chain": "!s188.Failed && !s188.Errored",
  "wide-split": "(!start.Failed && !start.Errored) && (!join-gate-1.Failed && !join-gate-1.Errored)",
};

function compiled(text: string): Obj {
  const r = compileYaml(text);
  expect(r.problems).toEqual([]);
  return docsOf(r)[0]!;
}

function withOldRunner(wt: Obj, flowName: string): Obj {
  const old = structuredClone(wt);
  const runner = taskOf(old, "main-part-2")!;
  runner.depends = OLD_RUNNER_DEPENDS[flowName]!;
  return old;
}

describe("GIVEN a 232-step chain, cut into two parts", () => {
  const wt = compiled(CHAIN);

  it("THEN the task that runs part 2 is the first part's only leaf, and needs its last step to have succeeded (Omitted after any failure before it)", () => {
    const main = wt.spec.templates.find((t: Obj) => t.name === "main");
    const runner = taskOf(wt, "main-part-2")!;
    expect(main.dag.tasks.at(-1)).toBe(runner);
    expect(runner.depends).toBe("s188.Succeeded");
  });

  it("WHEN step s100 fails uncaught THEN the run ends Failed, and nothing after s100 runs, `end` least of all", () => {
    const sim = simulate(wt, { run: failAt("s100") });
    expect(sim.phase).toBe("Failed");
    expect(sim.ran.at(-1)).toBe("s100@");
    expect(sim.ran).not.toContain("end@");
    expect(expectedRun(flowFromYaml(CHAIN).graph, failAt("s100"))).toMatchObject({ failed: true, ran: sim.ran });
  });

  it("WHEN the part runner only waited for the crossing task (flowc 0.1.0) THEN Argo took the phase from a completed leaf: Succeeded, with `end` never run", () => {
    const sim = simulate(withOldRunner(wt, "long-chain"), { run: failAt("s100") });
    expect(sim.phase).toBe("Succeeded");
    expect(sim.ran).not.toContain("end@");
  });

  it("WHEN a step of the second part fails THEN the run ends Failed too", () => {
    const sim = simulate(wt, { run: failAt("s220") });
    expect(sim.phase).toBe("Failed");
    expect(sim.ran).not.toContain("end@");
  });

  it("WHEN nothing fails THEN every step runs and the run succeeds", () => {
    const sim = simulate(wt, { run: failAt() });
    expect(sim.phase).toBe("Succeeded");
    expect(sim.ran).toHaveLength(232);
  });
});

describe("GIVEN a 260-way split whose join is behind a gate", () => {
  const wt = compiled(WIDE);

  it("WHEN one branch fails uncaught THEN the run ends Failed; the join and `end` never run", () => {
    const sim = simulate(wt, { run: failAt("b7") });
    expect(sim.phase).toBe("Failed");
    expect(sim.ran).not.toContain("join@");
    expect(sim.ran).not.toContain("end@");
  });

  it("WHEN the part runner only waited for the gate (flowc 0.1.0) THEN the run reported Succeeded", () => {
    const sim = simulate(withOldRunner(wt, "wide-split"), { run: failAt("b7") });
    expect(sim.phase).toBe("Succeeded");
    expect(sim.ran).not.toContain("end@");
  });
});

describe("GIVEN the model of Argo's DAG phase rule", () => {
  const wt = (tasks: Obj[]): Obj => ({
    metadata: { name: "t" },
    spec: {
      entrypoint: "main",
      templates: [
        { name: "run", inputs: { parameters: [{ name: "step" }, { name: "index", default: "" }] }, container: { command: ["flowc", "step", "--step", "{{inputs.parameters.step}}", "--index", "{{inputs.parameters.index}}"] } },
        { name: "main", dag: { tasks: tasks.map((t) => ({ template: "run", arguments: { parameters: [{ name: "step", value: t.name }] }, ...t })) } },
      ],
    },
  });

  it("WHEN a failed task's dependents are Omitted THEN the leaf takes the failed branch's phase: Failed", () => {
    expect(simulate(wt([{ name: "a" }, { name: "b", depends: "a.Succeeded" }]), { run: failAt("a") }).phase).toBe("Failed");
  });

  it("WHEN a leaf ran after the failure and succeeded THEN it hides the failure: Succeeded", () => {
    expect(simulate(wt([{ name: "a" }, { name: "b", depends: "a.Succeeded || a.Failed" }]), { run: failAt("a") }).phase).toBe("Succeeded");
  });

  it("WHEN a leaf was skipped by `when` on a branch that succeeded THEN the DAG succeeded", () => {
    expect(simulate(wt([{ name: "a" }, { name: "b", depends: "a.Succeeded", when: "'x' == 'y'" }, { name: "c", depends: "b.Succeeded" }]), { run: failAt() }).phase).toBe("Succeeded");
  });

  it("WHEN an Omitted leaf is reached from a succeeded and from a failed branch THEN Failed wins", () => {
    const tasks = [{ name: "a" }, { name: "b" }, { name: "c", depends: "a.Succeeded && b.Succeeded" }];
    expect(simulate(wt(tasks), { run: failAt("b") }).phase).toBe("Failed");
  });

  it("WHEN the failure is on a task that is itself a leaf THEN Failed", () => {
    expect(simulate(wt([{ name: "a" }, { name: "b" }]), { run: failAt("b") }).phase).toBe("Failed");
  });
});

describe("GIVEN a switch in the first part whose long branch crosses the cut", () => {
  const a = Array.from({ length: 210 }, (_, i) => `a${i + 1}`);
  const text = flow("branchy", [
    step("start", "next: pick"),
    step("pick", "switch: { long: a1, short: merge }"),
    ...a.map((x, i) => step(x, `next: ${a[i + 1] ?? "merge"}`)),
    step("merge", "next: end"),
  ]);
  const wt = compiled(text);
  const { graph } = flowFromYaml(text);
  const pick = (chosen: string, ...failing: string[]) => (s: string): StepOutcome => (s === "pick" ? { phase: "Succeeded", case: chosen } : failAt(...failing)(s));

  it("THEN the runner needs the switch (outside the branches) to have succeeded, and no step inside the branch to have failed", () => {
    const runner = taskOf(wt, "main-part-2")!;
    expect(runner.depends).toContain("pick.Succeeded");
    expect(runner.depends).toContain("!a50.Failed && !a50.Errored");
    expect(runner.depends).not.toContain("start.");
  });

  it("WHEN the short case is chosen THEN the long branch is Omitted, not failed: part 2 runs, merge and end run, Succeeded", () => {
    const sim = simulate(wt, { run: pick("short") });
    expect(sim.phase).toBe("Succeeded");
    expect(sim.ran).toEqual(["start@", "pick@", "merge@", "end@"]);
  });

  it("WHEN a step of the long branch fails THEN the run ends Failed, although the task crossing the cut is Omitted as in a branch not taken", () => {
    const run = pick("long", "a50");
    const sim = simulate(wt, { run });
    expect(sim.phase).toBe("Failed");
    expect(sim.ran).not.toContain("end@");
    expect(sim.ran).toEqual(expectedRun(graph, run).ran);
  });

  it("WHEN the long case runs clean THEN every step of it runs across both parts", () => {
    const sim = simulate(wt, { run: pick("long") });
    expect(sim.phase).toBe("Succeeded");
    expect(sim.ran).toHaveLength(214);
  });
});
