// An update (step, schedule, triggers changed), faulted at every call position (see ./faults.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsCall } from "../../../src/aws/testing.ts";
import { V1, V2, deploy, sweep } from "./faults.ts";
import { localAws, project, rewriteFlow, snapshot, writeFlow, writes, type LocalAws, type Project } from "./helpers.ts";

let aws: LocalAws;
let p: Project;
beforeAll(async () => {
  aws = await localAws();
  p = await project(aws.endpoint);
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

describe("GIVEN a deployed flow WHEN its update (step, schedule changed, a trigger removed, another added) is faulted", () => {
  let positions: AwsCall[];
  let clean: unknown;
  const v1 = async () => {
    const flow = writeFlow(p, V1);
    const r = await deploy(p, flow);
    expect(r.result.code).toBe(0);
    return flow;
  };
  beforeAll(async () => {
    const flow = await v1();
    rewriteFlow(p, flow, V2);
    const r = await deploy(p, flow);
    expect(r.result.code).toBe(0);
    positions = r.calls;
    clean = await snapshot(p, flow.name, ["test"]);
  }, 60_000);

  it("THEN every crash point, and every write whose answer is lost, converges on rerun with no dangling target", async () => {
    expect(writes(positions).map((c) => c.operation)).toEqual([
      "PutObject",
      "UpdateStateMachine",
      "TagResource",
      "PublishStateMachineVersion",
      "UpdateStateMachineAlias",
      "UpdateSchedule",
      "PutRule",
      "PutTargets",
      "RemoveTargets",
      "DeleteRule",
    ]);
    // A lost answer matters where the call changed something; on a read it is the same as a reset.
    const failures = await sweep(p, positions, (c) => (c.write ? ["crash", "lost"] : ["crash"]), v1, V2, clean);
    expect(failures).toEqual([]);
  }, 240_000);
});
