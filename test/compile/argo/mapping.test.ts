import { describe, expect, it } from "vitest";
import { byKind, compileExample, compileYaml, docsOf, flowFromYaml, taskOf, templateOf, testEnv, type Obj } from "./helpers.ts";
import { simulate, type StepOutcome } from "./sim/argo.ts";
import { expectedRuns } from "./sim/oracle.ts";

const ok: StepOutcome = { phase: "Succeeded" };

describe("GIVEN the switch example", () => {
  it("THEN each branch runs only for its case and the step where they meet waits for either", async () => {
    const wt = byKind(await compileExample("switch.yaml"), "WorkflowTemplate")!;
    expect(taskOf(wt, "publish")).toMatchObject({ depends: "start.Succeeded", when: "'{{tasks.start.outputs.parameters.case}}' == 'big'" });
    expect(taskOf(wt, "archive")).toMatchObject({ depends: "start.Succeeded", when: "'{{tasks.start.outputs.parameters.case}}' == 'small'" });
    expect(taskOf(wt, "report")).toMatchObject({ depends: "publish.Succeeded || archive.Succeeded" });
    expect(taskOf(wt, "report")!.when).toBeUndefined();
  });

  it.each(["big", "small"])("WHEN start chooses %s THEN only that branch runs, and report and end still run", async (chosen) => {
    const wt = byKind(await compileExample("switch.yaml"), "WorkflowTemplate")!;
    const { ran } = simulate(wt, { run: (s) => (s === "start" ? { phase: "Succeeded", case: chosen } : ok) });
    expect(ran).toEqual(["start@", chosen === "big" ? "publish@" : "archive@", "report@", "end@"]);
  });
});

