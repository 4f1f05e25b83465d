// Secrets on Step Functions: a step's secrets go into a Batch job definition of its own (per image and
// secrets; a SubmitJob override cannot carry them), named by the Task, listed with their references in
// the manifest, and the statements the job's execution role needs are a bundle file for review. No
// file holds a value: flowc never has one.
import { describe, expect, it } from "vitest";
import { derivedDefinitionName, imageDefinitionName } from "../../../src/names/sfn.ts";
import { asl, compileText, file, testEnv } from "./helpers.ts";
import { validateAsl } from "./validate-asl.ts";

const DB = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Ab12Cd:password::";
const TOKEN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-token";
const HOST = "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db/host";

const FLOW = `apiVersion: flowc/v1
name: etl
defaults:
  secrets:
    API_TOKEN: { aws: "${TOKEN}", k8s: api/token }
steps:
  start: { command: [extract], next: load }
  load:
    command: [load]
    secrets:
      DB_PASSWORD: { aws: "${DB}", k8s: db/password }
      DB_HOST: { ref: db-host }
    next: report
  report: { command: [report], image: registry.example.com/report:2, next: end }
  end: { command: [done] }
`;

function env() {
  const e = testEnv();
  e.secrets = { "db-host": { aws: HOST, k8s: "db/host" } };
  return e;
}

describe("GIVEN a flow whose steps declare secrets", () => {
  const r = compileText(FLOW, env());
  // A Task names its definition, or reads the flow's usual one from the context the first states build.
  const def = (step: string): string => {
    const p = asl(r).States[step].Parameters;
    if (p["JobDefinition.$"] === "$.compute.JobDefinition") return asl(r).States.Context.Parameters.compute.JobDefinition;
    return p.JobDefinition;
  };
  const base = "flowc-job";
  const all = r.files.map((f) => f.content).join("\n");

  it("WHEN compiled for sfn THEN it has no problems and the definition is valid ASL", () => {
    expect(r.problems).toEqual([]);
    expect(validateAsl(asl(r))).toMatchObject({ isValid: true });
    expect(testEnv().sfn!.compute).toMatchObject({ kind: "batch", jobDefinition: base });
  });

  it("THEN each (image, secrets) pair runs on a job definition of its own, named by the Task, and steps sharing them share it", () => {
    const onlyToken = [{ name: "API_TOKEN", valueFrom: TOKEN }];
    expect(def("start")).toBe(derivedDefinitionName(base, undefined, onlyToken));
    expect(def("end")).toBe(def("start"));
    expect(def("start")).toMatch(/^flowc-job-[0-9a-f]{8}$/);
    expect(def("load")).not.toBe(def("start"));
    expect(def("report")).toBe(derivedDefinitionName(base, "registry.example.com/report:2", onlyToken));
    expect(def("report")).toMatch(/^flowc-job-report-2-[0-9a-f]{8}$/);
    // The same image without secrets keeps its old name: deployed definitions are not renamed.
    expect(derivedDefinitionName(base, "registry.example.com/report:2", [])).toBe(imageDefinitionName(base, "registry.example.com/report:2"));
  });

  it("THEN the manifest lists every derived definition (image, or \"\" for the base's) and its secrets by reference, refs resolved from the environment", () => {
    const m = JSON.parse(file(r, ".manifest.json")!.content);
    const load = def("load");
    expect(m.resources.jobDefinitions[load]).toBe("");
    expect(m.jobDefinitionSecrets[load]).toEqual([
      { name: "API_TOKEN", valueFrom: TOKEN },
      { name: "DB_HOST", valueFrom: HOST },
      { name: "DB_PASSWORD", valueFrom: DB },
    ]);
    expect(Object.keys(m.jobDefinitionSecrets).sort()).toEqual(Object.keys(m.resources.jobDefinitions).sort());
    expect(m.resources["etl.secrets.iam.json"]).toEqual({ executionRoleOf: base });
  });

  it("THEN etl.secrets.iam.json grants the execution role exactly those secrets (a partial ARN by its suffix wildcard) and parameters", () => {
    expect(JSON.parse(file(r, ".secrets.iam.json")!.content)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ReadStepSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [`${TOKEN}-??????`, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Ab12Cd"] },
        { Sid: "ReadStepParameters", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: [HOST] },
      ],
    });
  });

  it("THEN the state machine's own policy may submit to every derived definition and reads no secret", () => {
    const iam = JSON.parse(file(r, "etl.iam.json")!.content);
    const submit = iam.Statement.find((s: { Sid: string }) => s.Sid === "SubmitStepJobs");
    for (const step of ["start", "load", "report"]) expect(submit.Resource.join(" ")).toContain(def(step));
    expect(JSON.stringify(iam)).not.toMatch(/secretsmanager|ssm:/);
  });

  it("THEN no Task passes a secret in its environment: the values are the platform's to inject", () => {
    for (const step of ["start", "load", "report", "end"]) {
      const env = JSON.stringify(asl(r).States[step].Parameters.ContainerOverrides);
      expect(env).not.toMatch(/API_TOKEN|DB_PASSWORD|DB_HOST/);
    }
    expect(all).not.toMatch(/"Value":\s*"arn:aws:secretsmanager/);
  });

  it("WHEN compiled twice THEN the bundle is byte for byte the same", () => {
    expect(compileText(FLOW, env()).files).toEqual(r.files);
  });
});

describe("GIVEN secrets that Step Functions cannot resolve", () => {
  it("WHEN a secret has only a k8s reference, or a ref the environment does not define THEN SECRET_UNRESOLVED names it and nothing is written", () => {
    const r = compileText(
      `apiVersion: flowc/v1
name: etl
defaults: { secrets: { ONLY_K8S: { k8s: api/token }, MISSING: { ref: nope } } }
steps:
  start: { command: [a], next: end }
  end: { command: [b] }
`,
      env(),
    );
    expect(r.files).toEqual([]);
    expect(r.problems.map((p) => [p.code, p.path.join(".")])).toEqual([
      ["SECRET_UNRESOLVED", "steps.start.secrets.MISSING"],
      ["SECRET_UNRESOLVED", "steps.start.secrets.ONLY_K8S"],
    ]);
    expect(r.problems[0]!.hint).toContain("db-host");
  });
});
