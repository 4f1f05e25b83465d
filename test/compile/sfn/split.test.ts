// Flows larger than one state machine: split into a family (a parent and child machines started with
// states:startExecution.sync:2), each definition under the budget and valid, every step exactly once.
import { describe, expect, it } from "vitest";
import { childReferences, START_CHILD } from "../../../src/contract/sfn-child.ts";
import { SFN_LIMITS, walkStates } from "../../../src/compile/sfn/limits.ts";
import type { CompileResult } from "../../../src/compile/types.ts";
import type { EnvConfig } from "../../../src/config/types.ts";
import { compileFile, compileText, EXAMPLES, testEnv } from "./helpers.ts";
import { validateAsl } from "./validate-asl.ts";

const INTEGRATION = `arn:aws:states:::${START_CHILD}`;
type Def = { StartAt: string; States: Record<string, any> };

/** The family's definitions by machine name, with their bundle files and parents. */
function family(r: CompileResult): Map<string, { file: string; def: Def; parent?: string; arn: string }> {
  const out = new Map<string, { file: string; def: Def; parent?: string; arn: string }>();
  const res = r.manifest.resources as Record<string, Record<string, string>>;
  for (const f of r.files.filter((x) => x.name.endsWith(".asl.json"))) {
    const m = res[f.name]!;
    const parent = m.parent ? res[m.parent]!.stateMachine : undefined;
    out.set(m.stateMachine!, { file: f.name, def: JSON.parse(f.content), ...(parent ? { parent } : {}), arn: m.aliasArn!.replace(/:[^:]+$/, "") });
  }
  return out;
}

const budget = (bytes: number, env: EnvConfig = testEnv()): EnvConfig => ({ ...env, sfn: { ...env.sfn!, maxDefinitionBytes: bytes } });

/**
 * What every split must keep: each machine within the budget (as uploaded, with its references pinned
 * to versions) and valid ASL; each child started by exactly one Task of its parent; every step's Task
 * exactly once in the family.
 */
function checkFamily(r: CompileResult, limit: number, steps: string[]): void {
  expect(r.problems.filter((p) => p.severity !== "warning")).toEqual([]);
  const fam = family(r);
  const byArn = new Map([...fam].map(([name, m]) => [m.arn, name]));
  const started = new Map<string, string[]>();
  const tasks = new Map<string, number>();
  for (const [name, m] of fam) {
    const text = JSON.stringify(m.def);
    const refs = childReferences(m.def, INTEGRATION);
    expect(Buffer.byteLength(text) + refs.length * 11, name).toBeLessThanOrEqual(limit);
    expect(validateAsl(m.def).errors, name).toBe("");
    for (const arn of refs) {
      const child = byArn.get(arn);
      expect(child, `${name} starts ${arn}, which is not in the family`).toBeDefined();
      started.set(child!, [...(started.get(child!) ?? []), name]);
    }
    walkStates(m.def.States, (n, s) => {
      if (s.Type === "Task" && String(s.Resource).endsWith("submitJob.sync")) tasks.set(n, (tasks.get(n) ?? 0) + 1);
    });
  }
  for (const [name, m] of fam) expect(started.get(name) ?? [], name).toEqual(m.parent ? [m.parent] : []);
  expect([...tasks.keys()].sort()).toEqual([...steps].sort());
  expect([...tasks.values()].every((n) => n === 1)).toBe(true);
}

const chain = (n: number, extra = "") =>
  ["apiVersion: flowc/v1", "name: big", "steps:", ...Array.from({ length: n - 1 }, (_, i) => `  ${i === 0 ? "start" : `s${i}`}: { command: [run]${extra}, next: ${i === n - 2 ? "end" : `s${i + 1}`} }`), "  end: { command: [run] }"].join("\n");
const names = (n: number) => ["start", ...Array.from({ length: n - 2 }, (_, i) => `s${i + 1}`), "end"];

