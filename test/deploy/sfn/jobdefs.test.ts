// Per-image Batch job definitions: a step whose image differs from the environment's runs on a copy
// of the configured job definition with only the image replaced. flowc deploy registers it before the
// machine names it, writes nothing when it is up to date, registers a new revision when the base
// changed, and deregisters the ones it registered once the running version no longer names them.
import { beforeAll, describe, expect, it } from "vitest";
import { RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import { DescribeStateMachineCommand } from "@aws-sdk/client-sfn";
import { imageDefinitionName } from "../../../src/names/sfn.ts";
import { useBatchSuite } from "./batch.ts";
import { ACCOUNT, REGION, fixture, flowc, recordCalls, rewriteFlow, uid, writeFlow, writes, type Project } from "./helpers.ts";

const suite = useBatchSuite();

const SFN = ["--target", "sfn", "--env", "test"];
const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const BASE_FLOW = fixture("nightly-report.yaml");
/** The flow with its `aggregate` step on another image (or the environment's, with none). */
const withImage = (image?: string) => (image ? BASE_FLOW.replace("    resources: { cpu: 2, memory: 8Gi }", `    resources: { cpu: 2, memory: 8Gi }\n    image: ${image}`) : BASE_FLOW);

const batchProject = () => suite.project();
const registerBase = (name: string, environment: Record<string, string>) => suite.registerBase(name, { environment });
const revisions = (name: string) => suite.revisions(name);
const active = (name: string) => suite.active(name);

describe("GIVEN a flow with a step on another image", () => {
  let p: Project;
  let base: string;
  let flow: { file: string; name: string };
  const v2 = "local/report:2";
  const v3 = "local/report:3";
  const deploy = async () => {
    const r = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(r.result.stderr).not.toMatch(/^flowc: /m);
    expect(r.result.code).toBe(0);
    return { ...r, ops: writes(r.calls).map((c) => c.operation) };
  };
  beforeAll(async () => {
    ({ p, base } = await batchProject());
    await registerBase(base, { FROM_BASE: "1" });
    flow = writeFlow(p, withImage(v2));
  });

  it("WHEN deployed with --dry-run THEN the plan shows the job definition to register and no write call is made", async () => {
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN, "--dry-run"]));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`+ create job-definition ${imageDefinitionName(base, v2)}`);
    expect(result.stdout).not.toContain("does not register");
    expect(writes(calls)).toEqual([]);
    expect(await revisions(imageDefinitionName(base, v2))).toEqual([]);
    const json = JSON.parse((await flowc(p, ["diff", flow.file, ...SFN, "--format", "json"])).stdout);
    expect(json.actions.map((a: { op: string; kind: string }) => `${a.op} ${a.kind}`).slice(0, 3)).toEqual(["create datastore-object", "create role-policy", "create job-definition"]);
  });

  it("WHEN deployed THEN the definition is registered before the machine: the base's with only the image replaced, tagged as flowc's, and named by the Task", async () => {
    const { ops } = await deploy();
    expect(ops.indexOf("RegisterJobDefinition")).toBeGreaterThan(-1);
    expect(ops.indexOf("RegisterJobDefinition")).toBeLessThan(ops.indexOf("CreateStateMachine"));
    const name = imageDefinitionName(base, v2);
    const [jd, ...more] = await active(name);
    expect(more).toEqual([]);
    expect(jd!.containerProperties).toMatchObject({ image: v2, command: ["flowc", "step"], environment: [{ name: "FROM_BASE", value: "1" }] });
    expect(jd!.containerProperties!.resourceRequirements).toEqual([
      { type: "VCPU", value: "1" },
      { type: "MEMORY", value: "2048" },
    ]);
    expect(jd!.timeout).toEqual({ attemptDurationSeconds: 3600 });
    expect(jd!.tags).toMatchObject({ "flowc.dev/managed-by": "flowc", "flowc.dev/flow": flow.name, "flowc.dev/env": "test", "flowc.dev/owner": expect.stringMatching(/^[0-9a-f]{16}$/) });
    const m = await p.aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn(flow.name) }));
    const states = JSON.parse(m.definition!).States;
    expect(states.aggregate.Parameters.JobDefinition).toBe(name);
    // The other steps run the configured definition, which the context carries once.
    expect(states.start.Parameters["JobDefinition.$"]).toBe("$.compute.JobDefinition");
    expect(states.Context.Parameters.compute.JobDefinition).toBe(base);
  });

  it("WHEN deployed again with no change THEN zero write calls are made; diff exits 0", async () => {
    const { ops, result } = await deploy();
    expect(ops).toEqual([]);
    expect(result.stdout).toContain("Nothing to do: made 0 write calls.");
    expect((await flowc(p, ["diff", flow.file, ...SFN])).code).toBe(0);
  });

  it("WHEN the base definition gets a new revision THEN diff shows the change and deploy registers a new revision, and nothing else", async () => {
    await registerBase(base, { FROM_BASE: "2" });
    const d = await flowc(p, ["diff", flow.file, ...SFN]);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`~ update job-definition ${imageDefinitionName(base, v2)}:1`);
    expect(d.stdout).toContain('~ containerProperties.environment[0].value: "1" → "2"');
    const { ops } = await deploy();
    expect(ops).toEqual(["RegisterJobDefinition"]);
    const all = await active(imageDefinitionName(base, v2));
    expect(all.map((j) => j.revision)).toEqual([1, 2]);
    expect(all[1]!.containerProperties).toMatchObject({ image: v2, environment: [{ name: "FROM_BASE", value: "2" }] });
    expect((await deploy()).ops).toEqual([]);
  });

  it("WHEN the step's image changes THEN the new definition is registered before the machine, and the old one is deregistered last, after the alias moved", async () => {
    rewriteFlow(p, flow, withImage(v3));
    const dry = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN, "--dry-run"]));
    expect(writes(dry.calls)).toEqual([]);
    expect(dry.result.stdout).toContain(`+ create job-definition ${imageDefinitionName(base, v3)}`);
    expect(dry.result.stdout).toContain(`- delete job-definition ${imageDefinitionName(base, v2)}`);
    const { ops } = await deploy();
    expect(ops.indexOf("RegisterJobDefinition")).toBeLessThan(ops.indexOf("UpdateStateMachine"));
    expect(ops.indexOf("UpdateStateMachineAlias")).toBeLessThan(ops.indexOf("DeregisterJobDefinition"));
    expect(ops.slice(-2)).toEqual(["DeregisterJobDefinition", "DeregisterJobDefinition"]); // both revisions of the old one
    expect((await active(imageDefinitionName(base, v3))).map((j) => j.containerProperties?.image)).toEqual([v3]);
    expect(await active(imageDefinitionName(base, v2))).toEqual([]);
    expect((await deploy()).ops).toEqual([]);
  });

  it("WHEN the step goes back to the environment's image THEN its definition is deregistered and the base is untouched", async () => {
    rewriteFlow(p, flow, withImage());
    const { ops } = await deploy();
    expect(ops.at(-1)).toBe("DeregisterJobDefinition");
    expect(ops).not.toContain("RegisterJobDefinition");
    expect(await active(imageDefinitionName(base, v3))).toEqual([]);
    expect((await active(base)).length).toBe(2);
    expect((await deploy()).ops).toEqual([]);
  });
});

