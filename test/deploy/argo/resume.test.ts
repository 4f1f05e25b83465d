// `flowc resume --target argo` against the Kubernetes API double: a failed run goes on as a new
// Workflow of the same run (its tasks then skip what the run finished: test/runtime/rerun.test.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Io } from "../../../src/cli/io.ts";
import { main } from "../../../src/cli/main.ts";
import { NS, useWorld } from "./setup.ts";

const w = useWorld();

const FLOW = `apiVersion: flowc/v1
name: daily
parameters:
  day: { type: string, required: true }
schedule: { cron: "0 6 * * *", timezone: Europe/Amsterdam, parameters: { day: "{date}" } }
steps:
  start: { command: [sh, -c, 'echo "$FLOWC_PARAM_DAY"'], next: end }
  end: { command: [sh, -c, 'echo done'] }
`;

async function flowc(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const file = join(w.dir, "daily.yaml");
  writeFileSync(file, FLOW);
  const io: Io & { out: string; err: string } = { out: "", err: "", isTTY: false, env: { KUBECONFIG: w.kubeconfig, NO_COLOR: "1" }, cwd: w.dir, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
  const [cmd, ...rest] = args;
  const code = await main([cmd!, file, ...rest, "--target", "argo", "--env", "dev", "--config", w.config], io);
  return { code, out: io.out, err: io.err };
}

/** A run as the CronWorkflow would have made it, in the phase given. */
function seedRun(name: string, phase: string, labels: Record<string, string> = {}) {
  w.double.seed({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      name,
      namespace: NS,
      labels: { "flowc.dev/flow": "daily", "flowc.dev/env": "dev", "flowc.dev/trigger": "schedule", ...labels },
      annotations: { "workflows.argoproj.io/scheduled-time": "2026-12-04T06:00:00+01:00" },
    },
    spec: { workflowTemplateRef: { name: "daily-dev" }, arguments: { parameters: [{ name: "day", value: "{date}" }, { name: "_flowc", value: '{"trigger":"schedule","templates":["day"]}' }] } },
    status: { phase },
  });
}
const setPhase = (name: string, phase: string) => w.double.seed({ ...(w.double.get("Workflow", NS, name) as Record<string, unknown>), status: { phase } });

describe("GIVEN a weekday flow deployed to Argo and a scheduled run of it that failed", () => {
  it("WHEN it is resumed THEN a Workflow <run>-r1 continues the run: same parameters, same scheduled time and trigger, the run id in its context; `flowc runs` says which run it resumes", async () => {
    expect((await flowc(["deploy"])).code).toBe(0);
    seedRun("daily-dev-1764824400", "Failed");
    const r = await flowc(["resume", "daily-dev-1764824400", "--format", "json"]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ how: "restarted", from: { id: "daily-dev-1764824400", status: "Failed" }, run: { id: "daily-dev-1764824400-r1", resumes: "daily-dev-1764824400" } });
    const wf = w.double.get("Workflow", NS, "daily-dev-1764824400-r1") as Record<string, any>;
    expect(wf.metadata.labels).toMatchObject({ "flowc.dev/flow": "daily", "flowc.dev/env": "dev", "flowc.dev/trigger": "schedule", "flowc.dev/run-id": "daily-dev-1764824400" });
    expect(wf.spec.workflowTemplateRef).toEqual({ name: "daily-dev" });
    const [day, context] = wf.spec.arguments.parameters;
    expect(day).toEqual({ name: "day", value: "{date}" });
    expect(JSON.parse(context.value)).toEqual({ trigger: "schedule", templates: ["day"], runId: "daily-dev-1764824400", scheduledTime: "2026-12-04T06:00:00+01:00" });

    const runs = await flowc(["runs"]);
    expect(runs.out).toMatch(/daily-dev-1764824400-r1\s+Pending\s+.*\s+daily-dev-1764824400/);
  });

  it("WHEN its resume is still running, or has succeeded THEN another resume is refused and nothing is created", async () => {
    expect((await flowc(["deploy"])).code).toBe(0);
    seedRun("daily-dev-1764824400", "Failed");
    expect((await flowc(["resume", "daily-dev-1764824400"])).code).toBe(0);
    setPhase("daily-dev-1764824400-r1", "Running");
    const running = await flowc(["resume", "daily-dev-1764824400"]);
    expect([running.code, running.err]).toEqual([1, expect.stringContaining("run daily-dev-1764824400 is still Running (Workflow daily-dev-1764824400-r1)")]);
    setPhase("daily-dev-1764824400-r1", "Failed");
    expect((await flowc(["resume", "daily-dev-1764824400"])).code).toBe(0);
    setPhase("daily-dev-1764824400-r2", "Succeeded");
    const succeeded = await flowc(["resume", "daily-dev-1764824400"]);
    expect([succeeded.code, succeeded.err]).toEqual([1, expect.stringContaining("succeeded (Workflow daily-dev-1764824400-r2): there is nothing to resume")]);
    expect((w.double.list("Workflow", NS) as Record<string, any>[]).map((o) => o.metadata.name).sort()).toEqual(["daily-dev-1764824400", "daily-dev-1764824400-r1", "daily-dev-1764824400-r2"]);
  });

  it("WHEN the run is unknown, of another flow or of another environment THEN resume refuses, names why, and creates nothing", async () => {
    expect((await flowc(["deploy"])).code).toBe(0);
    seedRun("other-prod-1", "Failed", { "flowc.dev/flow": "other", "flowc.dev/env": "prod" });
    const unknown = await flowc(["resume", "nope-1"]);
    expect([unknown.code, unknown.err]).toEqual([1, expect.stringContaining(`no run nope-1 in namespace ${NS}`)]);
    const other = await flowc(["resume", "other-prod-1"]);
    expect([other.code, other.err]).toEqual([1, expect.stringContaining("run other-prod-1 is not a run of daily in dev (it is other in prod)")]);
    expect((w.double.list("Workflow", NS) as Record<string, any>[]).map((o) => o.metadata.name)).toEqual(["other-prod-1"]);
  });
});
