// After a deploy: versions, promote between environments that share a state machine, rollback,
// trigger (parameters checked first), runs, and delete (schedule first; the machine only when no other
// environment's alias uses it).
import { beforeAll, describe, expect, it } from "vitest";
import { DescribeStateMachineAliasCommand, DescribeStateMachineCommand } from "@aws-sdk/client-sfn";
import { ACCOUNT, REGION, fixture, flowc, project, recordCalls, rewriteFlow, snapshot, writeFlow, writes, type Project, machineArn, useLocalAws } from "./helpers.ts";

const aws = useLocalAws();
const at = (target: string) => ["--target", "sfn", "--env", target];

async function aliasVersion(p: Project, flow: string, env: string): Promise<number> {
  const a = await p.aws.sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${machineArn(flow)}:${env}` }));
  return Number(a.routingConfiguration![0]!.stateMachineVersionArn!.split(":").pop());
}

describe("GIVEN staging and prod sharing one state machine and datastore", () => {
  let p: Project;
  let flow: { file: string; name: string };
  const base = fixture("nightly-report.yaml");
  const ok = async (args: string[], env?: Record<string, string>) => {
    const r = await flowc(p, args, env);
    expect(r.stderr).not.toMatch(/^flowc: /m);
    expect(r.code).toBe(0);
    return r;
  };
  beforeAll(async () => {
    p = await project(aws.endpoint, [
      { name: "staging", datastore: "s3://BUCKET/shared" },
      { name: "prod", datastore: "s3://BUCKET/shared" },
      { name: "elsewhere" },
      { name: "renamed", datastore: "s3://BUCKET/shared", stateMachineName: "another-{flow}" },
    ]);
    const { readFileSync, writeFileSync } = await import("node:fs");
    writeFileSync(`${p.dir}/flowc.config.yaml`, readFileSync(`${p.dir}/flowc.config.yaml`, "utf8").replaceAll("BUCKET", p.bucket));
    flow = writeFlow(p, base);
    await ok(["deploy", flow.file, ...at("staging")]);
    await ok(["deploy", flow.file, ...at("prod")]);
  });

  it("WHEN versions are listed THEN each version says which alias points at it and which build it is", async () => {
    const r = await ok(["versions", flow.file, "--env", "prod"]);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^VERSION\s+CREATED\s+ALIASES\s+EARLIER\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(/^2\s+\S+Z\s+prod\s+-\s+flowc env=prod hash=[0-9a-f]{12} flowc=\S+$/);
    expect(lines[2]).toMatch(/^1\s+\S+Z\s+staging\s+-\s+flowc env=staging hash=/);
    const json = JSON.parse((await ok(["versions", flow.file, "--env", "prod", "--format", "json"])).stdout);
    expect(json.map((v: { version: string; aliases: string[] }) => [v.version, v.aliases])).toEqual([
      ["2", ["prod"]],
      ["1", ["staging"]],
    ]);
  });

  it("WHEN a new build reaches staging and is promoted THEN prod's alias points at exactly staging's version, and nothing else is written", async () => {
    rewriteFlow(p, flow, base.replace("    resources: { cpu: 2, memory: 8Gi }", "    resources: { cpu: 2, memory: 8Gi }\n    timeout: 40m"));
    await ok(["deploy", flow.file, ...at("staging")]);
    expect(await aliasVersion(p, flow.name, "staging")).toBe(3);
    const dry = await recordCalls(() => ok(["promote", flow.file, "--from", "staging", "--to", "prod", "--dry-run"]));
    expect(writes(dry.calls)).toEqual([]);
    expect(dry.result.stdout).toContain(`~ update alias ${flow.name}:prod (the version staging runs)`);
    expect(dry.result.stdout).toContain("~ version: 2 → 3");
    const { result, calls } = await recordCalls(() => ok(["promote", flow.file, "--from", "staging", "--to", "prod"]));
    expect(writes(calls).map((c) => c.operation)).toEqual(["UpdateStateMachineAlias"]);
    expect(result.stdout).toContain("Console: https://");
    expect(await aliasVersion(p, flow.name, "prod")).toBe(3);
    const versions = JSON.parse((await ok(["versions", flow.file, "--env", "prod", "--format", "json"])).stdout);
    expect(versions.find((v: { version: string }) => v.version === "3").aliases.sort()).toEqual(["prod", "staging"]);
    expect(versions.find((v: { version: string }) => v.version === "2").previouslyIn).toEqual(["prod"]);
    // Promoting again changes nothing.
    const again = await recordCalls(() => ok(["promote", flow.file, "--from", "staging", "--to", "prod"]));
    expect(writes(again.calls)).toEqual([]);
  });

  it("WHEN prod is rolled back THEN its alias returns to the version it ran before; twice returns to where it was; --to picks one", async () => {
    await ok(["rollback", flow.file, "--env", "prod"]);
    expect(await aliasVersion(p, flow.name, "prod")).toBe(2);
    expect(await aliasVersion(p, flow.name, "staging")).toBe(3);
    await ok(["rollback", flow.file, "--env", "prod"]);
    expect(await aliasVersion(p, flow.name, "prod")).toBe(3);
    await ok(["rollback", flow.file, "--env", "prod", "--to", "2"]);
    expect(await aliasVersion(p, flow.name, "prod")).toBe(2);
    // Version 1 was staging's only: prod never ran it.
    const refused = await flowc(p, ["rollback", flow.file, "--env", "prod", "--to", "1"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error ROLLBACK_REFUSED: version 1 was built for `staging` and `prod` never ran it");
    const missing = await flowc(p, ["rollback", flow.file, "--env", "prod", "--to", "99"]);
    expect(missing.stderr).toContain("error ROLLBACK_REFUSED: version 99 of");
    // A deploy moves prod forward again to what the flow file compiles to (for prod: its own version).
    const d = await ok(["deploy", flow.file, ...at("prod")]);
    expect(d.stdout).toContain("version 4");
  });

  it("WHEN promote's environments differ in a way a version carries, or use different machines THEN it is refused, saying why", async () => {
    const datastore = await flowc(p, ["promote", flow.file, "--from", "elsewhere", "--to", "prod"]);
    expect(datastore.code).toBe(1);
    expect(datastore.stderr).toContain("error PROMOTE_REFUSED: cannot promote `elsewhere` to `prod`: the flow compiles to different definitions for the two environments");
    expect(datastore.stderr).toMatch(/~ state Context: Parameters\.env\[0\]\.Value: "s3:\/\/[^"]+\/elsewhere" → "s3:\/\/[^"]+\/shared"/);
    const machines = await flowc(p, ["promote", flow.file, "--from", "renamed", "--to", "prod"]);
    expect(machines.stderr).toContain(`\`renamed\` runs state machine ${machineArn(`another-${flow.name}`)} and \`prod\` runs ${machineArn(flow.name)}`);
    const notDeployed = await flowc(p, ["promote", flow.file, "--from", "staging", "--to", "staging"]);
    expect(notDeployed.code).toBe(1);
  });

  it("WHEN a run is triggered with bad parameters THEN nothing starts (exit 2); with good ones THEN it starts on the alias and runs lists it", async () => {
    const bad = await recordCalls(() => flowc(p, ["trigger", flow.file, ...at("prod"), "--param", "top=many", "--param", "colour=red"]));
    expect(bad.result.code).toBe(2);
    expect(bad.result.stderr).toContain("error PARAM_TYPE: parameter `top` is of type integer");
    expect(bad.result.stderr).toContain("error PARAM_UNKNOWN: unknown parameter `colour`");
    expect(bad.calls).toEqual([]);
    const r = await ok(["trigger", flow.file, ...at("prod"), "--param", "top=3", "--format", "json"]);
    const run = JSON.parse(r.stdout);
    expect(run.id).toMatch(new RegExp(`^arn:aws:states:${REGION}:${ACCOUNT}:execution:${flow.name}:prod-\\d{8}T\\d{6}-[0-9a-f]{6}$`));
    expect(run.link).toContain("#/v2/executions/details/");
    const text = await ok(["trigger", flow.file, ...at("prod")]);
    expect(text.stdout).toMatch(/^Started prod-\d{8}T\d{6}-[0-9a-f]{6}\n {2}execution: arn:aws:states:.*\n {2}console: {3}https:\/\//);
    const runs = JSON.parse((await ok(["runs", flow.file, "--env", "prod", "--target", "sfn", "--format", "json"])).stdout);
    expect(runs.map((x: { name: string }) => x.name)).toContain(run.name);
    expect(runs[0]).toMatchObject({ status: expect.stringMatching(/RUNNING|SUCCEEDED|FAILED/), startedAt: expect.any(String), link: expect.stringContaining("https://") });
    const table = await ok(["runs", flow.file, "--env", "prod", "--target", "sfn"]);
    expect(table.stdout.split("\n")[0]).toMatch(/^RUN\s+STATUS\s+STARTED\s+TIME\s+CONSOLE$/);
  });

  it("WHEN staging is deleted THEN its schedule goes first, then its alias; the machine stays for prod; deleting prod removes the machine", async () => {
    const dry = await recordCalls(() => ok(["delete", flow.file, ...at("staging"), "--dry-run"]));
    expect(writes(dry.calls)).toEqual([]);
    expect(dry.result.stdout).toContain(`- delete schedule default/${flow.name}-staging`);
    expect(dry.result.stdout).toContain("(kept: used by `prod`)");
    const { calls } = await recordCalls(() => ok(["delete", flow.file, ...at("staging")]));
    expect(writes(calls).map((c) => c.operation)).toEqual(["DeleteSchedule", "DeleteStateMachineAlias", "DeleteRolePolicy"]);
    const snap = (await snapshot(p, flow.name, ["staging", "prod"])) as { staging: object; prod: object; machine: { aliases: object } };
    expect(snap.staging).toEqual({});
    expect(Object.keys(snap.machine.aliases)).toEqual(["prod"]);
    expect(Object.keys(snap.prod)).toEqual(["policy", "schedule default/FLOW-prod"]);

    const prod = await recordCalls(() => ok(["delete", flow.file, ...at("prod")]));
    expect(writes(prod.calls).map((c) => c.operation)).toEqual(["DeleteSchedule", "DeleteStateMachineAlias", "DeleteStateMachine", "DeleteRolePolicy"]);
    expect(await snapshot(p, flow.name, ["staging", "prod"])).toEqual({ staging: {}, prod: {} });
    await expect(p.aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn(flow.name) }))).rejects.toThrow();
    const again = await recordCalls(() => ok(["delete", flow.file, ...at("prod")]));
    expect(writes(again.calls)).toEqual([]);
    expect(again.result.stdout).toContain("Nothing to delete");
  });
});

