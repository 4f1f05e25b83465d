import { describe, expect, it } from "vitest";
import { ArgoNamer, argoObjectNames, k8sName } from "../../../src/names/argo.ts";
import { compileYaml, docsOf, testEnv, type Obj } from "./helpers.ts";
import { lintWorkflowTemplate } from "./lint.ts";
import { checkSchema } from "./schema.ts";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

describe("GIVEN flow and environment names of every length", () => {
  const flows = ["a", "train-model", "x".repeat(48), `${"long-flow-name-".repeat(3)}x`.slice(0, 48), "under_score_flow"];
  const envs = ["prod", "staging-eu-west-1-blue", "e".repeat(40)];
  it.each(flows.flatMap((f) => envs.map((e) => [f, e])))("WHEN naming %s in %s THEN names are DNS-1123 labels within Kubernetes and Argo limits", (flow, env) => {
    const n = argoObjectNames(flow, env);
    for (const name of [n.workflowTemplate, n.sensor, n.cronWorkflow, n.runPrefix]) expect(name).toMatch(DNS_LABEL);
    expect(n.workflowTemplate.length).toBeLessThanOrEqual(63);
    expect(n.sensor.length).toBeLessThanOrEqual(63);
    expect(n.cronWorkflow.length).toBeLessThanOrEqual(52);
    // The Workflows a CronWorkflow starts are named <cron>-<10-digit unix time>: still a label value.
    expect(`${n.cronWorkflow}-1700000000`.length).toBeLessThanOrEqual(63);
    // The afterFlow trigger names its Workflow <runPrefix>-<12 hex>.
    expect(`${n.runPrefix}-${"0".repeat(12)}`.length).toBeLessThanOrEqual(63);
  });

  it("THEN short names stay as written and long ones keep a readable prefix and a stable 8-character hash", () => {
    expect(argoObjectNames("train-model", "prod").workflowTemplate).toBe("train-model-prod");
    const long = argoObjectNames("x".repeat(48), "staging-eu-west-1-blue");
    expect(long.cronWorkflow).toMatch(/^x{10,}-staging-eu-west-1-blue-[0-9a-f]{8}$/);
    expect(long.cronWorkflow).toHaveLength(52);
    expect(long.cronWorkflow).toBe(argoObjectNames("x".repeat(48), "staging-eu-west-1-blue").cronWorkflow);
    expect(long.workflowTemplate).not.toBe(argoObjectNames("x".repeat(48), "staging-eu-west-1-green").workflowTemplate);
  });

  it("THEN a name that had to change to become a label gets a hash, so train_model and train-model never share an object", () => {
    expect(k8sName(["train_model", "prod"], 63)).toMatch(/^train-model-prod-[0-9a-f]{8}$/);
    expect(k8sName(["train_model", "prod"], 63)).not.toBe(k8sName(["train-model", "prod"], 63));
  });
});

describe("GIVEN step names that Argo would refuse or confuse", () => {
  it("WHEN allocated THEN template and task names are valid, unique and stable, and expr keywords are avoided", () => {
    const namer = new ArgoNamer(["main"]);
    const got = ["row_join", "row-join", "main", "in", "not", "a"].map((s) => namer.name(s));
    expect(got[0]).toBe("row-join");
    expect(new Set(got).size).toBe(got.length);
    for (const n of got) expect(n).toMatch(/^[a-zA-Z0-9][-a-zA-Z0-9]*$/);
    expect(got[3]).toMatch(/^in-[0-9a-f]{8}$/);
    expect(namer.name("row_join")).toBe(got[0]);
  });

  it("WHEN a flow uses them THEN the compiled template is valid and every reference resolves", () => {
    const flow = `apiVersion: flowc/v1
name: awkward_names
steps:
  start: { command: [a], next: [row_join, row-join, in] }
  row_join: { command: [a], next: not }
  row-join: { command: [a], next: not }
  in: { command: [a], next: not }
  not: { join: true, command: [a], next: main }
  main: { command: [a], next: end }
  end: { command: [a] }
`;
    const wt = docsOf(compileYaml(flow, testEnv({ name: "a-very-long-environment-name-for-testing-limits" })))[0]!;
    expect(checkSchema(wt).problems).toEqual([]);
    expect(lintWorkflowTemplate(wt)).toEqual([]);
    const tasks = (wt.spec.templates as Obj[]).find((t) => t.name === "main")!.dag.tasks.map((t: Obj) => t.name);
    expect(tasks).toContain("row-join");
    expect(wt.metadata.name.length).toBeLessThanOrEqual(63);
  });
});