describe("GIVEN the train example (split, foreach, switch, catch, retry, timeouts, GPU)", () => {
  const get = async () => byKind(await compileExample("train.yaml"), "WorkflowTemplate")!;

  it("THEN the split's join needs both branches, and the foreach fans out over what its step wrote", async () => {
    const wt = await get();
    expect(taskOf(wt, "merge")!.depends).toBe("a.Succeeded && b.Succeeded");
    expect(taskOf(wt, "fit")).toMatchObject({ depends: "fan.Succeeded", withParam: "{{tasks.fan.outputs.parameters.foreach}}" });
    expect(taskOf(wt, "fit")!.arguments.parameters).toEqual([{ name: "step", value: "fit" }, { name: "index", value: "{{item}}" }]);
    expect(taskOf(wt, "gather")!.depends).toBe("fit.Succeeded || fit.Skipped");
    const fan = templateOf(wt, taskOf(wt, "fan")!.template)!;
    expect(fan.outputs.parameters).toEqual([{ name: "foreach", valueFrom: { path: "/tmp/flowc/foreach.json", default: "[]" } }]);
  });

  it("THEN a caught step runs `flowc step --catch` and the step after it accepts its failure", async () => {
    const wt = await get();
    expect(templateOf(wt, taskOf(wt, "publish")!.template)!.container.command).toContain("--catch");
    expect(taskOf(wt, "end")!.depends).toBe("choose.Succeeded || (publish.Succeeded || publish.Failed || publish.Errored)");
    expect(JSON.stringify(wt)).not.toContain("continueOn");
  });

  it("WHEN the caught step's pod fails THEN the flow still reaches end", async () => {
    const wt = await get();
    const run = (s: string, index: string): StepOutcome =>
      s === "fan" ? { phase: "Succeeded", foreach: ["0", "1", "2"] } : s === "choose" ? { phase: "Succeeded", case: "big" } : s === "publish" ? { phase: "Failed" } : (void index, ok);
    const sim = simulate(wt, { run });
    expect(sim.ran).toContain("end@");
    expect(sim.phase).toBe("Succeeded");
    expect(sim.ran.sort()).toEqual(expectedRuns(flowFromYaml(TRAIN).graph, run).sort());
  });

  it("THEN retry, timeouts and resources map to retryStrategy, activeDeadlineSeconds and requests = limits", async () => {
    const wt = await get();
    const b = templateOf(wt, taskOf(wt, "b")!.template)!;
    expect(b.retryStrategy).toEqual({
      limit: 3,
      retryPolicy: "Always",
      expression: '!(lastRetry.message contains "deadline")',
      backoff: { duration: "1s", factor: 2, cap: "5m", maxDuration: "4h43m7s" },
    });
    expect(b.activeDeadlineSeconds).toBe(3600);
    expect(b.container.command).toContain("{{retries}}");
    const fit = templateOf(wt, taskOf(wt, "fit")!.template)!;
    expect(fit.activeDeadlineSeconds).toBe(1800);
    expect(fit.container.resources).toEqual({
      requests: { cpu: "4", memory: "16384Mi", "nvidia.com/gpu": "1" },
      limits: { cpu: "4", memory: "16384Mi", "nvidia.com/gpu": "1" },
    });
    expect(fit.container.env).toEqual([{ name: "LOG_LEVEL", value: "info" }]);
    expect(wt.spec.activeDeadlineSeconds).toBe(43200);
  });

  it("THEN pods get the environment's service account, pull secrets, node selector, image and datastore", async () => {
    const wt = await get();
    expect(wt.spec).toMatchObject({ serviceAccountName: "flowc-runner", imagePullSecrets: [{ name: "ecr-pull" }], nodeSelector: { workload: "ml" } });
    expect(wt.spec.templateDefaults.container).toMatchObject({ name: "main", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml:1.4" });
    expect(wt.spec.templateDefaults.container.env[0]).toEqual({ name: "FLOWC_ROOT", value: "s3://acme-flowc/prod" });
    expect(wt.spec.templateDefaults.container.env[1].value).toMatch(/^packages\/[0-9a-f]{64}\.json$/);
  });

  it("THEN every object carries the flow, environment and content-hash labels plus the config's", async () => {
    for (const d of docsOf(await compileExample("train.yaml"))) {
      expect(d.metadata.labels).toMatchObject({ "flowc.dev/flow": "train-model", "flowc.dev/env": "prod", team: "recs", "app.kubernetes.io/managed-by": "flowc" });
      expect(d.metadata.labels["flowc.dev/hash"]).toMatch(/^[0-9a-f]{40}$/);
      expect(d.metadata.annotations["flowc.dev/content-hash"]).toMatch(/^[0-9a-f]{64}$/);
      expect(d.metadata.namespace).toBe("ml-prod");
    }
  });

  it("THEN the CronWorkflow uses schedules, the timezone and Forbid, and references the template", async () => {
    const cron = byKind(await compileExample("train.yaml"), "CronWorkflow")!;
    expect(cron.spec).toMatchObject({
      schedules: ["0 6 * * 1-5"],
      timezone: "Europe/Amsterdam",
      concurrencyPolicy: "Forbid",
      workflowSpec: { workflowTemplateRef: { name: "train-model-prod" } },
    });
  });

  it("THEN the Sensor submits a Workflow from the template, after `ingest` succeeds and on the event, mapping the event field", async () => {
    const sensor = byKind(await compileExample("train.yaml"), "Sensor")!;
    expect(sensor.spec.dependencies.map((d: Obj) => d.name)).toEqual(["after_ingest", "event_1"]);
    expect(sensor.spec.dependencies[0].filters.data).toContainEqual({ path: "body.status.phase", type: "string", value: ["^Succeeded$"] });
    expect(sensor.spec.dependencies[1].filters.data).toEqual([
      { path: "body.source", type: "string", value: ["^my\\.app$"] },
      { path: "body.detail-type", type: "string", value: ["^FileLanded$"] },
    ]);
    const [after, event] = sensor.spec.triggers.map((t: Obj) => t.template);
    expect(after.conditions).toBe("after_ingest");
    expect(after.argoWorkflow.source.resource.spec.workflowTemplateRef).toEqual({ name: "train-model-prod" });
    expect(after.argoWorkflow.parameters[0].dest).toBe("metadata.name");
    expect(event.argoWorkflow.parameters).toEqual([
      { src: { dependencyName: "event_1", dataKey: "body.detail.day" }, dest: "spec.arguments.parameters.0.value" },
      // The run context: the event's own time, when it has one, is the run's scheduled time.
      { src: { dependencyName: "event_1", dataTemplate: '{"trigger":"event-1","scheduledTime":"{{ .Input.body.time | default "" }}"}' }, dest: "spec.arguments.parameters.1.value" },
    ]);
    expect(event.argoWorkflow.source.resource.spec.arguments.parameters).toEqual([
      { name: "day", value: "" },
      { name: "_flowc", value: "" },
    ]);
  });
});

const TRAIN = (await import("node:fs")).readFileSync(new URL("../../../examples/train.yaml", import.meta.url), "utf8");

describe("GIVEN a schedule in AWS 6-field form without a timezone", () => {
  const text = `apiVersion: flowc/v1
name: sched
schedule: { cron: "0 6 ? * 2-6 *", concurrency: replace, startingDeadline: 5m }
steps:
  start: { command: [a], next: end }
  end: { command: [b] }
`;
  it("THEN Argo gets the 5-field form, UTC written out, Replace and the starting deadline", () => {
    const cron = docsOf(compileYaml(text)).find((d) => d.kind === "CronWorkflow")!;
    expect(cron.spec).toMatchObject({ schedules: ["0 6 * * 1,2,3,4,5"], timezone: "UTC", concurrencyPolicy: "Replace", startingDeadlineSeconds: 300 });
    expect(cron.metadata.name.length).toBeLessThanOrEqual(52);
  });
  it("WHEN the year field is restricted THEN it is reported: Argo cron has no year", () => {
    const r = compileYaml(text.replace("2-6 *", "2-6 2030"));
    expect(r.problems.map((p) => p.code)).toContain("TARGET_UNSUPPORTED");
  });
});

describe("GIVEN event triggers with detail patterns and parameter defaults", () => {
  const text = `apiVersion: flowc/v1
name: ev
parameters:
  key: { type: string, default: "none" }
  n: { type: integer, required: true }
triggers:
  - event: { source: [a.b], detail: { state: [ready, done], size: [1, 2], nested: { ok: [true] }, name: [{ prefix: "img-" }] }, parameters: { key: $.detail.key, n: $.detail.n } }
  - afterFlow: { flow: upstream, parameters: { n: "{upstream.params.count}" } }
steps:
  start: { command: [a], next: end }
  end: { command: [b] }
`;
  const sensor = docsOf(compileYaml(text, testEnv({}, { eventSource: "hooks/landed", workflowEventSource: "wf-events", eventBus: "bus" }))).find((d) => d.kind === "Sensor")!;
  it("THEN the detail becomes typed data filters and each parameter falls back to its default", () => {
    expect(sensor.spec.eventBusName).toBe("bus");
    expect(sensor.spec.dependencies[0]).toMatchObject({ eventSourceName: "hooks", eventName: "landed" });
    expect(sensor.spec.dependencies[0].filters.data.slice(1)).toEqual([
      { path: "body.detail.name", type: "string", value: ["^img-"] },
      { path: "body.detail.nested.ok", type: "bool", value: ["true"] },
      { path: "body.detail.size", type: "number", value: ["1", "2"] },
      { path: "body.detail.state", type: "string", value: ["^ready$", "^done$"] },
    ]);
    const params = sensor.spec.triggers[0].template.argoWorkflow.parameters;
    expect(params).toEqual([
      { src: { dependencyName: "event_0", dataKey: "body.detail.key", value: "none" }, dest: "spec.arguments.parameters.0.value" },
      { src: { dependencyName: "event_0", dataKey: "body.detail.n" }, dest: "spec.arguments.parameters.1.value" },
      { src: { dependencyName: "event_0", dataTemplate: '{"trigger":"event-1","scheduledTime":"{{ .Input.body.time | default "" }}"}' }, dest: "spec.arguments.parameters.2.value" },
    ]);
  });
  it("THEN afterFlow passes the upstream run's parameter on as a template flowc step expands, and the run context from the upstream Workflow", () => {
    expect(sensor.spec.dependencies[1]).toMatchObject({ name: "after_upstream", eventSourceName: "wf-events", eventName: "workflows" });
    const submitted = sensor.spec.triggers[1].template.argoWorkflow;
    expect(submitted.source.resource.spec.arguments.parameters).toEqual([
      { name: "n", value: "{upstream.params.count}" },
      { name: "_flowc", value: "" },
    ]);
    expect(submitted.parameters[1]).toEqual({
      src: {
        dependencyName: "after_upstream",
        dataTemplate: '{"trigger":"after-upstream","scheduledTime":"{{ .Input.body.status.finishedAt }}","upstream":{"flow":"upstream","runId":"{{ .Input.body.metadata.name }}"},"templates":["n"]}',
      },
      dest: "spec.arguments.parameters.1.value",
    });
  });
});

describe("GIVEN configurations the compiler cannot use", () => {
  const flow = "apiVersion: flowc/v1\nname: c\nsteps:\n  start: { command: [a], next: end, env: { T: \"{{x}}\" } }\n  end: { command: [b] }\n";
  it("WHEN the environment has no argo section THEN CONFIG_INVALID, and nothing is written", () => {
    const r = compileYaml(flow, { ...testEnv(), argo: undefined });
    expect(r.files).toEqual([]);
    expect(r.problems[0]!.code).toBe("CONFIG_INVALID");
  });
  it("WHEN no image is known and a value holds {{ THEN both are reported at the step", () => {
    const r = compileYaml(flow, testEnv({ image: undefined }));
    expect(r.problems.map((p) => [p.code, p.path.join(".")])).toEqual([
      ["CONFIG_INVALID", "steps.start"],
      ["TARGET_UNSUPPORTED", "steps.start.env.T"],
      ["CONFIG_INVALID", "steps.end"],
    ]);
  });
});
