import { describe, expect, it } from "vitest";
import { SFN_LIMITS } from "../../../src/compile/sfn/limits.ts";
import { walkStates } from "../../../src/compile/sfn/limits.ts";
import { asl, compileText, file, testEnv } from "./helpers.ts";

const chain = (n: number, step = (i: number) => `{ command: [run], next: ${i === n - 2 ? "end" : `s${i + 1}`} }`) =>
  ["apiVersion: flowc/v1", "name: big", "steps:", ...Array.from({ length: n - 1 }, (_, i) => `  ${i === 0 ? "start" : `s${i}`}: ${step(i)}`), "  end: { command: [run] }"].join("\n");

describe("GIVEN the 1 MiB definition limit", () => {
  it("WHEN a 500-step flow with retries, timeouts and an env per step is compiled THEN it fits", () => {
    const r = compileText(chain(500, (i) => `{ command: [python, train.py, --part, "${i}"], env: { PART: "${i}" }, retry: { times: 3, onTimeout: true }, timeout: 1h, resources: { cpu: 2, memory: 8Gi }, next: ${i === 498 ? "end" : `s${i + 1}`} }`));
    expect(r.problems).toEqual([]);
    expect(r.manifest.stats.definitionBytes).toBeLessThan(SFN_LIMITS.definitionBytes);
  });

  it("WHEN a 2,500-step flow is compiled THEN it is split into child state machines instead of refused", () => {
    const r = compileText(chain(2500));
    expect(r.problems).toEqual([]);
    expect(r.manifest.stats.stateMachines).toBeGreaterThan(1);
    expect(r.manifest.stats.largestDefinitionBytes).toBeLessThanOrEqual(SFN_LIMITS.definitionBytes);
  });

  it("WHEN one step's states alone pass 1 MiB (a switch with 16,000 cases) THEN it fails with LIMIT_EXCEEDED naming that step, which cannot be split", () => {
    const cases = Array.from({ length: 16_000 }, (_, i) => `case${i}: end`).join(", ");
    const r = compileText(["apiVersion: flowc/v1", "name: big", "steps:", "  start: { command: [run], next: pick }", `  pick: { command: [run], switch: { ${cases} } }`, "  end: { command: [run] }"].join("\n"));
    expect(r.files).toEqual([]);
    const over = r.problems.filter((p) => p.code === "LIMIT_EXCEEDED");
    expect(over).toHaveLength(1);
    expect(over[0]!.path).toEqual(["steps", "pick"]);
    expect(over[0]!.message).toMatch(/1,048,576 bytes \(1 MiB\)/);
    expect(over[0]!.message).toMatch(/step `pick` alone takes [\d,]+ bytes of it, which cannot be split/);
  });
});

describe("GIVEN the 256 KiB payload limit", () => {
  it("WHEN a parameter default is 300 KB THEN compiling fails naming the parameters", () => {
    const big = "x".repeat(300_000);
    const r = compileText(`apiVersion: flowc/v1
name: fat
parameters: { blob: { type: string, default: "${big}" } }
steps:
  start: { command: [a], next: end }
  end: { command: [a] }
`);
    const p = r.problems.find((x) => x.path[0] === "parameters");
    expect(p).toMatchObject({ code: "LIMIT_EXCEEDED", path: ["parameters"] });
    expect(p!.message).toMatch(/262,144 bytes \(256 KiB\)/);
  });

  it("WHEN defaults are 62 KB (124 KB with their FLOWC_PARAMS copy) THEN they fit, unless concurrency: forbid also holds a page of running executions in the context", () => {
    const flow = (schedule: string) => `apiVersion: flowc/v1
name: mid
parameters: { blob: { type: string, default: "${"x".repeat(62_000)}" } }
${schedule}steps:
  start: { command: [a], next: end }
  end: { command: [a] }
`;
    const payload = (yaml: string) => compileText(yaml).problems.filter((p) => p.path[0] === "parameters");
    expect(payload(flow(""))).toEqual([]);
    const [p] = payload(flow(`schedule: { cron: "0 * * * *", concurrency: forbid }\n`));
    expect(p).toMatchObject({ code: "LIMIT_EXCEEDED", path: ["parameters"] });
    expect(p!.message).toContain("the concurrency check's page of running executions");
  });
});

