// Organization policy (`policy:` of an environment in flowc.config.yaml): one flow that meets every
// rule, and a table of single changes to it (or to the configuration), each breaking one rule. Every
// violation must come with its own code, the line of the offending value (in the flow, or in the
// configuration when the environment sets it) and the policy key it breaks, with that key's line.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { envDiagnostics } from "../../src/compile/pipeline.ts";
import { loadConfig, resolveEnv } from "../../src/config/load.ts";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.ts";
import { isValid, readFlow } from "../../src/flow/read.ts";
import { main } from "../../src/cli/main.ts";

const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

const CONFIG = `environments:
  prod:
    datastore: s3://acme-flowc/prod
    image: ${REGISTRY}/ml:1.4
    tags: { team: recs, cost-center: cc-42 }
    secrets:
      db: { aws: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Ab12Cd:password::", k8s: db/password }
      legacy: { aws: "arn:aws:secretsmanager:us-east-1:999999999999:secret:legacy-Xy12Zw", k8s: legacy/token }
    sfn:
      region: eu-west-1
      account: "123456789012"
      stateMachineRoleArn: arn:aws:iam::123456789012:role/flowc-sfn
      schedulerRoleArn: arn:aws:iam::123456789012:role/flowc-scheduler
      batch: { jobQueue: ml-queue, jobDefinition: flowc-job }
    argo: { namespace: ml-prod }
    policy:
      images:
        allow: [${REGISTRY}/]
        latest: forbid
      tags:
        required: [team, cost-center, owner]
        values: { cost-center: "cc-[0-9]+" }
      run: { timeout: required }
      steps: { timeout: required, maxTimeout: 2h, retry: required }
      resources: { cpu: 16, memory: 64Gi, gpu: 4 }
      foreach: { maxParallelism: 50 }
      schedule: { concurrency: [forbid, replace] }
      env: { plaintext: forbid }
      secrets:
        allow: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/", db/, api/]
`;

const FLOW = `apiVersion: flowc/v1
name: governed
timeout: 6h
tags: { owner: data-eng }
schedule: { cron: "0 6 * * *", concurrency: forbid }
defaults:
  retry: { times: 2 }
  timeout: 1h
  secrets:
    DB_PASSWORD: { ref: db }
steps:
  start:
    command: [python, prep.py]
    foreach: true
    parallelism: 20
    next: train
  train:
    command: [python, train.py]
    image: ${REGISTRY}/train:2.1
    resources: { cpu: 8, memory: 32Gi, gpu: 2 }
    env: { LOG_LEVEL: info }
    secrets:
      API_TOKEN: { aws: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-Zz99Yy", k8s: api/token }
    next: gather
  gather: { join: true, command: [python, gather.py], next: end }
  end: { command: [python, end.py] }
`;

/** 1-based line of the first line containing `needle` (after `from`, when given). */
function lineOf(text: string, needle: string, from?: string): number {
  const lines = text.split("\n");
  const start = from ? lines.findIndex((l) => l.includes(from)) : 0;
  const i = lines.findIndex((l, k) => k >= start && l.includes(needle));
  if (i < 0) throw new Error(`no line with ${JSON.stringify(needle)}`);
  return i + 1;
}

const replace = (text: string, from: string, to: string) => {
  if (!text.includes(from)) throw new Error(`the text has no ${JSON.stringify(from)}`);
  return text.replace(from, to);
};

