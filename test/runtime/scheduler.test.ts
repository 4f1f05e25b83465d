// The scheduler alone, with a fake `run`: which tasks run, in which order, how many at once, and
// what happens on retries, caught failures and failures. No processes, so these are fast.
import { describe, expect, it } from "vitest";
import { loadYamlFlow } from "../../src/flow/load/yaml.ts";
import { validateFlow } from "../../src/flow/validate/index.ts";
import type { FlowIR } from "../../src/flow/ir.ts";
import type { Graph } from "../../src/graph/types.ts";
import type { TaskResult } from "../../src/runtime/executor.ts";
import { Scheduler, type Task } from "../../src/runtime/scheduler.ts";

function flowOf(yaml: string): { ir: FlowIR; graph: Graph } {
  const v = validateFlow(loadYamlFlow("t.yaml", `apiVersion: flowc/v1\nname: t\n${yaml}`));
  if (!v.ir || !v.graph) throw new Error(JSON.stringify(v.diagnostics));
  return { ir: v.ir, graph: v.graph };
}

type Decide = (t: Task, attempt: number) => Partial<TaskResult> | Promise<Partial<TaskResult>>;

async function schedule(f: { ir: FlowIR; graph: Graph }, decide: Decide, maxWorkers = 4) {
  const log: string[] = [];
  const caught: string[] = [];
  let running = 0;
  let peak = 0;
  let cancelled = 0;
  const s = new Scheduler({
    flow: f.ir,
    graph: f.graph,
    maxWorkers,
    run: async (t, attempt) => {
      running++;
      peak = Math.max(peak, running);
      log.push(`${t.step}@${t.index}#${attempt}`);
      await new Promise((r) => setTimeout(r, 1));
      const r = await decide(t, attempt);
      running--;
      return { status: "succeeded", durationMs: 1, ...r };
    },
    cancelRunning: () => void cancelled++,
    recordCaught: async (t) => void caught.push(`${t.step}@${t.index}`),
  });
  const outcome = await s.start();
  return { outcome, log, caught, peak, cancelled };
}

const split = flowOf(`steps:
  start: { command: [x], next: [a, b] }
  a: { command: [x], next: j }
  b: { command: [x], next: j }
  j: { join: true, command: [x], next: end }
  end: { command: [x] }`);

const nested = flowOf(`steps:
  start: { foreach: true, command: [x], next: row }
  row: { foreach: true, command: [x], next: cell }
  cell: { command: [x], next: row_join }
  row_join: { join: true, command: [x], next: grid_join }
  grid_join: { join: true, command: [x], next: end }
  end: { command: [x] }`);

describe("GIVEN a split", () => {
  it("WHEN both branches finish THEN the join runs once, after both", async () => {
    const { outcome, log } = await schedule(split, () => ({}));
    expect(outcome.status).toBe("succeeded");
    expect(log.filter((l) => l.startsWith("j@"))).toEqual(["j@#0"]);
    expect(log.indexOf("j@#0")).toBeGreaterThan(Math.max(log.indexOf("a@#0"), log.indexOf("b@#0")));
    expect(log.at(-1)).toBe("end@#0");
  });
});

describe("GIVEN a foreach inside a foreach", () => {
  it("WHEN the openers fan out THEN every cell runs at its index path and each join runs once per scope", async () => {
    const { outcome, log } = await schedule(nested, (t) => (t.step === "start" ? { foreachCount: 3 } : t.step === "row" ? { foreachCount: Number(t.index) + 1 } : {}));
    expect(outcome.status).toBe("succeeded");
    const cells = log.filter((l) => l.startsWith("cell@")).map((l) => l.slice(5, -2));
    expect(cells.sort()).toEqual(["0.0", "1.0", "1.1", "2.0", "2.1", "2.2"]);
    expect(log.filter((l) => l.startsWith("row_join@")).sort()).toEqual(["row_join@0#0", "row_join@1#0", "row_join@2#0"]);
    expect(log.filter((l) => l.startsWith("grid_join@"))).toEqual(["grid_join@#0"]);
  });

  it("WHEN a foreach has no items THEN its join runs at once", async () => {
    const { outcome, log } = await schedule(nested, (t) => (t.step === "start" ? { foreachCount: 0 } : {}));
    expect(outcome.status).toBe("succeeded");
    expect(log).toEqual(["start@#0", "grid_join@#0", "end@#0"]);
  });
});