describe("GIVEN a flow deployed by another owner WHEN someone deletes it", () => {
  it("THEN it is refused with no write; --authorize deletes it", async () => {
    const p = await project(aws.endpoint);
    const flow = writeFlow(p, fixture("fanout-scoring.yaml"));
    expect((await flowc(p, ["deploy", flow.file, ...at("test"), "--owner", "platform"])).code).toBe(0);
    const { result, calls } = await recordCalls(() => flowc(p, ["delete", flow.file, ...at("test"), "--owner", "intruder"]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error DEPLOY_REFUSED: nothing was changed:");
    expect(writes(calls)).toEqual([]);
    const token = /--authorize ([0-9a-f]{16})/.exec(result.stderr)![1]!;
    const done = await recordCalls(() => flowc(p, ["delete", flow.file, ...at("test"), "--owner", "intruder", "--authorize", token]));
    expect(done.result.code).toBe(0);
    // Rules: targets removed before the rule; the machine last.
    expect(writes(done.calls).map((c) => c.operation)).toEqual([
      "RemoveTargets",
      "DeleteRule",
      "RemoveTargets",
      "DeleteRule",
      "DeleteStateMachineAlias",
      "DeleteStateMachine",
      "DeleteRolePolicy",
    ]);
    expect(await snapshot(p, flow.name, ["test"])).toEqual({ test: {} });
  });
});
