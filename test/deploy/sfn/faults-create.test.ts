// A deploy from nothing, faulted at every call position (see ./faults.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AwsCall } from "../../../src/aws/testing.ts";
import { RETRIED, V1, deploy, sweep } from "./faults.ts";
import { localAws, project, snapshot, writeFlow, writes, type LocalAws, type Project } from "./helpers.ts";

let aws: LocalAws;
let p: Project;
beforeAll(async () => {
  aws = await localAws();
  p = await project(aws.endpoint);
}, 60_000);
afterAll(async () => {
  await aws?.stop();
});

describe("GIVEN a flow with a schedule and a trigger, deployed from nothing", () => {
  let positions: AwsCall[];
  let clean: unknown;
  beforeAll(async () => {
    const flow = writeFlow(p, V1);
    const r = await deploy(p, flow);
    expect(r.result.code).toBe(0);
    positions = r.calls;
    clean = await snapshot(p, flow.name, ["test"]);
    const again = await deploy(p, flow);
    expect(writes(again.calls)).toEqual([]);
  }, 60_000);

  it("WHEN any one call crashes the deploy, or is throttled, fails with a 500, is reset or loses its answer THEN a rerun converges to the clean state and nothing ever targets a missing alias", async () => {
    expect(positions.length).toBeGreaterThan(10);
    expect(writes(positions).map((c) => c.operation)).toEqual([
      "PutObject",
      "PutRolePolicy",
      "CreateStateMachine",
      "PublishStateMachineVersion",
      "CreateStateMachineAlias",
      "CreateSchedule",
      "PutRule",
      "PutTargets",
    ]);
    const failures = await sweep(p, positions, (c) => ["crash", RETRIED[c.seq % RETRIED.length]!], async () => writeFlow(p, V1), V1, clean);
    expect(failures).toEqual([]);
  }, 180_000);
});
