// The pure plan: desired bundle + live state → actions and API operations. No AWS here.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileFlowFile } from "../../../src/compile/pipeline.ts";
import type { EnvConfig } from "../../../src/config/types.ts";
import { TAG, ownerToken } from "../../../src/deploy/ownership.ts";
import { desiredState, machineUserTags, type DesiredSfn } from "../../../src/deploy/sfn/desired.ts";
import type { LiveRule, LiveSfn, LiveVersion } from "../../../src/deploy/sfn/live.ts";
import { aliasDescription, aliasHistory, planSfn, type Op } from "../../../src/deploy/sfn/plan.ts";
import { allTags, tagDelta, USER_TAG_KEYS } from "../../../src/deploy/sfn/tags.ts";
import { flattenStates } from "../../../src/deploy/sfn/view.ts";
import { fixture } from "./helpers.ts";

const OWNER = ownerToken("team-a");
let d: DesiredSfn;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "flowc-plan-"));
  writeFileSync(
    join(dir, "flowc.config.yaml"),
    `environments:
  test:
    datastore: s3://bucket/prefix
    image: local/flowc:1
    tags: { team: recs }
    sfn:
      region: us-east-1
      account: "123456789012"
      stateMachineRoleArn: arn:aws:iam::123456789012:role/sfn
      schedulerRoleArn: arn:aws:iam::123456789012:role/scheduler
      eventsRoleArn: arn:aws:iam::123456789012:role/events
      batch: { jobQueue: q, jobDefinition: jd }
`,
  );
  const text = fixture("nightly-report.yaml").replace("tags: { cost-center", "triggers:\n  - afterFlow: upstream\ntags: { cost-center");
  writeFileSync(join(dir, "flow.yaml"), text);
  const { compiled, diagnostics } = await compileFlowFile(join(dir, "flow.yaml"), { target: "sfn", env: "test", cwd: dir });
  expect(diagnostics.filter((x) => x.severity === "error")).toEqual([]);
  d = desiredState(compiled!, { owner: OWNER });
});

const version = (n: number, over: Partial<LiveVersion> = {}): LiveVersion => ({ arn: `${d.machine.arn}:${n}`, number: n, definition: d.machine.definition, roleArn: d.machine.roleArn, ...over });

/** AWS exactly as a clean deploy of `d` leaves it (with AWS's own defaults filled in). */
function deployed(): LiveSfn {
  return {
    machine: { arn: d.machine.arn, definition: structuredClone(d.machine.definition), roleArn: d.machine.roleArn, type: "STANDARD", logging: { level: "OFF" }, tracing: false, tags: allTags(d.machine.tags) },
    alias: { arn: d.alias.arn, name: d.alias.name, versionArn: `${d.machine.arn}:1`, version: 1, description: aliasDescription(d.flow, d.env, [1]) },
    aliasVersion: version(1),
    schedules: [
      {
        name: d.schedule!.name,
        group: "default",
        input: { ...d.schedule!.input, Target: { ...(d.schedule!.input.Target as object), RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } } },
      },
    ],
    rules: d.rules.map((r): LiveRule => ({ name: r.name, arn: `arn:aws:events:us-east-1:123456789012:rule/${r.name}`, bus: r.bus, description: r.description, eventPattern: JSON.stringify(r.eventPattern), state: r.state, tags: allTags(r.tags), targets: r.targets })),
    policy: { document: structuredClone(d.policy!.document) },
    objects: Object.fromEntries(d.objects.map((o) => [`${o.bucket}/${o.key}`, true])),
  };
}

const kinds = (ops: Op[]) => ops.map((o) => o.kind);
const changedDefinition = () => {
  const def = structuredClone(d.machine.definition) as { States: Record<string, { TimeoutSeconds?: number }> };
  def.States.aggregate!.TimeoutSeconds = 1;
  return def;
};

