// `flowc backfill --target argo` against the Kubernetes API double, as a user runs it, with a stand-in
// for Argo's controller that finishes each Workflow: deterministic names (the CronWorkflow's own
// `<cron>-<unix tick>`), the run context in `_flowc`, and a second backfill that submits nothing.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Io } from "../../../src/cli/io.ts";
import { main } from "../../../src/cli/main.ts";
import { NS, useWorld } from "./setup.ts";

const w = useWorld();

const DAILY = `apiVersion: flowc/v1
name: daily
parameters:
  day: { type: string, required: true }
schedule: { cron: "0 6 * * 1-5", timezone: Europe/Amsterdam, parameters: { day: "{date}" } }
triggers:
  - afterFlow: { flow: ingest, parameters: { day: "{upstream.params.day}" } }
steps:
  start: { command: [sh, -c, 'echo "$FLOWC_PARAM_DAY"'], next: end }
  end: { command: [sh, -c, 'echo done'] }
`;

async function flowc(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const file = join(w.dir, "daily.yaml");
  writeFileSync(file, DAILY);
  const io: Io & { out: string; err: string } = {
    out: "",
    err: "",
    isTTY: false,
    env: { KUBECONFIG: w.kubeconfig, NO_COLOR: "1" },
    cwd: w.dir,
    stdout: (t) => void (io.out += t),
    stderr: (t) => void (io.err += t),
  };
  const [cmd, ...rest] = args;
  const code = await main([cmd!, file, "--target", "argo", "--env", "dev", "--config", w.config, ...rest], io);
  return { code, out: io.out, err: io.err };
}

/** What Argo's controller would do for these tests: every Workflow without a phase runs and succeeds. */
let controller: NodeJS.Timeout | undefined;
function startController(phase = "Succeeded") {
  controller = setInterval(() => {
    for (const wf of w.double.list("Workflow", NS) as Record<string, any>[])
      if (!wf.status?.phase) w.double.seed({ ...wf, status: { phase, startedAt: "2026-12-04T10:00:00Z", finishedAt: "2026-12-04T10:01:00Z" } }, { manager: null });
  }, 100);
}
afterEach(() => clearInterval(controller));

const workflows = () => w.double.list("Workflow", NS) as Record<string, any>[];
const TICKS = ["02", "03", "04", "05", "06", "09", "10", "11", "12", "13"].map((d) => new Date(`2026-11-${d}T05:00:00Z`));

