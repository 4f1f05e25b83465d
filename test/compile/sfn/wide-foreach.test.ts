// A very wide foreach on moto's interpreter: the compiled Distributed Map (ItemReader, ItemSelector,
// MaxConcurrency, ResultWriter, Label) runs 20,000 items. The item body is trivial (its Batch Task is
// replaced by a Pass with the same exit: 20,000 local processes would take the better part of an
// hour), the concurrency is forced small (8), and everything outside the Map runs as compiled, its
// Batch jobs included. The run must succeed within the documented limits: no payload between states
// over 256 KiB, a parent history far from 25,000 events, every item run once.
import { DescribeMapRunCommand, ListMapRunsCommand } from "@aws-sdk/client-sfn";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { State } from "../../../src/compile/sfn/asl.ts";
import { SFN_LIMITS } from "../../../src/compile/sfn/limits.ts";
import type { EnvConfig } from "../../../src/config/types.ts";
import { asl, compileText } from "./helpers.ts";
import { BUCKET, MotoRig } from "./moto-support.ts";

const rig = new MotoRig();
beforeAll(() => rig.start(), 60_000);
afterAll(() => rig.stop());

const WIDE = `apiVersion: flowc/v1
name: wide
steps:
  start: { command: [split], foreach: true, next: item }
  item: { command: [work], next: gather }
  gather: { command: [gather], join: true, next: end }
  end: { command: [report] }
`;

/** The environment with the concurrency forced small (sfn.foreach.maxConcurrency). */
function smallConcurrency(n: number): EnvConfig {
  const env = rig.env("prod");
  return { ...env, sfn: { ...env.sfn!, foreach: { ...env.sfn!.foreach, maxConcurrency: n } } };
}

/** Every Batch Task in a Map's item processor becomes a Pass with the same exit and output. */
function trivialBody(states: Record<string, State>): void {
  for (const [name, s] of Object.entries(states)) {
    if (s.Type === "Map") trivialBody(s.ItemProcessor.States);
    if (s.Type !== "Task" || !s.Resource.includes("batch:submitJob")) continue;
    states[name] = { Type: "Pass", ...(s.End ? { End: true as const } : { Next: s.Next! }), ...(s.OutputPath !== undefined ? { OutputPath: s.OutputPath } : {}) };
  }
}

async function deployWide(concurrency: number, edit: (map: Record<string, any>) => void = () => {}) {
  const result = compileText(WIDE, smallConcurrency(concurrency));
  expect(result.problems).toEqual([]);
  const definition = asl(result);
  const map = definition.States["start.foreach"];
  trivialBody(map.ItemProcessor.States);
  edit(map);
  return { map, alias: await rig.deploy({ ...result, files: [{ name: result.files[0]!.name, content: JSON.stringify(definition) }] }, "prod") };
}

const bytes = (text: string | undefined) => Buffer.byteLength(text ?? "");

describe("GIVEN a foreach compiled with the wide-foreach defaults (ResultWriter, bounded MaxConcurrency, the throttling retrier)", () => {
  it("WHEN 20,000 items run on moto with MaxConcurrency 8 and a trivial body THEN the run SUCCEEDS, every item ran once, and no payload, history or result passes the documented limits", async () => {
    // GIVEN
    const N = 20_000;
    const { map, alias } = await deployWide(8);
    expect(map.MaxConcurrency).toBe(8);
    expect(map.ResultWriter.Parameters["Prefix.$"]).toBe("States.Format('runs/wide/{}/start/_/map-run', $.runId)");
    const runId = "run-wide";
    await rig.put(`wide/${runId}/start/_/foreach.json`, Array.from({ length: N }, (_, i) => String(i)));

    // WHEN
    const started = Date.now();
    const { result: run, calls } = await rig.run(alias, runId, {}, {}, 600_000);
    const seconds = (Date.now() - started) / 1000;

    // THEN the run succeeded, outside the Map as compiled: one Batch job per top-level step
    expect(run.status, `${run.error}: ${run.cause}\n${rig.moto.logTail(30)}`).toBe("SUCCEEDED");
    expect(calls.map((c) => `${c.step}@${c.index}`).sort()).toEqual(["end@", "gather@", "start@"]);
    // every item ran exactly once, at most 8 at a time
    const [mapRun] = (await rig.sfn.send(new ListMapRunsCommand({ executionArn: run.executionArn }))).mapRuns!;
    const described = await rig.sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRun!.mapRunArn }));
    expect(described.maxConcurrency).toBe(8);
    expect(described.itemCounts).toMatchObject({ total: N, succeeded: N, failed: 0, pending: 0, running: 0 });
    // the parent's history holds the Map Run, not its items: a handful of events, not one per item
    expect(run.history.length).toBeLessThan(100);
    // no state's input or output comes near 256 KiB: the results went to S3, not into the payload
    const payloads = run.history.flatMap((e) => [e.stateEnteredEventDetails?.input, e.stateExitedEventDetails?.output]).map(bytes);
    expect(Math.max(...payloads)).toBeLessThan(SFN_LIMITS.payloadBytes / 100);
    const written = await rig.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `runs/wide/${runId}/start/_/map-run/` }));
    expect(written.Contents?.map((o) => o.Key)).toEqual([expect.stringMatching(new RegExp(`^runs/wide/${runId}/start/_/map-run/[^/]+/manifest\\.json$`))]);
    console.log(`wide foreach: ${N} items at MaxConcurrency 8 in ${seconds.toFixed(1)} s on moto; parent history ${run.history.length} events; largest payload ${Math.max(...payloads)} bytes`);
  }, 660_000);

  it("WHEN the ResultWriter is taken out THEN the Map's own result grows 3 bytes per item even with `{}` per item: it would pass 256 KiB at about 87,000 items", async () => {
    // What the ResultWriter is for, measured on a smaller run: the result array kept in the payload.
    const N = 2_000;
    const { alias } = await deployWide(8, (map) => {
      delete map.ResultWriter;
      map.ResultPath = "$.results";
    });
    const runId = "run-unwritten";
    await rig.put(`wide/${runId}/start/_/foreach.json`, Array.from({ length: N }, (_, i) => String(i)));
    const { result: run } = await rig.run(alias, runId, {}, {}, 300_000);
    expect(run.status, `${run.error}: ${run.cause}`).toBe("SUCCEEDED");
    const exited = run.history.find((e) => e.type === "MapStateExited")!.stateExitedEventDetails!.output!;
    const results = JSON.stringify(JSON.parse(exited).results);
    expect(results).toBe(`[${Array(N).fill("{}").join(",")}]`);
    const perItem = bytes(results) / N;
    expect(perItem).toBeCloseTo(3, 2);
    expect(Math.floor(SFN_LIMITS.payloadBytes / perItem)).toBeLessThan(90_000);
  }, 360_000);
});
