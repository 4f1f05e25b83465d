// Flows split into families of state machines (sfn.maxDefinitionBytes: 4096 forces it on the examples,
// so the proof stays small), deployed with `flowc deploy`, started with `flowc trigger`, and run by
// moto's interpreter with every task a real `flowc step` Batch job: the children are started with
// states:startExecution.sync:2 at their pinned versions, and the run's artifacts equal `flowc run`'s,
// task by task — task identity, the datastore keys and the run id are those of the unsplit flow.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, Rig, ensureBuilt, prove, tasksPerStep, unexecutedTasks } from "./helpers.ts";

const rig = new Rig();
let env: string;
beforeAll(async () => {
  ensureBuilt();
  await rig.start();
  env = rig.env("split", { sfn: ["maxDefinitionBytes: 4096", "foreach: { maxConcurrency: 5 }"] });
}, 120_000);
afterAll(() => rig.stop());

const cases: { file: string; what: string; params: Record<string, string>; tasks: Record<string, number> }[] = [
  {
    file: "train.yaml",
    what: "split, foreach, switch and catch",
    params: { day: "2026-11-29" },
    tasks: { start: 1, a: 1, b: 1, merge: 1, fan: 1, fit: 3, gather: 1, choose: 1, publish: 1, end: 1 },
  },
  {
    file: "split-in-foreach.yaml",
    what: "a split inside a foreach of 3 items",
    params: {},
    tasks: { start: 1, fork: 3, double: 3, triple: 3, combine: 3, gather: 1, end: 1 },
  },
];

describe.concurrent("GIVEN examples past a small definition budget, deployed as families of state machines", () => {
  for (const c of cases)
    it(`GIVEN examples/${c.file} (${c.what}) WHEN triggered THEN the parent started its children, the execution SUCCEEDED, every task ran once as a Batch job, and the artifacts equal \`flowc run\`'s`, async () => {
      const p = await prove(rig, join(EXAMPLES, c.file), env, c.params);
      const stats = (p.manifest as unknown as { stats: Record<string, number> }).stats;
      expect(stats.stateMachines).toBeGreaterThan(1);
      expect(p.local_.code, p.local_.stdout + p.local_.stderr).toBe(0);
      expect(p.execution.status, `${p.execution.error}: ${p.execution.cause}`).toBe("SUCCEEDED");
      // The flow's own machine ran children: Tasks on states:startExecution.sync:2.
      const started = p.execution.history.filter((e) => e.taskScheduledEventDetails?.resourceType === "states" && e.taskScheduledEventDetails.resource === "startExecution.sync:2");
      expect(started.length).toBeGreaterThan(0);
      for (const e of started) expect(JSON.parse(e.taskScheduledEventDetails!.parameters!).StateMachineArn).toMatch(/:stateMachine:[^:]+:\d+$/);
      expect(tasksPerStep(p.remote)).toEqual(c.tasks);
      expect(unexecutedTasks(p)).toEqual([]);
      expect(p.samePackages).toBe(true);
      expect(p.remote).toEqual(p.local);
      // Every task ran under the parent's run id (the run id keys the datastore: the comparison above).
      for (const j of p.jobs) expect(j.runId).toBe(p.runId);
    }, 300_000);
});