describe("GIVEN nothing deployed", () => {
  it("WHEN planned THEN everything is created in the safe order: objects, policy, machine, version, alias, schedule, rules", () => {
    const r = planSfn(d, { schedules: [], rules: [], objects: {} });
    expect(kinds(r.ops)).toEqual(["putObject", "putRolePolicy", "createMachine", "publishVersion", "setAlias", "putSchedule", "putRule", "putTargets"]);
    expect(r.plan.actions.map((a) => `${a.op} ${a.kind}`)).toEqual(["create datastore-object", "create role-policy", "create state-machine", "create version", "create alias", "create schedule", "create rule"]);
    expect(r.refusals).toEqual([]);
    // A create lists what it adds: each state by name.
    const sm = r.plan.actions.find((a) => a.kind === "state-machine")!;
    expect(sm.changes.filter((c) => c.path[0] === "states").map((c) => c.path[1])).toContain("aggregate");
  });
});

describe("GIVEN AWS holds exactly the bundle", () => {
  it("WHEN planned THEN every action is a noop and there is no operation", () => {
    const r = planSfn(d, deployed());
    expect(r.ops).toEqual([]);
    expect(r.plan.actions.every((a) => a.op === "noop")).toBe(true);
  });

  it("WHEN only provenance tags differ (another flowc version wrote them) THEN still nothing is written", () => {
    const live = deployed();
    live.machine!.tags[TAG.version] = "0.0.1";
    live.machine!.tags[TAG.hash] = "old";
    live.rules[0]!.tags[TAG.version] = "0.0.1";
    expect(planSfn(d, live).ops).toEqual([]);
  });

  it("WHEN AWS reorders JSON keys and fills defaults THEN nothing is written", () => {
    const live = deployed();
    const reversed = (o: unknown): unknown => (o && typeof o === "object" && !Array.isArray(o) ? Object.fromEntries(Object.entries(o).reverse().map(([k, v]) => [k, reversed(v)])) : o);
    live.aliasVersion = version(1, { definition: reversed(d.machine.definition) });
    live.policy = { document: reversed(d.policy!.document) };
    live.rules[0]!.eventPattern = JSON.stringify(reversed(d.rules[0]!.eventPattern));
    expect(planSfn(d, live).ops).toEqual([]);
  });
});

describe("GIVEN a shared machine whose $LATEST another environment wrote", () => {
  it("WHEN this environment's alias already runs the desired build THEN nothing is written", () => {
    const live = deployed();
    live.machine!.definition = changedDefinition();
    expect(planSfn(d, live).ops).toEqual([]);
  });
});

describe("GIVEN the definition changed", () => {
  it("WHEN planned THEN the machine is updated, a version published and the alias moved, in that order, with the state's change readable", () => {
    const live = deployed();
    live.machine!.definition = changedDefinition();
    live.machine!.tags[TAG.hash] = "the previous build";
    live.aliasVersion = version(1, { definition: changedDefinition() });
    const r = planSfn(d, live);
    expect(kinds(r.ops)).toEqual(["updateMachine", "tagMachine", "publishVersion", "setAlias"]);
    expect(r.ops[0]).toEqual({ kind: "updateMachine", machine: d.machine.name, definition: true, config: false, refs: {} });
    expect(r.ops[3]).toMatchObject({ kind: "setAlias", create: false, to: "new", history: [1] });
    const sm = r.plan.actions.find((a) => a.kind === "state-machine")!;
    expect(sm.changes).toEqual([{ op: "changed", path: ["states", "aggregate", "TimeoutSeconds"], before: 1, after: 1200 }]);
    // The provenance tags travel with the definition.
    expect(r.ops[1]).toEqual({ kind: "tagMachine", machine: d.machine.name, set: { [TAG.hash]: d.contentHash }, remove: [] });
  });

  it("WHEN a deploy died after updating the machine THEN the rerun only publishes and moves the alias", () => {
    const live = deployed();
    live.aliasVersion = version(1, { definition: changedDefinition() });
    expect(kinds(planSfn(d, live).ops)).toEqual(["publishVersion", "setAlias"]);
  });

  it("WHEN a deploy died after publishing THEN the rerun moves the alias to that version and publishes nothing", () => {
    const live = deployed();
    live.aliasVersion = version(1, { definition: changedDefinition() });
    live.latestVersion = version(2);
    const r = planSfn(d, live);
    expect(r.ops).toEqual([{ kind: "setAlias", machine: d.machine.name, create: false, to: { arn: `${d.machine.arn}:2`, number: 2 }, history: [1] }]);
    expect(r.plan.actions.find((a) => a.kind === "version")).toMatchObject({ op: "noop", reason: "already published with this definition" });
  });

  it("WHEN the alias was lost THEN it is created on the matching version", () => {
    const live = deployed();
    delete live.alias;
    expect(planSfn(d, live).ops).toEqual([{ kind: "setAlias", machine: d.machine.name, create: true, to: { arn: `${d.machine.arn}:1`, number: 1 }, history: [] }]);
  });
});

