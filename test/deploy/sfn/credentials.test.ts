// Credentials, region and endpoints: --profile and the SDK's chain, --endpoint and AWS_ENDPOINT_URL,
// the account check, and the built CLI as a user runs it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, flowc, localAws, project, recordCalls, writeFlow, type LocalAws } from "./helpers.ts";

let aws: LocalAws;
const saved = { ...process.env };
beforeAll(async () => {
  aws = await localAws();
  // The SDK reads its files and the instance-metadata switch from process.env itself.
  const dir = mkdtempSync(join(tmpdir(), "flowc-aws-profile-"));
  writeFileSync(join(dir, "credentials"), "[ci-deployer]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n");
  writeFileSync(join(dir, "config"), "[profile ci-deployer]\nregion = eu-central-1\n");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "credentials");
  process.env.AWS_CONFIG_FILE = join(dir, "config");
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"]) delete process.env[k];
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await aws?.stop();
});

const SFN = ["--target", "sfn", "--env", "test"];

describe("GIVEN no keys in the environment", () => {
  it("WHEN --profile names a profile and --endpoint a local AWS THEN the deploy uses them (region from the configuration)", async () => {
    const p = await project(aws.endpoint);
    const flow = writeFlow(p, fixture("nightly-report.yaml"));
    const env = { AWS_ENDPOINT_URL: "", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" };
    const r = await flowc(p, ["deploy", flow.file, ...SFN, "--profile", "ci-deployer", "--endpoint", aws.endpoint], env);
    expect(r.stderr).not.toMatch(/^flowc: /m);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("https://us-east-1.console.aws.amazon.com");
    // AWS_PROFILE is the same as --profile.
    const again = await flowc(p, ["deploy", flow.file, ...SFN, "--endpoint", aws.endpoint], { ...env, AWS_PROFILE: "ci-deployer" });
    expect([again.code, again.stdout]).toEqual([0, expect.stringContaining("No changes")]);
  });

  it("WHEN there are no credentials at all THEN it says so with a code and a way out, having changed nothing", async () => {
    const p = await project(aws.endpoint);
    const flow = writeFlow(p, fixture("nightly-report.yaml"));
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN], { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "no-such-profile" }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^flowc: error AWS_CREDENTIALS: /m);
    expect(result.stderr).toContain("hint: set AWS_PROFILE or pass --profile");
    expect(calls.filter((c) => c.write)).toEqual([]);
  });
});

describe("GIVEN credentials for another account than the environment's", () => {
  it("WHEN deploying THEN it is refused before any write", async () => {
    const p = await project(aws.endpoint);
    writeFileSync(join(p.dir, "flowc.config.yaml"), readFileSync(join(p.dir, "flowc.config.yaml"), "utf8").replace('account: "123456789012"', 'account: "210987654321"'));
    const flow = writeFlow(p, fixture("nightly-report.yaml"));
    const { result, calls } = await recordCalls(() => flowc(p, ["deploy", flow.file, ...SFN]));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error AWS_ACCOUNT_MISMATCH: the AWS credentials in use are for account 123456789012");
    expect(calls.filter((c) => c.write)).toEqual([]);
  });
});

describe("GIVEN the built CLI (bin/flowc) and AWS_ENDPOINT_URL", () => {
  const bin = fileURLToPath(new URL("../../../bin/flowc", import.meta.url));
  const built = existsSync(fileURLToPath(new URL("../../../dist/cli.js", import.meta.url)));
  it.skipIf(!built)("WHEN a user deploys, diffs and triggers THEN it works from a shell, with no SDK warnings, and exit codes CI can gate on", async () => {
    const p = await project(aws.endpoint);
    const flow = writeFlow(p, fixture("ab-release.yaml"));
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ENDPOINT_URL: aws.endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
    const run = (...args: string[]) => spawnSync(bin, args, { cwd: p.dir, env, encoding: "utf8" });
    expect(run("diff", flow.file, ...SFN).status).toBe(1);
    const d = run("deploy", flow.file, ...SFN);
    expect(d.stderr).not.toContain("NodeVersionSupportWarning");
    expect([d.status, d.stdout]).toEqual([0, expect.stringContaining("Console: https://")]);
    expect(run("diff", flow.file, ...SFN).status).toBe(0);
    const t = run("trigger", flow.file, ...SFN, "--param", "dataset=s3://x/y");
    expect([t.status, t.stdout]).toEqual([0, expect.stringMatching(/^Started test-/)]);
    expect(run("trigger", flow.file, ...SFN).status).toBe(2);
    // Five CLI processes, each starting Node and the SDK: on a shared 2-core machine that alone passes 30 s.
  }, 120_000);
});