describe("GIVEN a deploy that registers a per-image definition WHEN it is faulted at a write", () => {
  it("THEN a crash at any write, or a lost answer, converges on rerun: the definition exists with the image and the Task names it", async () => {
    const { p, base } = await batchProject();
    await registerBase(base, {});
    const failures: string[] = [];
    // Each case uses an image of its own, so each deploy registers a definition of its own.
    const probe = writeFlow(p, withImage(`local/probe:${uid()}`));
    const clean = await recordCalls(() => flowc(p, ["deploy", probe.file, ...SFN]));
    const positions = writes(clean.calls).map((c, i) => ({ i, op: c.operation }));
    expect(positions.map((x) => x.op)).toContain("RegisterJobDefinition");
    for (const { i, op } of positions) {
      for (const fault of ["crash", "lost"] as const) {
        const image = `local/faulted:${uid()}`;
        const flow = writeFlow(p, withImage(image));
        let n = -1;
        const faulted = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]), (c) => (c.write && ++n === i ? fault : undefined));
        if ((faulted.result.code === 0) !== (fault === "lost")) failures.push(`${fault} at ${op}: exit ${faulted.result.code}`);
        const rerun = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
        if (rerun.result.code !== 0) failures.push(`${fault} at ${op}: rerun exit ${rerun.result.code}: ${rerun.result.stderr}`);
        const name = imageDefinitionName(base, image);
        const defs = await active(name);
        if (!defs.length || defs.some((d) => d.containerProperties?.image !== image)) failures.push(`${fault} at ${op}: ${name} is ${JSON.stringify(defs.map((d) => d.containerProperties?.image))}`);
        const m = await p.aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${machineArn(flow.name)}:1` }));
        if (JSON.parse(m.definition!).States.aggregate.Parameters.JobDefinition !== name) failures.push(`${fault} at ${op}: version 1 does not name ${name}`);
        const again = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
        if (writes(again.calls).length) failures.push(`${fault} at ${op}: a third deploy still writes ${writes(again.calls).map((c) => c.operation).join(", ")}`);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

describe("GIVEN per-image definitions someone else made or a base that does not exist", () => {
  it("WHEN the configured job definition has no ACTIVE revision THEN the deploy is refused before any write", async () => {
    const { p, base } = await batchProject();
    const flow = writeFlow(p, withImage("local/report:9"));
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DEPLOY_REFUSED");
    expect(result.stderr).toContain(`job definition \`${base}\``);
    expect(writes(calls)).toEqual([]);
  });

  it("WHEN a definition of the wanted name exists that flowc did not register THEN the deploy is refused before any write", async () => {
    const { p, base } = await batchProject();
    await registerBase(base, {});
    const image = "local/report:7";
    await suite.batch.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: imageDefinitionName(base, image),
        type: "container",
        containerProperties: { image, resourceRequirements: [{ type: "VCPU", value: "1" }, { type: "MEMORY", value: "512" }] },
      }),
    );
    const flow = writeFlow(p, withImage(image));
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`job definition ${imageDefinitionName(base, image)} exists but was not created by flowc`);
    expect(writes(calls)).toEqual([]);
  });
});
