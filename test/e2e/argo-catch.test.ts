// There is no Argo controller here (docs/e2e.md, "The same proof on Argo"), but one piece of the Argo
// path can be played faithfully without one: a compiled step template run as Kubernetes runs it. The
// pod of a step with a `timeout` has `activeDeadlineSeconds`; when it passes, the kubelet stops the
// container (SIGTERM, SIGKILL after the grace period), whatever `flowc step` is doing. A caught step
// (`catch: true`) must still let the flow carry on: the DAG accepts its Failed phase, and the next
// step must run with the caught step's inputs passed through, as on Step Functions and `flowc run`.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { BIN, FIXTURES, ROOT, ensureBuilt, flowcRun } from "./helpers.ts";

interface Template {
  name: string;
  activeDeadlineSeconds?: number;
  container?: { command: string[] };
  dag?: { tasks: { name: string; template: string; depends?: string }[] };
}
interface WorkflowTemplate {
  spec: { arguments?: { parameters: { name: string; value?: string }[] }; templates: Template[]; templateDefaults: { container: { env: { name: string; value: string }[] } } };
}

const dir = mkdtempSync(join(tmpdir(), "flowc-e2e-argo-"));
const datastore = join(dir, "datastore");
const FLOW = join(FIXTURES, "timeout-catch.yaml");
let wt: WorkflowTemplate;

beforeAll(async () => {
  ensureBuilt();
  writeFileSync(join(dir, "flowc.config.yaml"), `environments:\n  kind:\n    datastore: ${datastore}\n    image: flowc-task:dev\n    argo: { namespace: flows, serviceAccount: flowc-runner }\n`);
  let out = "";
  const code = await main(["compile", FLOW, "--target", "argo", "--env", "kind", "--config", join(dir, "flowc.config.yaml")], {
    stdout: (t) => void (out += t),
    stderr: () => undefined,
    isTTY: false,
    env: process.env,
    cwd: ROOT,
  });
  expect(code).toBe(0);
  wt = load(out.split(/^---$/m)[0]!) as WorkflowTemplate;
  // What deploy would publish (the spec the template names): flowc run publishes the same object.
  expect((await flowcRun(FLOW, datastore)).code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the template of DAG task `task` as the pod would: its command, the template defaults' env. */
function pod(task: string, runId: string, deadlineKill: boolean): Promise<number | null> {
  const dag = wt.spec.templates.find((t) => t.dag)!.dag!;
  const tmpl = wt.spec.templates.find((t) => t.name === dag.tasks.find((x) => x.name === task)!.template)!;
  // What Argo substitutes in a Workflow submitted from the template by hand: the arguments as JSON, the
  // creation time; {{workflow.scheduledTime}} exists only in a CronWorkflow's runs and stays as written.
  const vars: Record<string, string> = {
    "workflow.name": runId,
    "inputs.parameters.step": task,
    "inputs.parameters.index": "",
    retries: "0",
    "workflow.parameters.json": JSON.stringify(wt.spec.arguments?.parameters ?? []),
    "workflow.creationTimestamp": "2026-12-04T10:00:00Z",
  };
  const substitute = (text: string) => text.replace(/\{\{([^}]+)\}\}/g, (all, v: string) => vars[v.trim()] ?? all);
  const [cmd, ...args] = tmpl.container!.command.map(substitute);
  expect(cmd).toBe("flowc");
  const env = { ...process.env, ...Object.fromEntries(wt.spec.templateDefaults.container.env.map((e) => [e.name, substitute(e.value)])), FLOWC_ARGO_OUTPUTS: join(dir, "argo-outputs") };
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: ROOT, detached: true, stdio: "ignore" });
  const timers: NodeJS.Timeout[] = [];
  if (deadlineKill && tmpl.activeDeadlineSeconds) {
    // activeDeadlineSeconds counts from the pod's start; the kubelet then stops the container.
    const stop = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        // gone
      }
    };
    timers.push(setTimeout(() => stop("SIGTERM"), tmpl.activeDeadlineSeconds * 1000));
    timers.push(setTimeout(() => stop("SIGKILL"), tmpl.activeDeadlineSeconds * 1000 + 2000));
  }
  return new Promise((resolve) =>
    child.on("close", (code) => {
      timers.forEach(clearTimeout);
      resolve(code);
    }),
  );
}

describe("GIVEN fixtures/timeout-catch.yaml compiled for Argo (slow: timeout 2s, catch: true)", () => {
  it("WHEN slow's pod passes its activeDeadlineSeconds and is stopped THEN the DAG goes on to `end`, and `end` runs with slow's inputs passed through", async () => {
    const dag = wt.spec.templates.find((t) => t.dag)!.dag!;
    expect(dag.tasks.find((t) => t.name === "end")!.depends).toBe("slow.Succeeded || slow.Failed || slow.Errored");
    const slowTemplate = wt.spec.templates.find((t) => t.name === dag.tasks.find((x) => x.name === "slow")!.template)!;
    expect(slowTemplate.container!.command).toContain("--catch");

    const runId = "e2e-timeout-catch-kind-abcde";
    expect(await pod("start", runId, false)).toBe(0);
    await pod("slow", runId, true); // Failed (DeadlineExceeded): the DAG's `depends` lets `end` run
    const end = await pod("end", runId, false);

    const base = join(datastore, "e2e-timeout-catch", runId);
    expect({ end, failed: existsSync(join(base, "slow/_/failed.json")), endDone: existsSync(join(base, "end/_/done.json")) }).toEqual({ end: 0, failed: true, endDone: true });
    expect(JSON.parse(readFileSync(join(base, "slow/_/failed.json"), "utf8"))).toMatchObject({ error: "Timeout" });
  }, 60_000);
});
