// A flow split into a family of state machines (sfn.maxDefinitionBytes forces it with a small flow):
// deploy creates children first and pins the parent to their versions, a redeploy writes nothing,
// a change publishes exactly the members it touches, promote and rollback move the whole family,
// a flow that stops being split drops its children's aliases, and delete removes every child.
import { beforeAll, describe, expect, it } from "vitest";
import { DescribeStateMachineAliasCommand, DescribeStateMachineCommand, ListStateMachinesCommand, ListTagsForResourceCommand } from "@aws-sdk/client-sfn";
import { flowc, project, recordCalls, rewriteFlow, writeFlow, writes, type Project, machineArn, useLocalAws } from "./helpers.ts";

const aws = useLocalAws();
const at = (env: string) => ["--target", "sfn", "--env", env];

/** start → s1 … s10 → fan (foreach) → b1 → b2 → b3 → gather (join) → end. */
function flowText(opts: { extra?: string; chain?: number } = {}): string {
  const n = opts.chain ?? 10;
  const chain = Array.from({ length: n }, (_, i) => `  s${i + 1}: { command: [work, "${i + 1}"]${i === 4 ? opts.extra ?? "" : ""}, next: ${i === n - 1 ? "fan" : `s${i + 2}`} }`);
  return [
    "apiVersion: flowc/v1",
    "name: family",
    "steps:",
    "  start: { command: [work], next: s1 }",
    ...chain,
    "  fan: { command: [work], foreach: true, next: b1 }",
    "  b1: { command: [work], next: b2 }",
    "  b2: { command: [work], next: b3 }",
    "  b3: { command: [work], next: gather }",
    "  gather: { command: [work], join: true, next: end }",
    "  end: { command: [work] }",
    "",
  ].join("\n");
}

async function describe_(p: Project, arn: string) {
  try {
    return await p.aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
  } catch {
    return undefined;
  }
}

