// Secrets on deploy: a step with secrets runs on a Batch job definition flowc registers from the
// configured one, with the step's `secrets` (name, valueFrom) added, before the machine that names it.
// Batch fetches secrets with the definition's execution role, so a base without one is refused before
// any write. Nothing flowc prints or sends holds a value: only references.
import { beforeAll, describe, expect, it } from "vitest";
import { DescribeStateMachineCommand } from "@aws-sdk/client-sfn";
import { derivedDefinitionName } from "../../../src/names/sfn.ts";
import { createSecret as createSecretOnMoto } from "../../harness/secrets.ts";
import { useBatchSuite } from "./batch.ts";
import { ACCOUNT, REGION, fixture, flowc, recordCalls, rewriteFlow, uid, writeFlow, writes, type Project } from "./helpers.ts";

const suite = useBatchSuite();

const SFN = ["--target", "sfn", "--env", "test"];
const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/flowc-batch-execution`;
const VALUE = `value-${uid()}-never-printed`;

const createSecret = (name: string, value: string) => createSecretOnMoto({ endpoint: suite.endpoint, region: REGION, credentials: { accessKeyId: "test", secretAccessKey: "test" } }, name, value);

/** The nightly report with secrets on `aggregate`. */
const withSecrets = (secrets: Record<string, string>) =>
  fixture("nightly-report.yaml").replace(
    "    resources: { cpu: 2, memory: 8Gi }",
    `    resources: { cpu: 2, memory: 8Gi }\n    secrets:\n${Object.entries(secrets)
      .map(([n, arn]) => `      ${n}: { aws: "${arn}" }`)
      .join("\n")}`,
  );

const batchProject = () => suite.project();
const registerBase = (name: string, executionRoleArn?: string) => suite.registerBase(name, { ...(executionRoleArn ? { executionRoleArn } : {}) });
const active = (name: string) => suite.active(name);

describe("GIVEN a flow with a step that reads a secret, and a base job definition with an execution role", () => {
  let p: Project;
  let base: string;
  let flow: { file: string; name: string };
  let arn: string;
  let name: string;
  beforeAll(async () => {
    ({ p, base } = await batchProject());
    await registerBase(base, EXEC_ROLE);
    arn = await createSecret(`flowc-test/db-${uid()}`, VALUE);
    flow = writeFlow(p, withSecrets({ DB_PASSWORD: arn }));
    name = derivedDefinitionName(base, undefined, [{ name: "DB_PASSWORD", valueFrom: arn }]);
  });

  it("WHEN deployed with --dry-run THEN the plan shows the definition to register and its secret's name, and writes nothing", async () => {
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN, "--dry-run"]));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`+ create job-definition ${name} (secrets DB_PASSWORD)`);
    expect(writes(calls)).toEqual([]);
  });

  it("WHEN deployed THEN the definition is registered before the machine with the secret by reference, and the Task names it", async () => {
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code, result.stderr).toBe(0);
    const ops = writes(calls).map((c) => c.operation);
    expect(ops.indexOf("RegisterJobDefinition")).toBeLessThan(ops.indexOf("CreateStateMachine"));
    const [jd, ...more] = await active(name);
    expect(more).toEqual([]);
    expect(jd!.containerProperties).toMatchObject({ image: "local/flowc:1", executionRoleArn: EXEC_ROLE, secrets: [{ name: "DB_PASSWORD", valueFrom: arn }] });
    const m = await p.aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${flow.name}` }));
    const states = JSON.parse(m.definition!).States;
    expect(states.aggregate.Parameters.JobDefinition).toBe(name);
    // The other steps run the configured definition, which the context carries once.
    expect(states.start.Parameters["JobDefinition.$"]).toBe("$.compute.JobDefinition");
    expect(states.Context.Parameters.compute.JobDefinition).toBe(base);
    // The reviewer is told which role needs which statements; flowc leaves that role alone.
    expect(result.stdout + result.stderr).toContain(`the execution role ${EXEC_ROLE} (of ${base}): it needs the statements of ${flow.name}.secrets.iam.json`);
  });

  it("WHEN deployed again THEN nothing is written; diff exits 0", async () => {
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(0);
    expect(writes(calls)).toEqual([]);
    expect((await flowc(p, ["diff", flow.file, ...SFN])).code).toBe(0);
  });

  it("WHEN the step's secret changes THEN a new definition is registered and the old one deregistered after the alias moved", async () => {
    const other = await createSecret(`flowc-test/db2-${uid()}`, VALUE);
    rewriteFlow(p, flow, withSecrets({ DB_PASSWORD: other }));
    const next = derivedDefinitionName(base, undefined, [{ name: "DB_PASSWORD", valueFrom: other }]);
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code, result.stderr).toBe(0);
    const ops = writes(calls).map((c) => c.operation);
    expect(ops.indexOf("RegisterJobDefinition")).toBeLessThan(ops.indexOf("UpdateStateMachine"));
    expect(ops.at(-1)).toBe("DeregisterJobDefinition");
    expect((await active(next))[0]!.containerProperties!.secrets).toEqual([{ name: "DB_PASSWORD", valueFrom: other }]);
    expect(await active(name)).toEqual([]);
  });

  it("THEN no plan, diff or deploy output holds the value, only references", async () => {
    const outputs = [
      await flowc(p, ["diff", flow.file, ...SFN, "--format", "json"]),
      await flowc(p, ["deploy", flow.file, ...SFN, "--dry-run", "--format", "json"]),
      await flowc(p, ["compile", flow.file, ...SFN]),
    ];
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(VALUE);
  });
});

describe("GIVEN a base job definition without an execution role", () => {
  it("WHEN a flow with secrets is deployed THEN it is refused before any write, naming the missing role and the statements it needs", async () => {
    const { p, base } = await batchProject();
    await registerBase(base);
    const flow = writeFlow(p, withSecrets({ DB_PASSWORD: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbC123` }));
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DEPLOY_REFUSED");
    expect(result.stderr).toContain(`has no executionRoleArn`);
    expect(result.stderr).toContain(`${flow.name}.secrets.iam.json`);
    expect(writes(calls)).toEqual([]);
  });
});