describe("GIVEN tags", () => {
  it("WHEN a configured tag changes THEN only that tag is written; a tag someone else added is left alone", () => {
    const live = deployed();
    live.machine!.tags.team = "old";
    live.machine!.tags.CostCenter = "added-by-automation";
    expect(planSfn(d, live).ops).toEqual([{ kind: "tagMachine", machine: d.machine.name, set: { team: "recs" }, remove: [] }]);
  });

  it("WHEN a tag flowc wrote leaves the configuration THEN it is removed", () => {
    const live = deployed();
    live.machine!.tags.owner_team = "x";
    live.machine!.tags[USER_TAG_KEYS] = `${live.machine!.tags[USER_TAG_KEYS]} owner_team`;
    const r = planSfn(d, live);
    expect(r.ops).toEqual([{ kind: "tagMachine", machine: d.machine.name, set: { [USER_TAG_KEYS]: d.machine.tags.managed[USER_TAG_KEYS] }, remove: ["owner_team"] }]);
    expect(r.plan.actions.find((a) => a.kind === "state-machine")!.changes).toContainEqual({ op: "removed", path: ["tags", "owner_team"], before: "x" });
  });

  it("THEN tagDelta writes provenance only with the body", () => {
    const sets = { managed: { a: "1" }, provenance: { [TAG.hash]: "h" } };
    expect(tagDelta({ a: "1" }, sets, false)).toEqual({ set: {}, remove: [] });
    expect(tagDelta({ a: "1" }, sets, true)).toEqual({ set: { [TAG.hash]: "h" }, remove: [] });
  });

  it("THEN a shared machine keeps only the configuration tags every sharing environment agrees on", () => {
    const env = (name: string, tags: Record<string, string>, stateMachineName?: string) =>
      ({ name, tags, datastore: "s3://b", templates: {}, sfn: { region: "us-east-1", account: "1", partition: "aws", ...(stateMachineName ? { stateMachineName } : {}) } }) as unknown as EnvConfig;
    const staging = env("staging", { team: "recs", env: "staging" });
    const prod = env("prod", { team: "recs", env: "prod" });
    const alone = env("alone", { env: "alone" }, "other");
    const name = (e: EnvConfig) => e.sfn?.stateMachineName ?? "flow";
    expect(machineUserTags({ team: "recs", env: "prod", "cost-center": "1" }, { "cost-center": "1" }, prod, [staging, prod, alone], name)).toEqual({ team: "recs", "cost-center": "1" });
    expect(machineUserTags({ env: "alone" }, {}, alone, [staging, prod, alone], name)).toEqual({ env: "alone" });
  });
});