describe("GIVEN a weekday flow whose schedule maps day: {date}, deployed to Argo", () => {
  it("WHEN compiled THEN the CronWorkflow passes the mapping and the run context, and the Sensor the upstream's mapping with a context rendered from the upstream Workflow", async () => {
    expect((await flowc(["deploy"])).code).toBe(0);
    const cron = w.double.get("CronWorkflow", NS, "daily-dev") as Record<string, any>;
    expect(cron.spec.workflowSpec.arguments.parameters).toEqual([
      { name: "day", value: "{date}" },
      { name: "_flowc", value: '{"trigger":"schedule","templates":["day"]}' },
    ]);
    const template = w.double.get("WorkflowTemplate", NS, "daily-dev") as Record<string, any>;
    expect(template.spec.templateDefaults.container.env).toEqual(
      expect.arrayContaining([
        { name: "FLOWC_CRON_TIME", value: "{{workflow.scheduledTime}}" },
        { name: "FLOWC_RUN_STARTED_AT", value: "{{workflow.creationTimestamp}}" },
      ]),
    );
    const sensor = w.double.get("Sensor", NS, "daily-dev") as Record<string, any>;
    const trigger = sensor.spec.triggers[0].template.argoWorkflow;
    expect(trigger.source.resource.spec.arguments.parameters).toEqual([
      { name: "day", value: "{upstream.params.day}" },
      { name: "_flowc", value: "" },
    ]);
    expect(trigger.parameters.at(-1)).toEqual({
      src: {
        dependencyName: "after_ingest",
        dataTemplate: '{"trigger":"after-ingest","scheduledTime":"{{ .Input.body.status.finishedAt }}","upstream":{"flow":"ingest","runId":"{{ .Input.body.metadata.name }}"},"templates":["day"]}',
      },
      dest: "spec.arguments.parameters.1.value",
    });
  });

  it("WHEN two weeks are backfilled THEN 10 Workflows are submitted, named as the CronWorkflow names its runs, each with its day and tick; a second backfill submits none", async () => {
    expect((await flowc(["deploy"])).code).toBe(0);
    startController();
    const first = await flowc(["backfill", "--from", "2026-11-02", "--to", "2026-11-15", "--max-parallel", "10"]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toBe("10 ticks: 10 started (10 succeeded), 0 existed (0 succeeded)\n");
    const made = workflows();
    expect(made.map((o) => o.metadata.name).sort()).toEqual(TICKS.map((t) => `daily-dev-${t.getTime() / 1000}`).sort());
    for (const t of TICKS) {
      const wf = made.find((o) => o.metadata.name === `daily-dev-${t.getTime() / 1000}`)!;
      const day = t.toISOString().slice(0, 10);
      expect(wf.spec.arguments.parameters).toEqual([
        { name: "day", value: day },
        { name: "_flowc", value: JSON.stringify({ trigger: "backfill", scheduledTime: t.toISOString().replace(".000Z", "Z") }) },
      ]);
      expect(wf.metadata.labels).toMatchObject({ "flowc.dev/flow": "daily", "flowc.dev/env": "dev", "flowc.dev/trigger": "backfill" });
      // Argo's own annotation: {{workflow.scheduledTime}} resolves in these runs as in the CronWorkflow's.
      expect(wf.metadata.annotations["workflows.argoproj.io/scheduled-time"]).toBe(t.toISOString().replace(".000Z", "Z"));
    }
    w.double.reset();
    const second = await flowc(["backfill", "--from", "2026-11-02", "--to", "2026-11-15", "--max-parallel", "10"]);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toBe("10 ticks: 0 started (0 succeeded), 10 existed (10 succeeded)\n");
    expect(w.double.calls().filter((c) => c.verb === "create")).toEqual([]);
  }, 60_000);

  it("WHEN a tick's run already exists (the CronWorkflow ran it) THEN backfill leaves it, and a failed run makes the backfill exit 1", async () => {
    expect((await flowc(["deploy"])).code).toBe(0);
    const tick = TICKS[2]!.getTime() / 1000;
    w.double.seed({ apiVersion: "argoproj.io/v1alpha1", kind: "Workflow", metadata: { name: `daily-dev-${tick}`, namespace: NS }, spec: {}, status: { phase: "Failed" } });
    startController();
    const r = await flowc(["backfill", "--from", "2026-11-02", "--to", "2026-11-04"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`3 ticks: 2 started (2 succeeded), 1 existed (0 succeeded)\n1 did not succeed: daily-dev-${tick} Failed\na second backfill over the same range starts only what does not exist; resume a failed run where it stopped with its own tools\n`);
    expect(r.err).toContain(`exists    2026-11-04T05:00:00Z  daily-dev-${tick}  Failed`);
  }, 60_000);

  it("WHEN --dry-run THEN the ticks are listed with their runs and days, and nothing is submitted", async () => {
    expect((await flowc(["deploy"])).code).toBe(0);
    w.double.reset();
    const r = await flowc(["backfill", "--from", "2026-11-02T06:00", "--to", "2026-11-04T06:00", "--dry-run"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(
      [
        "backfill daily · argo · dev · 2 ticks (dry run: nothing is started)",
        "SCHEDULED TIME        RUN                   PARAMETERS",
        `2026-11-02T05:00:00Z  daily-dev-${TICKS[0]!.getTime() / 1000}  day=2026-11-02  would start`,
        `2026-11-03T05:00:00Z  daily-dev-${TICKS[1]!.getTime() / 1000}  day=2026-11-03  would start`,
        "2 runs would start, 0 exist",
        "",
      ].join("\n"),
    );
    expect(w.double.calls().filter((c) => c.verb !== "get" && c.verb !== "list" && c.verb !== "discovery")).toEqual([]);
  });
});