async function aliasOf(p: Project, machine: string, env: string): Promise<number | undefined> {
  try {
    const a = await p.aws.sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${machineArn(machine)}:${env}` }));
    return Number(a.routingConfiguration![0]!.stateMachineVersionArn!.split(":").pop());
  } catch {
    return undefined;
  }
}

/** The child references a deployed definition starts, as `name:version`. */
function pins(definition: string): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o.Resource === "arn:aws:states:::states:startExecution.sync:2") out.push(String((o.Parameters as Record<string, string>).StateMachineArn).split(":stateMachine:")[1]!);
      Object.values(o).forEach(visit);
    }
  };
  visit(JSON.parse(definition));
  return out.sort();
}

/** The first group of each log line (the CLI's stderr) that matches, in order. */
const logged = (text: string, re: RegExp) => text.split("\n").flatMap((l) => {
  const m = re.exec(l.trim());
  return m ? [m[1]!] : [];
});

async function machinesNamed(p: Project, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await p.aws.sfn.send(new ListStateMachinesCommand({ nextToken }));
    for (const m of page.stateMachines ?? []) if (m.name!.startsWith(prefix)) out.push(m.name!);
    nextToken = page.nextToken;
  } while (nextToken);
  return out.sort();
}

describe("GIVEN a flow past its environments' definition budget, in staging and prod sharing machines", () => {
  let p: Project;
  let flow: { file: string; name: string };
  let children: string[];
  const ok = async (args: string[]) => {
    const r = await flowc(p, args);
    expect(r.stderr).not.toMatch(/^flowc: /m);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r;
  };
  beforeAll(async () => {
    p = await project(aws.endpoint, [
      { name: "staging", datastore: "s3://BUCKET/shared", extra: "maxDefinitionBytes: 4096" },
      { name: "prod", datastore: "s3://BUCKET/shared", extra: "maxDefinitionBytes: 4096" },
    ]);
    const { readFileSync, writeFileSync } = await import("node:fs");
    writeFileSync(`${p.dir}/flowc.config.yaml`, readFileSync(`${p.dir}/flowc.config.yaml`, "utf8").replaceAll("BUCKET", p.bucket));
    flow = writeFlow(p, flowText());
  });

  it("WHEN deployed THEN every child exists with version 1 and the environment's alias, created before the parent, and the parent pins them", async () => {
    const { result, calls } = await recordCalls(() => ok(["deploy", flow.file, ...at("staging")]));
    expect(result.stdout).toContain("Deployed");
    children = (await machinesNamed(p, `${flow.name}-`)).filter((n) => n !== flow.name);
    expect(children.length).toBeGreaterThan(1);
    for (const c of children) {
      expect(await aliasOf(p, c, "staging"), c).toBe(1);
      const tags = Object.fromEntries(((await p.aws.sfn.send(new ListTagsForResourceCommand({ resourceArn: machineArn(c) }))).tags ?? []).map((t) => [t.key, t.value]));
      expect(tags).toMatchObject({ "flowc.dev/managed-by": "flowc", "flowc.dev/flow": flow.name, "flowc.dev/family": flow.name, "flowc.dev/owner": expect.stringMatching(/^[0-9a-f]{16}$/) });
    }
    // Children first: the flow's own machine is created last, so no version ever names a missing child.
    expect(writes(calls).filter((c) => c.operation === "CreateStateMachine")).toHaveLength(children.length + 1);
    const created = logged(result.stderr, /^created state machine arn:\S+:stateMachine:(\S+)$/);
    expect(created[created.length - 1]).toBe(flow.name);
    expect(created.slice(0, -1).sort()).toEqual(children);
    // Every reference in the family is pinned to a version, and the pinned versions are the ones the aliases run.
    const all = [flow.name, ...children];
    const pinned: string[] = [];
    for (const m of all) pinned.push(...pins((await describe_(p, `${machineArn(m)}:1`))!.definition!));
    expect(pinned.sort()).toEqual(children.map((c) => `${c}:1`));
    expect(await aliasOf(p, flow.name, "staging")).toBe(1);
  }, 120_000);

  it("WHEN deployed again THEN nothing is written, and diff says no changes", async () => {
    const { result, calls } = await recordCalls(() => ok(["deploy", flow.file, ...at("staging")]));
    expect(writes(calls)).toEqual([]);
    expect(result.stdout).toContain("Nothing to do");
    expect((await flowc(p, ["diff", flow.file, ...at("staging")])).code).toBe(0);
  }, 120_000);

  it("WHEN one step in a child changes THEN that child and the machines that start it get new versions, pinned, and the others are not written", async () => {
    rewriteFlow(p, flow, flowText({ extra: ", timeout: 10m" }));
    const diff = await flowc(p, ["diff", flow.file, ...at("staging")]);
    expect(diff.code).toBe(1);
    // A step's timeout is in its child's definition (its command is in the spec, which the context names).
    expect(diff.stdout).toMatch(/state s5: TimeoutSeconds/);
    expect(diff.stdout).toMatch(/Parameters\.StateMachineArn: "[^"]+:1" → "[^"]+:next"/);
    const { result } = await recordCalls(() => ok(["deploy", flow.file, ...at("staging")]));
    const published = logged(result.stderr, /^published version \d+(?: of (\S+))?$/).map((n) => n ?? flow.name);
    const holder = [];
    for (const c of children) if (JSON.stringify(JSON.parse((await describe_(p, `${machineArn(c)}:${await aliasOf(p, c, "staging")}`))!.definition!).States).includes("'s5'")) holder.push(c);
    expect(holder).toHaveLength(1);
    expect(published).toContain(holder[0]);
    expect(published[published.length - 1]).toBe(flow.name);
    expect(published.length).toBeLessThan(children.length + 1);
    expect(await aliasOf(p, flow.name, "staging")).toBe(2);
    expect(await aliasOf(p, holder[0]!, "staging")).toBe(2);
    const parentPins = pins((await describe_(p, `${machineArn(flow.name)}:2`))!.definition!);
    for (const c of children.filter((c) => !published.includes(c))) expect(await aliasOf(p, c, "staging"), c).toBe(1);
    expect(parentPins.length).toBeGreaterThan(0);
    // A redeploy of the change writes nothing either.
    expect(writes((await recordCalls(() => ok(["deploy", flow.file, ...at("staging")]))).calls)).toEqual([]);
  }, 120_000);

  it("WHEN staging is promoted to prod THEN prod's aliases, the flow's and every child's, point at exactly staging's versions", async () => {
    // prod runs the first build, deployed from the first text.
    rewriteFlow(p, flow, flowText());
    await ok(["deploy", flow.file, ...at("prod")]);
    rewriteFlow(p, flow, flowText({ extra: ", timeout: 10m" }));
    const before = await aliasOf(p, flow.name, "prod");
    await ok(["promote", flow.file, "--from", "staging", "--to", "prod"]);
    expect(await aliasOf(p, flow.name, "prod")).toBe(await aliasOf(p, flow.name, "staging"));
    expect(await aliasOf(p, flow.name, "prod")).not.toBe(before);
    for (const c of children) expect(await aliasOf(p, c, "prod"), c).toBe(await aliasOf(p, c, "staging"));
  }, 120_000);

  it("WHEN prod is rolled back THEN the flow's alias returns to its earlier version and each child's alias to the version that one pins", async () => {
    const r = await ok(["rollback", flow.file, "--env", "prod"]);
    expect(r.stdout).toContain("alias");
    const v = await aliasOf(p, flow.name, "prod");
    const pinned = pins((await describe_(p, `${machineArn(flow.name)}:${v}`))!.definition!);
    for (const ref of pinned) {
      const [name, version] = ref.split(":");
      expect(await aliasOf(p, name!, "prod"), name).toBe(Number(version));
    }
    // Back to where it was.
    await ok(["rollback", flow.file, "--env", "prod"]);
    expect(await aliasOf(p, flow.name, "prod")).toBe(await aliasOf(p, flow.name, "staging"));
  }, 120_000);

  it("WHEN the flow shrinks and is no longer split THEN deploy removes staging's aliases from the children it no longer runs, after the flow's alias moved, and keeps the machines for rollback", async () => {
    const small = [
      "apiVersion: flowc/v1",
      "name: family",
      "steps:",
      "  start: { command: [work], next: end }",
      "  end: { command: [work] }",
      "",
    ].join("\n");
    rewriteFlow(p, flow, small);
    const { result, calls } = await recordCalls(() => ok(["deploy", flow.file, ...at("staging")]));
    const ops = writes(calls).map((c) => c.operation);
    expect(ops.filter((o) => o === "DeleteStateMachineAlias")).toHaveLength(children.length);
    expect(ops.indexOf("UpdateStateMachineAlias")).toBeLessThan(ops.indexOf("DeleteStateMachineAlias"));
    expect(logged(result.stderr, /^deleted alias (\S+):staging \(/).sort()).toEqual(children);
    for (const c of children) {
      expect(await aliasOf(p, c, "staging"), c).toBeUndefined();
      expect(await aliasOf(p, c, "prod"), c).toBeDefined();
      expect(await describe_(p, machineArn(c))).toBeDefined();
    }
    expect(writes((await recordCalls(() => ok(["deploy", flow.file, ...at("staging")]))).calls)).toEqual([]);
  }, 120_000);

  it("WHEN staging then prod are deleted THEN prod's deletion removes the machine and every child, and deleting again writes nothing", async () => {
    await ok(["delete", flow.file, ...at("staging")]);
    expect(await describe_(p, machineArn(flow.name))).toBeDefined();
    // prod still runs the split family (its alias and its children's).
    for (const c of children) expect(await describe_(p, machineArn(c)), c).toBeDefined();
    const dry = await recordCalls(() => ok(["delete", flow.file, ...at("prod"), "--dry-run"]));
    expect(writes(dry.calls)).toEqual([]);
    for (const c of children) expect(dry.result.stdout).toContain(`- delete state-machine ${c}`);
    const { result } = await recordCalls(() => ok(["delete", flow.file, ...at("prod")]));
    const deleted = logged(result.stderr, /^deleted state machine (\S+)$/);
    // The flow's machine first, then its children.
    expect(deleted[0]).toBe(flow.name);
    expect(deleted.slice(1).sort()).toEqual(children);
    expect(await machinesNamed(p, flow.name)).toEqual([]);
    expect(writes((await recordCalls(() => ok(["delete", flow.file, ...at("prod")]))).calls)).toEqual([]);
  }, 120_000);
});

describe("GIVEN a split flow deployed from nothing, and the deploy killed at each of its writes", () => {
  let p: Project;
  const text = flowText({ chain: 4 });
  const SFN = at("test");
  beforeAll(async () => {
    p = await project(aws.endpoint, [{ name: "test", extra: "maxDefinitionBytes: 4096" }]);
  });

  /** Every machine of the family: versions, what the alias runs, what each version pins; names made neutral. */
  async function familyState(name: string): Promise<{ state: unknown; dangling: string[] }> {
    const { ListStateMachineVersionsCommand } = await import("@aws-sdk/client-sfn");
    const state: Record<string, unknown> = {};
    const dangling: string[] = [];
    for (const m of await machinesNamed(p, name)) {
      const versions = (await p.aws.sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: machineArn(m) }))).stateMachineVersions ?? [];
      const pinsOf: Record<string, string[]> = {};
      for (const v of versions) {
        const d = await describe_(p, v.stateMachineVersionArn!);
        pinsOf[v.stateMachineVersionArn!.split(":").pop()!] = pins(d!.definition!);
        for (const ref of pinsOf[v.stateMachineVersionArn!.split(":").pop()!]!) if (!(await describe_(p, machineArn(ref)))) dangling.push(`${m}:${v.stateMachineVersionArn!.split(":").pop()} pins ${ref}`);
      }
      state[m.replace(name, "FLOW")] = { versions: versions.length, alias: await aliasOf(p, m, "test"), pins: JSON.parse(JSON.stringify(pinsOf).replaceAll(name, "FLOW")) };
    }
    return { state, dangling };
  }

  it("THEN no version ever pins a child version that does not exist, and a rerun leaves exactly the family a clean deploy leaves", async () => {
    const first = writeFlow(p, text);
    const clean = await recordCalls(() => flowc(p, ["deploy", first.file, ...SFN]));
    expect(clean.result.code).toBe(0);
    const want = (await familyState(first.name)).state;
    expect(Object.keys(want as object).length).toBeGreaterThan(2);
    const positions = writes(clean.calls).map((c) => c.seq);
    const failures: string[] = [];
    for (const seq of positions) {
      const flow = writeFlow(p, text);
      const faulted = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]), (c) => (c.seq === seq ? "crash" : undefined));
      if (faulted.result.code === 0) failures.push(`crash at ${seq}: the deploy did not stop`);
      const after = await familyState(flow.name);
      if (after.dangling.length) failures.push(`crash at ${seq}: ${after.dangling.join(", ")}`);
      const rerun = await flowc(p, ["deploy", flow.file, ...SFN]);
      if (rerun.code !== 0) failures.push(`crash at ${seq}: rerun exit ${rerun.code}: ${rerun.stderr}`);
      const got = await familyState(flow.name);
      if (JSON.stringify(got.state) !== JSON.stringify(want)) failures.push(`crash at ${seq}: ${JSON.stringify(got.state)} differs from ${JSON.stringify(want)}`);
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