describe("GIVEN limits on concurrency", () => {
  it("WHEN 50 items are ready THEN no more than max-workers tasks run at once", async () => {
    const f = flowOf(`steps:
  start: { foreach: true, command: [x], next: body }
  body: { command: [x], next: j }
  j: { join: true, command: [x], next: end }
  end: { command: [x] }`);
    const { peak, log } = await schedule(f, (t) => (t.step === "start" ? { foreachCount: 50 } : {}), 3);
    expect(peak).toBe(3);
    expect(log.filter((l) => l.startsWith("body@"))).toHaveLength(50);
  });

  it("WHEN a foreach sets parallelism THEN at most that many items are in flight, counting every step of the body", async () => {
    const f = flowOf(`steps:
  start: { foreach: true, parallelism: 2, command: [x], next: a }
  a: { command: [x], next: b }
  b: { command: [x], next: j }
  j: { join: true, command: [x], next: end }
  end: { command: [x] }`);
    const inFlight = new Set<string>();
    let peakItems = 0;
    const { outcome } = await schedule(
      f,
      (t) => {
        if (t.step === "start") return { foreachCount: 10 };
        if (t.step === "a") inFlight.add(t.index);
        peakItems = Math.max(peakItems, inFlight.size);
        if (t.step === "b") inFlight.delete(t.index);
        return {};
      },
      8,
    );
    expect(outcome.status).toBe("succeeded");
    expect(peakItems).toBe(2);
  });
});

describe("GIVEN failing attempts", () => {
  const retried = flowOf(`steps:
  start: { command: [x], next: end, retry: { times: 2, backoff: { delay: 1s } } }
  end: { command: [x] }`);
  // Real backoff is whole seconds; scale it down so the test stays fast.
  retried.ir.steps.find((s) => s.name === "start")!.retry.backoff.delaySeconds = 0.05;

  it("WHEN an attempt fails and retries are left THEN it runs again with the next attempt number after the delay", async () => {
    const times: number[] = [];
    const { outcome, log } = await schedule(retried, (t, attempt) => {
      times.push(Date.now());
      return t.step === "start" && attempt < 2 ? { status: "failed", error: "boom" } : {};
    });
    expect(outcome.status).toBe("succeeded");
    expect(log).toEqual(["start@#0", "start@#1", "start@#2", "end@#0"]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(45);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(95); // factor 2
  });

  it("WHEN retries run out THEN the run fails with that task and attempt, and nothing else starts", async () => {
    const { outcome, log, cancelled } = await schedule(retried, () => ({ status: "failed", error: "boom" }));
    expect(outcome).toMatchObject({ status: "failed", failure: { task: { step: "start", index: "" }, attempt: 2, error: "boom" } });
    expect(log).not.toContain("end@#0");
    expect(cancelled).toBe(1);
  });

  it("WHEN a step times out THEN it is not retried unless onTimeout is set", async () => {
    const { log } = await schedule(retried, () => ({ status: "timeout", error: "timed out" }));
    expect(log).toEqual(["start@#0"]);
  });

  it("WHEN a failing step has catch THEN the failure is recorded and the flow carries on", async () => {
    const f = flowOf(`steps:
  start: { command: [x], next: risky }
  risky: { command: [x], next: end, catch: true }
  end: { command: [x] }`);
    const { outcome, log, caught } = await schedule(f, (t) => (t.step === "risky" ? { status: "failed", error: "x" } : {}));
    expect(outcome.status).toBe("succeeded");
    expect(caught).toEqual(["risky@"]);
    expect(log).toEqual(["start@#0", "risky@#0", "end@#0"]);
  });

  it("WHEN a branch fails THEN the run stops and cancels what is running", async () => {
    const { outcome, cancelled, log } = await schedule(split, async (t) => {
      if (t.step === "b") await new Promise((r) => setTimeout(r, 20));
      return t.step === "a" ? { status: "failed", error: "a broke" } : {};
    });
    expect(outcome.status).toBe("failed");
    expect(cancelled).toBe(1);
    expect(log).not.toContain("j@#0");
  });
});

describe("GIVEN a switch", () => {
  const sw = flowOf(`steps:
  start: { command: [x], switch: { big: publish, small: archive } }
  publish: { command: [x], next: report }
  archive: { command: [x], next: report }
  report: { command: [x], next: end }
  end: { command: [x] }`);

  it("WHEN the step chooses a case THEN only that branch runs, and the merge once", async () => {
    const { outcome, log } = await schedule(sw, (t) => (t.step === "start" ? { choice: "small" } : {}));
    expect(outcome.status).toBe("succeeded");
    expect(log).toEqual(["start@#0", "archive@#0", "report@#0", "end@#0"]);
  });

  it("WHEN a switch fails with catch THEN the run fails: no case was chosen", async () => {
    sw.ir.steps.find((s) => s.name === "start")!.catch = true;
    const { outcome } = await schedule(sw, (t) => (t.step === "start" ? { status: "failed" } : {}));
    expect(outcome.status).toBe("failed");
    expect(outcome.failure?.error).toContain("no case was chosen");
  });
});
