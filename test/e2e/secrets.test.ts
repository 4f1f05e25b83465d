// Secrets end to end on moto's Step Functions interpreter: deploy registers the job definitions with
// `secrets` (references into moto's Secrets Manager and SSM), and when a Batch job starts, the harness
// fetches each value from moto with the definition's execution role, as Batch does, into the
// container's environment. Each step sees exactly its own secrets, deployed and under `flowc run`
// alike; a reference to a secret that does not exist fails the job before it starts.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { batchApi } from "../harness/batch.ts";
import { createSecret, putParameter } from "../harness/secrets.ts";
import { FIXTURES, Rig, ensureBuilt, prove, uid } from "./helpers.ts";

const FLOW = join(FIXTURES, "secrets.ts");
const VALUES = { API_TOKEN: `tok-${uid()}${uid()}`, DB_PASSWORD: `pw-${uid()}${uid()}`, DB_HOST: "warehouse.internal:5432" };
const sha = (v: string) => createHash("sha256").update(v).digest("hex");

const rig = new Rig();
let env: string;
let broken: string;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  ensureBuilt();
  await rig.start();
  const cfg = rig.moto.clientConfig;
  const token = await createSecret(cfg, `e2e/api-token-${rig.id}`, VALUES.API_TOKEN);
  const db = await createSecret(cfg, `e2e/db-${rig.id}`, JSON.stringify({ username: "etl", password: VALUES.DB_PASSWORD }));
  const host = await putParameter(cfg, `/e2e/${rig.id}/db-host`, VALUES.DB_HOST);
  const secrets = (dbRef: string) => ["secrets:", `  api-token: { aws: "${token}" }`, `  db-password: { aws: "${dbRef}" }`, `  db-host: { aws: "${host}" }`];
  env = rig.env("secrets", { lines: secrets(`${db}:password::`) });
  broken = rig.env("nosecret", { lines: secrets(`arn:aws:secretsmanager:us-east-1:123456789012:secret:e2e/missing-${rig.id}`) });
  // Batch fetches secrets with the job's execution role: the configured definition gets one.
  const [current] = (await batchApi<{ jobDefinitions: { containerProperties: Record<string, unknown> }[] }>(cfg, "DescribeJobDefinitions", { jobDefinitionName: rig.jobDefinition, status: "ACTIVE" })).jobDefinitions;
  await batchApi(cfg, "RegisterJobDefinition", { jobDefinitionName: rig.jobDefinition, type: "container", containerProperties: { ...current!.containerProperties, executionRoleArn: `arn:aws:iam::123456789012:role/flowc-e2e-execution` } });
  // `flowc run` takes secrets from its environment (prove() runs it with this process's).
  for (const [k, v] of Object.entries(VALUES)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
}, 120_000);
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  await rig.stop();
});

describe("GIVEN a flow whose steps read secrets from Secrets Manager and SSM, deployed to Step Functions", () => {
  it("WHEN it runs on moto's interpreter THEN each step sees exactly the values of its own secrets, the same as under flowc run", async () => {
    const p = await prove(rig, FLOW, env);
    expect(p.execution.status, p.execution.cause).toBe("SUCCEEDED");
    expect(p.local_.code, p.local_.stderr).toBe(0);
    const seen = (step: string) => p.remote[`${step}/_`]!.outputs.seen!.trim().split("\n");
    expect(seen("start")).toEqual([sha(VALUES.API_TOKEN), "null", "null"]);
    // DB_PASSWORD is the `password` key of a JSON secret (valueFrom …:password::), DB_HOST an SSM parameter.
    expect(seen("db")).toEqual([sha(VALUES.API_TOKEN), sha(VALUES.DB_PASSWORD), sha(VALUES.DB_HOST)]);
    const check = p.remote["check/_"]!.outputs;
    expect(JSON.parse(check.seen!)).toEqual({ API_TOKEN: sha(VALUES.API_TOKEN), DB_PASSWORD: null, DB_HOST: null });
    expect(check.token!.trim()).toBe(sha(VALUES.API_TOKEN));
    expect(check.refused!.trim()).toBe("yes");
    expect(p.remote).toEqual(p.local);

    // The Batch jobs ran on the definitions deploy registered: references only, never a value.
    const jobs = (step: string) => p.jobs.filter((j) => j.step === step);
    expect(jobs("db")).toHaveLength(1);
    const defs = p.manifest as unknown as { jobDefinitionSecrets: Record<string, { name: string; valueFrom: string }[]> };
    expect(Object.values(defs.jobDefinitionSecrets).flat().map((s) => s.name).sort()).toEqual(["API_TOKEN", "API_TOKEN", "DB_HOST", "DB_PASSWORD"]);
    const everything = [...p.remoteFiles.values()].map((b) => b.toString("utf8")).join("\n") + JSON.stringify(p.execution.history);
    for (const v of Object.values(VALUES)) expect(everything).not.toContain(v);
  });

  it("WHEN a step's secret does not exist THEN its Batch job fails before starting, as on AWS, and so does the run", async () => {
    await rig.deploy(FLOW, broken);
    const { arn } = await rig.trigger(FLOW, broken);
    const x = await rig.wait(arn);
    expect(x.status).toBe("FAILED");
    expect(x.cause).toContain("ResourceInitializationError: unable to pull secrets");
    expect(x.cause).toContain(`e2e/missing-${rig.id}`);
  });
});