async function check(flowText: string, configText = CONFIG, ext = "yaml"): Promise<{ diagnostics: Diagnostic[]; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "flowc-policy-"));
  writeFileSync(join(dir, "flowc.config.yaml"), configText);
  writeFileSync(join(dir, `flow.${ext}`), flowText);
  const read = await readFlow(join(dir, `flow.${ext}`));
  if (!isValid(read)) throw new Error(`the flow itself is invalid: ${read.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  const config = loadConfig(join(dir, "flowc.config.yaml"));
  const env = resolveEnv(config, "prod");
  if (!env.env) throw new Error(env.diagnostics.map((d) => d.message).join("; "));
  return { diagnostics: envDiagnostics(read, config, env.env), dir };
}

interface Row {
  name: string;
  code: string;
  /** The change, to the flow or to the configuration. */
  flow?: [string, string];
  config?: [string, string];
  /** Where each expected violation is: a needle on its line, in the flow or in the configuration. */
  at: { file: "flow" | "config"; line: string; after?: string }[];
  /** The line (in the configuration) of the policy key it breaks, and the key. */
  key: string;
  keyLine: string;
}

const ROWS: Row[] = [
  { name: "an image from another registry", code: "POLICY_IMAGE_REGISTRY", flow: [`${REGISTRY}/train:2.1`, "docker.io/library/python:3.12"], at: [{ file: "flow", line: "docker.io/library/python" }], key: "images.allow", keyLine: "allow: [1234" },
  { name: "the environment's image from another registry", code: "POLICY_IMAGE_REGISTRY", config: [`image: ${REGISTRY}/ml:1.4`, "image: ghcr.io/acme/ml:1.4"], at: [{ file: "config", line: "image: ghcr.io" }], key: "images.allow", keyLine: "allow: [1234" },
  { name: "an image tagged latest", code: "POLICY_IMAGE_LATEST", flow: ["train:2.1", "train:latest"], at: [{ file: "flow", line: "train:latest" }], key: "images.latest", keyLine: "latest: forbid" },
  { name: "an image without a tag", code: "POLICY_IMAGE_LATEST", flow: ["train:2.1", "train"], at: [{ file: "flow", line: "/train\n".trim() }], key: "images.latest", keyLine: "latest: forbid" },
  { name: "a required tag missing", code: "POLICY_TAG_MISSING", flow: ["tags: { owner: data-eng }\n", ""], at: [{ file: "flow", line: "name: governed" }], key: "tags.required", keyLine: "required: [team" },
  { name: "a tag value not matching its pattern", code: "POLICY_TAG_VALUE", flow: ["tags: { owner: data-eng }", "tags: { owner: data-eng, cost-center: marketing }"], at: [{ file: "flow", line: "cost-center: marketing" }], key: "tags.values.cost-center", keyLine: "cost-center: \"cc-" },
  { name: "no run timeout", code: "POLICY_RUN_TIMEOUT_MISSING", flow: ["timeout: 6h\n", ""], at: [{ file: "flow", line: "name: governed" }], key: "run.timeout", keyLine: "run: { timeout" },
  {
    name: "steps without a timeout",
    code: "POLICY_TIMEOUT_MISSING",
    flow: ["  timeout: 1h\n", ""],
    at: [{ file: "flow", line: "start:" }, { file: "flow", line: "train:" }, { file: "flow", line: "gather:" }, { file: "flow", line: "end:" }],
    key: "steps.timeout",
    keyLine: "steps: { timeout",
  },
  { name: "a step timeout above the ceiling", code: "POLICY_TIMEOUT_TOO_LONG", flow: ["    env: { LOG_LEVEL: info }", "    env: { LOG_LEVEL: info }\n    timeout: 6h"], at: [{ file: "flow", line: "timeout: 6h", after: "train:" }], key: "steps.maxTimeout", keyLine: "maxTimeout: 2h" },
  { name: "a default timeout above the ceiling (one violation, where it is written)", code: "POLICY_TIMEOUT_TOO_LONG", flow: ["  timeout: 1h", "  timeout: 3h"], at: [{ file: "flow", line: "timeout: 3h" }], key: "steps.maxTimeout", keyLine: "maxTimeout: 2h" },
  { name: "a step not retried", code: "POLICY_RETRY_MISSING", flow: ["    env: { LOG_LEVEL: info }", "    env: { LOG_LEVEL: info }\n    retry: { times: 0 }"], at: [{ file: "flow", line: "retry: { times: 0 }" }], key: "steps.retry", keyLine: "retry: required" },
  { name: "too many CPUs", code: "POLICY_CPU_LIMIT", flow: ["cpu: 8,", "cpu: 32,"], at: [{ file: "flow", line: "cpu: 32" }], key: "resources.cpu", keyLine: "resources: { cpu" },
  { name: "too much memory", code: "POLICY_MEMORY_LIMIT", flow: ["memory: 32Gi", "memory: 128Gi"], at: [{ file: "flow", line: "memory: 128Gi" }], key: "resources.memory", keyLine: "resources: { cpu" },
  { name: "too many GPUs", code: "POLICY_GPU_LIMIT", flow: ["gpu: 2", "gpu: 8"], at: [{ file: "flow", line: "gpu: 8" }], key: "resources.gpu", keyLine: "resources: { cpu" },
  { name: "a foreach without parallelism", code: "POLICY_FOREACH_UNBOUNDED", flow: ["    parallelism: 20\n", ""], at: [{ file: "flow", line: "foreach: true" }], key: "foreach.maxParallelism", keyLine: "maxParallelism: 50" },
  { name: "a foreach wider than allowed", code: "POLICY_FOREACH_WIDTH", flow: ["parallelism: 20", "parallelism: 500"], at: [{ file: "flow", line: "parallelism: 500" }], key: "foreach.maxParallelism", keyLine: "maxParallelism: 50" },
  { name: "a schedule that allows overlapping runs", code: "POLICY_SCHEDULE_CONCURRENCY", flow: ["concurrency: forbid", "concurrency: allow"], at: [{ file: "flow", line: "concurrency: allow" }], key: "schedule.concurrency", keyLine: "schedule: { concurrency" },
  { name: "a schedule with the default concurrency (allow)", code: "POLICY_SCHEDULE_CONCURRENCY", flow: [', concurrency: forbid }', " }"], at: [{ file: "flow", line: "schedule:" }], key: "schedule.concurrency", keyLine: "schedule: { concurrency" },
  { name: "a secret-named variable in plain text", code: "POLICY_PLAINTEXT_ENV", flow: ["env: { LOG_LEVEL: info }", "env: { LOG_LEVEL: info, SESSION_SECRET: dev }"], at: [{ file: "flow", line: "SESSION_SECRET" }], key: "env.plaintext", keyLine: "plaintext: forbid" },
  {
    name: "a secret from another account",
    code: "POLICY_SECRET_SOURCE",
    flow: ["secret:prod/api-Zz99Yy", "secret:other-api-Zz99Yy"],
    at: [{ file: "flow", line: "secret:other-api" }],
    key: "secrets.allow",
    keyLine: "allow: [\"arn:aws:secretsmanager",
  },
  {
    name: "a secret whose environment entry points outside the allowed stores",
    code: "POLICY_SECRET_SOURCE",
    flow: ["{ ref: db }", "{ ref: legacy }"],
    at: [
      { file: "config", line: "legacy: {" },
      { file: "config", line: "legacy: {" },
    ],
    key: "secrets.allow",
    keyLine: "allow: [\"arn:aws:secretsmanager",
  },
];

describe("GIVEN a prod environment with a policy for every rule", () => {
  it("WHEN the governed flow is checked THEN it meets every rule", async () => {
    expect((await check(FLOW)).diagnostics).toEqual([]);
  });

  it(`THEN the table covers ${new Set(ROWS.map((r) => r.code)).size} codes in ${ROWS.length} violations`, () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(ROWS.map((r) => r.code)).size).toBe(16);
  });

  it.each(ROWS)("WHEN the flow has $name THEN $code is reported at its line, naming the policy key it breaks", async (row) => {
    const flow = row.flow ? replace(FLOW, ...row.flow) : FLOW;
    const config = row.config ? replace(CONFIG, ...row.config) : CONFIG;
    const { diagnostics, dir } = await check(flow, config);
    const got = diagnostics.map((d) => ({ code: d.code, file: d.file, line: d.start.line, severity: d.severity }));
    const want = row.at.map((a) => ({
      code: row.code,
      file: join(dir, a.file === "flow" ? "flow.yaml" : "flowc.config.yaml"),
      line: lineOf(a.file === "flow" ? flow : config, a.line, a.after),
      severity: "error",
    }));
    expect(got).toEqual(want);
    for (const d of diagnostics) {
      expect(d.policy).toMatchObject({ key: `environments.prod.policy.${row.key}`, file: join(dir, "flowc.config.yaml"), line: lineOf(config, row.keyLine) });
      expect(d.hint).toBeTruthy();
    }
  });
});

describe("GIVEN the same policy with enforcement: warn", () => {
  it("WHEN a flow breaks a rule THEN it is reported as a warning, so the flow still compiles", async () => {
    const config = replace(CONFIG, "    policy:\n", "    policy:\n      enforcement: warn\n");
    const { diagnostics } = await check(replace(FLOW, "gpu: 2", "gpu: 8"), config);
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([["POLICY_GPU_LIMIT", "warning"]]);
  });
});

describe("GIVEN a TypeScript flow", () => {
  it("WHEN it breaks a rule THEN the violation points at the step's key in the module", async () => {
    const ts = `import { flow } from "flowc";
export default flow({
  name: "governed-ts",
  timeout: "6h",
  tags: { owner: "data-eng" },
  defaults: { retry: { times: 1 }, timeout: "1h" },
  steps: {
    start: { next: "end", resources: { gpu: 8 }, run: () => undefined },
    end: { run: () => undefined },
  },
});
`;
    const { diagnostics } = await check(ts, CONFIG, "ts");
    expect(diagnostics.map((d) => [d.code, d.start.line])).toEqual([["POLICY_GPU_LIMIT", 8]]);
  });
});

describe("GIVEN the flowc CLI", () => {
  const run = async (args: string[], cwd: string) => {
    let stdout = "";
    let stderr = "";
    const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false, env: {}, cwd });
    return { code, stdout, stderr };
  };

  it("WHEN validate --env prod --format json checks a violating flow THEN it exits 1 and lists each violation with its code, line and policy key for CI", async () => {
    const { dir } = await check(FLOW);
    writeFileSync(join(dir, "bad.yaml"), replace(replace(FLOW, "gpu: 2", "gpu: 8"), "parallelism: 20", "parallelism: 500"));
    const r = await run(["validate", "--env", "prod", "--config", join(dir, "flowc.config.yaml"), "--format", "json", join(dir, "bad.yaml")], dir);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { valid: boolean; files: { diagnostics: Diagnostic[] }[] };
    expect(out.valid).toBe(false);
    expect(out.files[0]!.diagnostics.map((d) => [d.code, d.start.line, d.policy?.key, d.policy?.line])).toEqual([
      ["POLICY_FOREACH_WIDTH", lineOf(FLOW, "parallelism"), "environments.prod.policy.foreach.maxParallelism", lineOf(CONFIG, "maxParallelism")],
      ["POLICY_GPU_LIMIT", lineOf(FLOW, "gpu: 2"), "environments.prod.policy.resources.gpu", lineOf(CONFIG, "resources: { cpu")],
    ]);
  });

  it("WHEN validate without --env checks it THEN the policy is not applied (it belongs to an environment)", async () => {
    const { dir } = await check(FLOW);
    writeFileSync(join(dir, "bad.yaml"), replace(FLOW, "gpu: 2", "gpu: 8"));
    expect((await run(["validate", join(dir, "bad.yaml")], dir)).code).toBe(0);
  });

  it("WHEN compile or diff meet a violation THEN they stop before compiling, print the policy line, and write nothing", async () => {
    const { dir } = await check(FLOW);
    writeFileSync(join(dir, "bad.yaml"), replace(FLOW, "gpu: 2", "gpu: 8"));
    for (const target of ["sfn", "argo"]) {
      const r = await run(["compile", join(dir, "bad.yaml"), "--target", target, "--env", "prod", "--config", join(dir, "flowc.config.yaml"), "--out", join(dir, `out-${target}`)], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("POLICY_GPU_LIMIT");
      // The configuration is named as the user would: relative to where flowc runs.
      expect(r.stderr).toContain(`policy: environments.prod.policy.resources.gpu: 4 (${relative(process.cwd(), join(dir, "flowc.config.yaml"))}:${lineOf(CONFIG, "resources: { cpu")}:`);
      expect(r.stdout).toBe("");
    }
    const d = await run(["diff", join(dir, "bad.yaml"), "--target", "sfn", "--env", "prod", "--config", join(dir, "flowc.config.yaml")], dir);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain("POLICY_GPU_LIMIT");
  });

  it("WHEN the governed flow is compiled for both targets THEN it compiles", async () => {
    const { dir } = await check(FLOW);
    writeFileSync(join(dir, "good.yaml"), FLOW);
    for (const target of ["sfn", "argo"]) {
      const r = await run(["compile", join(dir, "good.yaml"), "--target", target, "--env", "prod", "--config", join(dir, "flowc.config.yaml"), "--out", join(dir, `out-${target}`)], dir);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
    }
  });
});