describe("GIVEN the 8,192-character container overrides limit", () => {
  it("WHEN one step's env is 9,000 characters THEN compiling fails naming that step and the figure", () => {
    const r = compileText(`apiVersion: flowc/v1
name: envy
steps:
  start: { command: [a], next: heavy }
  heavy: { command: [a], env: { BLOB: "${"y".repeat(9000)}" }, next: end }
  end: { command: [a] }
`);
    expect(r.files).toEqual([]);
    const over = r.problems.filter((p) => p.code === "LIMIT_EXCEEDED");
    expect(over.map((p) => p.path)).toEqual([["steps", "heavy"]]);
    expect(over[0]!.message).toMatch(/step `heavy`: its container overrides reach [\d,]+ characters at run time; ECS accepts at most 8,192/);
  });

  it("WHEN parameter defaults are large THEN every step carrying them in FLOWC_PARAMS is named", () => {
    const r = compileText(`apiVersion: flowc/v1
name: params
parameters: { cfg: { type: string, default: "${"z".repeat(8000)}" } }
steps:
  start: { command: [a], next: end }
  end: { command: [a] }
`);
    expect(r.problems.filter((p) => p.code === "LIMIT_EXCEEDED").map((p) => p.path)).toEqual([["steps", "start"], ["steps", "end"]]);
  });

  it("WHEN overrides stay small THEN the manifest reports the largest estimate", () => {
    const r = compileText(chain(3));
    expect(r.manifest.stats.maxContainerOverridesChars).toBeGreaterThan(500);
    expect(r.manifest.stats.maxContainerOverridesChars).toBeLessThan(1500);
  });
});

describe("GIVEN names longer than the services allow", () => {
  const long = "a".repeat(48);
  const flow = `apiVersion: flowc/v1
name: ${long}
parameters: { day: { type: string, default: d } }
schedule: { cron: "0 6 * * *" }
triggers:
  - afterFlow: ${"u".repeat(48)}
steps:
  start: { command: [a], next: [${"w".repeat(40)}, side] }
  ${"w".repeat(40)}: { command: [a], switch: { ${"c".repeat(40)}: j, other: ${"n".repeat(40)} } }
  ${"n".repeat(40)}: { command: [a], next: j }
  side: { command: [a], next: j }
  j: { command: [a], join: true, next: end }
  end: { command: [a] }
`;
  it("WHEN compiled THEN state, schedule and rule names are shortened with a stable hash, readable, and no problem is reported", () => {
    const env = { ...testEnv("prod"), name: "production-eu-west" };
    const r = compileText(flow, env);
    expect(r.problems).toEqual([]);
    const names: string[] = [];
    walkStates(asl(r).States, (n) => names.push(n));
    expect(Math.max(...names.map((n) => n.length))).toBeLessThanOrEqual(80);
    expect(names.filter((n) => /^w+\.case\.c+\.[0-9a-f]{8}$/.test(n))).toHaveLength(1);
    const schedule = JSON.parse(file(r, ".schedule.json")!.content);
    expect(schedule.Name.length).toBeLessThanOrEqual(64);
    expect(schedule.Name).toMatch(/^a+-production-eu-west-[0-9a-f]{8}$|^a+-[0-9a-f]{8}$|^a+-produ[a-z-]*-[0-9a-f]{8}$/);
    const rules = JSON.parse(file(r, ".triggers.json")!.content).rules;
    expect(rules[0].Name.length).toBeLessThanOrEqual(64);
    expect(compileText(flow, env).files).toEqual(r.files);
  });
});

describe("GIVEN the EventBridge input limit", () => {
  it("WHEN a trigger's input would pass 8,192 characters THEN compiling fails naming the trigger", () => {
    const r = compileText(`apiVersion: flowc/v1
name: trig
parameters: { note: { type: string, default: "" } }
triggers:
  - afterFlow: { flow: up, parameters: { note: "${"n".repeat(9000)}" } }
steps:
  start: { command: [a], next: end }
  end: { command: [a] }
`);
    expect(r.problems).toMatchObject([{ code: "LIMIT_EXCEEDED", path: ["triggers", 0] }]);
  });
});
