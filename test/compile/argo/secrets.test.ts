// Secrets on Argo: each step's secrets become `secretKeyRef` env entries of its container template
// (so steps with different secrets never share a template), the WorkflowTemplate still validates
// against Argo's schema, and no document holds a value.
import { describe, expect, it } from "vitest";
import { byKind, compileYaml, testEnv, type Obj } from "./helpers.ts";
import { checkSchema } from "./schema.ts";

const FLOW = `apiVersion: flowc/v1
name: etl
defaults:
  secrets:
    API_TOKEN: { aws: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-token", k8s: api-tokens/token }
steps:
  start: { command: [extract], next: load }
  load:
    command: [load]
    env: { DB_USER: etl }
    secrets:
      DB_PASSWORD: { ref: db }
    next: end
  end: { command: [done] }
`;

const env = () => testEnv({ secrets: { db: { aws: "arn:aws:ssm:eu-west-1:123456789012:parameter/db", k8s: "warehouse-db/password" } } });

describe("GIVEN a flow whose steps declare secrets", () => {
  const r = compileYaml(FLOW, env());
  const wt = byKind(r, "WorkflowTemplate")!;
  const templateOf = (step: string): Obj => {
    const task = (wt.spec.templates as Obj[]).find((t) => t.name === "main")!.dag.tasks.find((t: Obj) => t.name === step);
    return (wt.spec.templates as Obj[]).find((t) => t.name === task.template)!;
  };

  it("WHEN compiled for argo THEN the WorkflowTemplate validates against Argo's schema", () => {
    expect(r.problems).toEqual([]);
    expect(checkSchema(wt).problems).toEqual([]);
  });

  it("THEN each step's container reads its secrets with secretKeyRef, refs resolved from the environment, beside its plain env", () => {
    expect(templateOf("load").container.env).toEqual([
      { name: "DB_USER", value: "etl" },
      { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "api-tokens", key: "token" } } },
      { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "warehouse-db", key: "password" } } },
    ]);
    expect(templateOf("start").container.env).toEqual([{ name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "api-tokens", key: "token" } } }]);
  });

  it("THEN steps with the same secrets share a template and steps with different ones do not", () => {
    expect(templateOf("start").name).toBe(templateOf("end").name);
    expect(templateOf("load").name).not.toBe(templateOf("start").name);
  });

  it("THEN no document mentions an AWS reference or carries a value: only Secret names and keys", () => {
    const text = r.files.map((f) => f.content).join("\n");
    expect(text).not.toContain("arn:aws");
    expect(text).not.toMatch(/value: .*(token|password)/i);
  });
});

describe("GIVEN a secret with only an aws reference", () => {
  it("WHEN compiled for argo THEN SECRET_UNRESOLVED names it and nothing is written", () => {
    const r = compileYaml(FLOW.replace(", k8s: api-tokens/token", ""), env());
    expect(r.files).toEqual([]);
    expect(r.problems.map((p) => [p.code, p.path.join(".")])).toEqual([["SECRET_UNRESOLVED", "steps.start.secrets.API_TOKEN"]]);
  });
});
