// Faults at every call position (the sweep both fault suites share). A test hook in flowc's AWS clients fails the Nth call of a deploy:
//  - crash: the deploy dies there (a non-retryable error ends the command, as a killed CI job would);
//  - throttle / server / reset: the service throttles, fails with a 500, or the connection resets
//    before the request arrives;
//  - lost: the service does the work, then the connection resets before the answer arrives.
// N runs over every call a clean deploy makes. After each fault: no schedule or trigger points at a
// missing alias, and a rerun converges to exactly the state a clean deploy leaves.
import { expect } from "vitest";
import type { AwsCall, Fault } from "../../../src/aws/testing.ts";
import { danglingTargets, fixture, flowc, recordCalls, rewriteFlow, snapshot, type Project } from "./helpers.ts";

const SFN = ["--target", "sfn", "--env", "test"];
export const RETRIED: Fault[] = ["throttle", "server", "reset", "lost"];

// v1: a schedule and one trigger. v2 changes a step, the schedule, drops that trigger and adds another.
export const V1 = fixture("nightly-report.yaml").replace("tags: { cost-center", "triggers:\n  - afterFlow: upstream-a\ntags: { cost-center");
export const V2 = fixture("nightly-report.yaml")
  .replace('cron: "30 2 * * *"', 'cron: "0 5 * * *"')
  .replace("    resources: { cpu: 2, memory: 8Gi }", "    resources: { cpu: 4, memory: 8Gi }\n    timeout: 1h")
  .replace("tags: { cost-center", "triggers:\n  - event: { source: [acme.sales], parameters: { region: $.detail.region } }\ntags: { cost-center");

export async function deploy(p: Project, flow: { file: string }, fault?: (c: AwsCall) => Fault | undefined) {
  return recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]), fault);
}

export interface Failure {
  at: string;
  problem: string;
}

/**
 * For each position and fault: `setup` brings a fresh flow (unique name) to the starting state, the
 * faulted deploy runs, then the checks. Failures are collected so one run reports them all.
 */
export async function sweep(
  p: Project,
  positions: AwsCall[],
  faultsAt: (call: AwsCall) => Fault[],
  setup: () => Promise<{ file: string; name: string }>,
  target: string,
  clean: unknown,
): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (const call of positions) {
    for (const fault of faultsAt(call)) {
      const at = `${fault} at call ${call.seq} (${call.service}:${call.operation})`;
      const flow = await setup();
      rewriteFlow(p, flow, target);
      const faulted = await deploy(p, flow, (c) => (c.seq === call.seq ? fault : undefined));
      const expectOk = fault !== "crash";
      if ((faulted.result.code === 0) !== expectOk) failures.push({ at, problem: `exit ${faulted.result.code}: ${faulted.result.stderr.split("\n").slice(-4).join(" | ")}` });
      const dangling = await danglingTargets(p, flow.name, ["test"]);
      if (dangling.length) failures.push({ at, problem: `targets a missing alias: ${dangling.join(", ")}` });
      const rerun = await deploy(p, flow);
      if (rerun.result.code !== 0) failures.push({ at, problem: `rerun exit ${rerun.result.code}: ${rerun.result.stderr}` });
      const snap = await snapshot(p, flow.name, ["test"]);
      if (JSON.stringify(snap) !== JSON.stringify(clean)) {
        expect.soft(snap, at).toEqual(clean);
        failures.push({ at, problem: "state differs from a clean deploy" });
      }
    }
  }
  return failures;
}