describe("GIVEN the 1 MiB definition limit and flows past it", () => {
  it("WHEN a 3,000-step chain is compiled THEN it is a family of several machines, each valid and under 1 MiB, with every step once", () => {
    const r = compileText(chain(3000));
    checkFamily(r, SFN_LIMITS.definitionBytes, names(3000));
    const fam = family(r);
    expect(fam.size).toBeGreaterThan(1);
    expect(r.manifest.stats.stateMachines).toBe(fam.size);
    // The parent goes on where the steps would have: its first state after the start is a child's Task.
    const root = fam.get("big")!.def;
    expect(root.States.Context.Next).toBe("Resumed");
    expect(root.States.Resumed.Default).toBe("start.steps");
    expect(root.States["Resumed.run"].Next).toBe("start.steps");
    expect(root.States["start.steps"]).toMatchObject({ Type: "Task", Resource: INTEGRATION, Parameters: { StateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:big-Steps-start" }, ResultPath: null });
    // The child gets the whole context: run id, index, parameters, environment, compute.
    expect(root.States["start.steps"].Parameters.Input).toEqual({
      "runId.$": "$.runId",
      "index.$": "$.index",
      "params.$": "$.params",
      "env.$": "$.env",
      "compute.$": "$.compute",
      "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id",
    });
    const child = fam.get("big-Steps-start")!.def;
    expect(child.StartAt).toBe("start");
    expect(JSON.stringify(child)).not.toContain("$$.Execution.Name");
    const next = root.States["start.steps"].Next;
    expect(root.States[next]?.Type ?? "").toBe("Task");
    // The child's last step ends it; the parent then runs the step that followed.
    const last = Object.entries(child.States).find(([, s]) => s.End)!;
    expect(last[1]).toMatchObject({ End: true, OutputPath: null });
    // …or the next child's Task, when the chain goes on in another child.
    const following = `s${Number(last[0].slice(1)) + 1}`;
    expect([following, `${following}.steps`]).toContain(next);
  });

  it("WHEN a 1,000-step foreach body (retry, timeout, catch and an env per step) is compiled THEN the body goes to children, each valid and under 1 MiB", () => {
    const body = Array.from({ length: 1000 }, (_, i) => `  b${i}: { command: [python, work.py, "${i}"], env: { PART: "${i}" }, retry: { times: 2, onTimeout: true }, timeout: 1h, catch: true, next: ${i === 999 ? "j" : `b${i + 1}`} }`);
    const yaml = ["apiVersion: flowc/v1", "name: fan", "steps:", "  start: { command: [a], foreach: true, next: b0 }", ...body, "  j: { command: [a], join: true, next: end }", "  end: { command: [a] }"].join("\n");
    const r = compileText(yaml);
    checkFamily(r, SFN_LIMITS.definitionBytes, ["start", ...Array.from({ length: 1000 }, (_, i) => `b${i}`), "j", "end"]);
    const fam = family(r);
    expect(fam.size).toBeGreaterThan(2);
    // The Map's body is one Task that runs the body's machine once per item, with the item's index.
    const map = fam.get("fan")!.def.States["start.foreach"];
    expect(map.ItemProcessor.StartAt).toBe("start.body");
    expect(map.ItemProcessor.States["start.body"]).toMatchObject({ Resource: INTEGRATION, Parameters: { StateMachineArn: expect.stringMatching(/:stateMachine:fan-Foreach-start$/) }, End: true, OutputPath: null });
    expect(fam.get("fan-Foreach-start")!.parent).toBe("fan");
  });

  it("WHEN a 3,000-branch split is compiled THEN its branches go to children in groups", () => {
    const branches = Array.from({ length: 3000 }, (_, i) => `b${i}`);
    const yaml = ["apiVersion: flowc/v1", "name: wide", "steps:", `  start: { command: [a], next: [${branches.join(", ")}] }`, ...branches.map((b) => `  ${b}: { command: [a], next: j }`), "  j: { command: [a], join: true, next: end }", "  end: { command: [a] }"].join("\n");
    const r = compileText(yaml);
    checkFamily(r, SFN_LIMITS.definitionBytes, ["start", ...branches, "j", "end"]);
    const par = family(r).get("wide")!.def.States["start.split"];
    expect(par.Branches.length).toBeGreaterThan(1);
    expect(par.Branches.length).toBeLessThan(10);
    expect(par.Next).toBe("j");
  });
});

describe("GIVEN a small budget (sfn.maxDefinitionBytes)", () => {
  it.each(EXAMPLES.map((f) => [f]))("WHEN %s is compiled with 4,096 bytes THEN it splits wherever it can and every machine stays valid", async (f) => {
    const r = await compileFile(f, budget(4096));
    const { ir } = await import("../../../src/flow/read.ts").then(async (m) => m.readFlow(f) as any);
    checkFamily(r, SFN_LIMITS.definitionBytes, ir.steps.map((s: { name: string }) => s.name));
  });
});

describe("GIVEN a flow split into a family", () => {
  const machines = (r: CompileResult) => [...family(r).keys()].sort();
  it("WHEN one step changes (a longer command, an env of its own) THEN the children keep their names: they come from the steps they start at", () => {
    const before = compileText(chain(3000));
    const edited = chain(3000).replace("  s10: { command: [run]", '  s10: { command: [run, --with, "a much longer list of arguments than before", --and, more], env: { ONLY_HERE: "1" }').replace("  s2500: { command: [run]", "  s2500: { command: [run, again]");
    const after = compileText(edited);
    expect(after.problems).toEqual([]);
    expect(machines(after)).toEqual(machines(before));
    expect(machines(before).every((n) => /^big(-Steps-[a-z0-9]+)?$/.test(n))).toBe(true);
  });

  it("WHEN compiled twice THEN the bundles are byte for byte the same", () => {
    expect(compileText(chain(3000)).files).toEqual(compileText(chain(3000)).files);
  });

  it("WHEN the policy is generated THEN the role may start, watch and stop exactly the family's children, and the machines with Distributed Maps their own item runs", () => {
    const body = Array.from({ length: 40 }, (_, i) => `  b${i}: { command: [a], next: ${i === 39 ? "j" : `b${i + 1}`} }`);
    const yaml = ["apiVersion: flowc/v1", "name: fam", "steps:", "  start: { command: [a], foreach: true, next: b0 }", ...body, "  j: { command: [a], join: true, next: end }", "  end: { command: [a] }"].join("\n");
    const r = compileText(yaml, budget(8192));
    checkFamily(r, SFN_LIMITS.definitionBytes, ["start", ...Array.from({ length: 40 }, (_, i) => `b${i}`), "j", "end"]);
    const fam = family(r);
    const children = [...fam.keys()].filter((n) => n !== "fam").sort();
    expect(children.length).toBeGreaterThan(1);
    const policy = JSON.parse(r.files.find((f) => f.name.endsWith(".iam.json"))!.content) as { Statement: { Sid: string; Action: string[]; Resource: string[] }[] };
    const sid = (s: string) => policy.Statement.find((x) => x.Sid === s)!;
    const arn = (n: string) => `arn:aws:states:eu-west-1:123456789012:stateMachine:${n}`;
    expect(sid("StartChildMachines").Action).toEqual(["states:StartExecution"]);
    expect(sid("StartChildMachines").Resource.sort()).toEqual(children.flatMap((n) => [arn(n), `${arn(n)}:*`]).sort());
    expect(sid("WatchChildMachines").Action).toEqual(["states:DescribeExecution", "states:StopExecution"]);
    expect(sid("SyncChildMachines").Resource).toEqual(["arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"]);
    // The Distributed Map stayed in the flow's own machine: only it starts item runs.
    expect(sid("StartForeachRuns").Resource).toEqual([arn("fam"), `${arn("fam")}:*`]);
    // Every machine of the family is a resource of the manifest, each naming the file of its parent.
    for (const [name, m] of fam) expect((r.manifest.resources[m.file] as Record<string, string>).stateMachine).toBe(name);
  });

  it("WHEN the budget is below what the configuration schema allows THEN the configuration is refused", async () => {
    const { loadConfig, resolveEnv } = await import("../../../src/config/load.ts");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "flowc-budget-"));
    const file = join(dir, "flowc.config.yaml");
    writeFileSync(file, 'environments:\n  e:\n    datastore: s3://bucket/p\n    sfn: { region: eu-west-1, account: "123456789012", stateMachineRoleArn: "arn:aws:iam::123456789012:role/r", batch: { jobQueue: q, jobDefinition: d }, maxDefinitionBytes: 100 }\n');
    const loaded = loadConfig(file);
    expect([...loaded.diagnostics, ...resolveEnv(loaded, "e").diagnostics].map((d) => d.message).join("\n")).toMatch(/maxDefinitionBytes.*4096/);
    writeFileSync(file, 'environments:\n  e:\n    datastore: s3://bucket/p\n    sfn: { region: eu-west-1, account: "123456789012", stateMachineRoleArn: "arn:aws:iam::123456789012:role/r", batch: { jobQueue: q, jobDefinition: d }, maxDefinitionBytes: 200000 }\n');
    expect(resolveEnv(loadConfig(file), "e").env!.sfn!.maxDefinitionBytes).toBe(200000);
  });
});