describe("GIVEN schedules and rules", () => {
  it("WHEN the schedule's AWS defaults are spelled out THEN it is no change; WHEN the flow drops it THEN it is deleted last", () => {
    const live = deployed();
    expect(planSfn(d, live).ops).toEqual([]);
    const noSchedule = { ...d, schedule: undefined };
    const r = planSfn(noSchedule, live);
    expect(r.ops).toEqual([{ kind: "deleteSchedule", name: d.scheduleName, group: "default" }]);
  });

  it("WHEN the configured group changed THEN the schedule is created in the new group before the old one is deleted", () => {
    const live = deployed();
    live.schedules[0]!.group = "old-group";
    expect(kinds(planSfn(d, live).ops)).toEqual(["putSchedule", "deleteSchedule"]);
  });

  it("WHEN a flowc rule of this flow is no longer wanted THEN it is deleted; a rule of another flow or none of flowc's is not touched", () => {
    const live = deployed();
    const extra = (name: string, tags: Record<string, string>): LiveRule => ({ ...live.rules[0]!, name, arn: `arn:${name}`, tags });
    live.rules.push(
      extra(`${d.flow}-test-event-9`, { ...live.rules[0]!.tags }),
      extra(`${d.flow}-test-other`, { [TAG.managedBy]: "flowc", [TAG.flow]: "other-flow", [TAG.env]: "test" }),
      extra(`${d.flow}-test-hand-made`, {}),
    );
    const r = planSfn(d, live);
    expect(r.ops).toEqual([{ kind: "deleteRule", name: `${d.flow}-test-event-9`, bus: "default", targetIds: ["flowc"] }]);
    expect(r.refusals).toEqual([]);
  });

  it("WHEN a rule with a wanted name is not flowc's THEN the deploy is refused", () => {
    const live = deployed();
    live.rules[0]!.tags = {};
    expect(planSfn(d, live).refusals).toEqual([expect.objectContaining({ message: `rule ${d.rules[0]!.name} exists but was not created by flowc` })]);
  });

  it("WHEN a rule's target changed THEN only the targets are put", () => {
    const live = deployed();
    live.rules[0]!.targets = [{ ...live.rules[0]!.targets[0], RoleArn: "arn:aws:iam::123456789012:role/old" }];
    expect(kinds(planSfn(d, live).ops)).toEqual(["putTargets"]);
  });
});

describe("GIVEN another owner's deployment", () => {
  it("WHEN planned THEN it is refused, naming the owner's token; --authorize with it lets the plan through and rewrites the owner tag", () => {
    const live = deployed();
    const other = ownerToken("team-b");
    live.machine!.tags[TAG.owner] = other;
    const r = planSfn(d, live);
    expect(r.refusals).toEqual([expect.objectContaining({ liveOwner: other, hint: `if you mean to take it over, rerun with --authorize ${other}` })]);
    const ok = planSfn(d, live, { authorize: other });
    expect(ok.refusals).toEqual([]);
    expect(ok.ops).toEqual([{ kind: "tagMachine", machine: d.machine.name, set: { [TAG.owner]: OWNER }, remove: [] }]);
  });

  it("WHEN the machine belongs to another flow THEN it is refused", () => {
    const live = deployed();
    live.machine!.tags[TAG.flow] = "someone-else";
    expect(planSfn(d, live).refusals[0]!.message).toContain("belongs to flow `someone-else`");
  });
});

describe("GIVEN an alias's history", () => {
  it("THEN it round-trips through the description, newest first, within 256 characters", () => {
    expect(aliasHistory(aliasDescription("f", "prod", [7, 5, 4]))).toEqual([7, 5, 4]);
    expect(aliasHistory("made by hand", 3)).toEqual([3]);
    expect(aliasHistory(aliasDescription("f", "prod", [5, 4]), 7)).toEqual([7, 5, 4]);
    const long = aliasDescription("f".repeat(80), "prod", Array.from({ length: 40 }, (_, i) => 100000 + i));
    expect(long.length).toBeLessThanOrEqual(256);
  });
});

describe("GIVEN a definition with nested states", () => {
  it("THEN the diff view keys every state, nested ones included, by name", () => {
    const { states } = flattenStates({
      StartAt: "p",
      States: { p: { Type: "Parallel", Branches: [{ StartAt: "a", States: { a: { Type: "Pass", End: true } } }], Next: "m" }, m: { Type: "Map", ItemProcessor: { StartAt: "b", States: { b: { Type: "Pass", End: true } } }, End: true } },
    });
    expect(Object.keys(states)).toEqual(["a", "p", "b", "m"]);
    expect(states.p).toEqual({ Type: "Parallel", Branches: [{ StartAt: "a", States: ["a"] }], Next: "m" });
  });
});
