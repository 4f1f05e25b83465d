import { describe, expect, it } from "vitest";
import { argoNeeds } from "../../../src/compile/argo/versions.ts";
import { isSupported, judgeArgoVersion, parseArgoVersion, type ArgoNeeds } from "../../../src/contract/argo-versions.ts";
import { compileYaml, docsOf, flowFromYaml } from "./helpers.ts";
import { Requeue, simulate } from "./sim/argo.ts";

const NONE: ArgoNeeds = { schedule: false, backoffCap: [], skippableSwitches: [] };
const ALL: ArgoNeeds = { schedule: true, backoffCap: ["b"], skippableSwitches: ["inner"] };
const judge = (ver: string, needs: ArgoNeeds) => judgeArgoVersion(parseArgoVersion(ver)!, needs);

/** A switch inside another switch's branch, whose case the step where they meet reads. */
const NESTED = `apiVersion: flowc/v1
name: nested
steps:
  start: { command: [a], switch: { deep: inner, shallow: merge } }
  inner: { command: [b], switch: { x: x1, y: merge } }
  x1: { command: [c], next: merge }
  merge: { command: [d], next: end }
  end: { command: [e] }
`;

describe("GIVEN the Argo Workflows versions flowc knows", () => {
  it.each([
    ["v3.5.15", "schedule", "has no CronWorkflow `spec.schedules`"],
    ["v3.6.19", "backoffCap", "ignores `retryStrategy.backoff.cap`"],
    ["v3.7.11", "skippableSwitches", "requeues a Workflow forever"],
    ["v3.7.12", "skippableSwitches", "fixed in v3.7.13"],
    ["v4.0.2", "skippableSwitches", "requeues a Workflow forever"],
    ["v4.0.3", "skippableSwitches", "fixed in v4.0.4"],
  ] as const)("WHEN the cluster runs %s and the flow uses %s THEN deploy is refused: it %s", (ver, need, text) => {
    const verdict = judge(ver, { ...NONE, [need]: ALL[need] });
    expect(verdict.level).toBe("refuse");
    expect(verdict.level === "refuse" && verdict.reasons.join()).toContain(text);
    // The same version is only a warning for a flow that uses nothing it breaks.
    expect(judge(ver, NONE).level).toBe("warn");
  });

  it.each(["v3.7.13", "v3.7.18", "v4.0.4", "v4.0.10", "v4.1.0", "v4.1.2", "4.1.0-rc2"])("WHEN the cluster runs %s THEN it is supported, whatever the flow uses", (ver) => {
    expect(judge(ver, ALL)).toEqual({ level: "supported" });
  });

  it.each([
    ["v3.7.10", "not a version flowc supports"],
    ["v4.0.1", "not a version flowc supports"],
    ["v4.2.0", "newer than the versions flowc knows"],
    ["v5.0.0", "newer than the versions flowc knows"],
  ])("WHEN the cluster runs %s THEN deploy warns: %s", (ver, text) => {
    const verdict = judge(ver, ALL);
    expect(verdict.level === "warn" && verdict.reason).toContain(text);
  });

  it("THEN only releases read as versions: `latest` and digests do not", () => {
    expect(parseArgoVersion("latest")).toBeUndefined();
    expect(parseArgoVersion("sha256:abc")).toBeUndefined();
    expect(isSupported(parseArgoVersion("v3.6.0")!)).toBe(false);
  });
});

describe("GIVEN what a flow's output relies on", () => {
  it("THEN a switch inside another switch's branch is a switch a run may skip, and the step where they meet reads its case", () => {
    const { ir, graph } = flowFromYaml(NESTED);
    expect(argoNeeds(ir, graph)).toEqual({ schedule: false, backoffCap: [], skippableSwitches: ["inner"] });
    const wt = docsOf(compileYaml(NESTED))[0]!;
    const merge = wt.spec.templates.find((t: any) => t.name === "main").dag.tasks.find((t: any) => t.name === "merge");
    expect(merge.when).toContain("{{tasks.inner.outputs.parameters.case}}");
    // Taking the shallow case skips `inner`, and merge still evaluates its `when`: the read Argo v4.0.2-v4.0.3 requeue forever on.
    const sim = simulate(wt, { run: (s) => (s === "start" ? { phase: "Succeeded", case: "shallow" } : { phase: "Succeeded" }) });
    expect(sim.nodes.get([...sim.nodes.values()].find((n) => n.name.endsWith(".inner"))!.id)!.phase).toBe("Skipped");
    expect(sim.ran).toEqual(["start@", "merge@", "end@"]);
  });

  it.each([
    ["v3.7.13+, v4.0.4+ (the case resolves to its default)", "default"],
    ["v3.7.0-10, v4.0.0-1 (the case stays an unresolved {{...}})", "unresolved"],
  ] as const)("WHEN the shallow case is taken on %s THEN the run goes on to merge and end", (_, skippedOutputs) => {
    const wt = docsOf(compileYaml(NESTED))[0]!;
    const sim = simulate(wt, { run: (s) => (s === "start" ? { phase: "Succeeded", case: "shallow" } : { phase: "Succeeded" }) }, { skippedOutputs });
    expect(sim).toMatchObject({ phase: "Succeeded", ran: ["start@", "merge@", "end@"] });
  });

  it("WHEN the shallow case is taken on v3.7.11-12 or v4.0.2-3 THEN the controller requeues the Workflow forever at merge's `when`", () => {
    const wt = docsOf(compileYaml(NESTED))[0]!;
    expect(() => simulate(wt, { run: (s) => (s === "start" ? { phase: "Succeeded", case: "shallow" } : { phase: "Succeeded" }) }, { skippedOutputs: "requeue" })).toThrow(Requeue);
  });

  it("THEN a schedule and a retry with a maximum delay are what v3.5 and v3.6 lack", () => {
    const { ir, graph } = flowFromYaml(`apiVersion: flowc/v1
name: s
schedule: { cron: "0 6 * * *" }
steps:
  start: { command: [a], next: end, retry: { times: 2, backoff: { delay: 1s, max: 1m } } }
  end: { command: [b], retry: { times: 2 } }
`);
    expect(argoNeeds(ir, graph)).toEqual({ schedule: true, backoffCap: ["start"], skippableSwitches: [] });
  });
});
