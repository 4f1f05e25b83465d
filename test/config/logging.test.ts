// sfn.logging.logGroupArn: CreateStateMachine refuses a log group ARN without the `:*` suffix, but
// only when deploy gets there. The configuration check says so first, at the line of the value.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { loadConfig, resolveEnv } from "../../src/config/load.ts";

const root = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "flowc-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A configuration whose prod environment logs to `arn` (line 12, the value at column 22). */
function config(arn: string): string {
  const file = join(dir, `flowc-${Math.random().toString(36).slice(2)}.config.yaml`);
  writeFileSync(
    file,
    [
      "environments:",
      "  prod:",
      "    datastore: s3://acme-flowc/prod",
      "    sfn:",
      "      region: eu-west-1",
      '      account: "123456789012"',
      "      stateMachineRoleArn: arn:aws:iam::123456789012:role/flowc-sfn",
      "      batch: { jobQueue: ml-queue, jobDefinition: flowc-job }",
      "      logging:",
      "        level: ALL",
      "        includeExecutionData: false",
      `        logGroupArn: ${arn}`,
      "",
    ].join("\n"),
  );
  return file;
}

const GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:/flowc/sfn";

describe("GIVEN sfn.logging in flowc.config.yaml", () => {
  it("WHEN the log group ARN lacks the :* suffix THEN loading the configuration fails at that value's line and column, saying what to write", () => {
    const file = config(GROUP);
    const { diagnostics } = loadConfig(file);
    expect(diagnostics).toEqual([
      {
        code: "CONFIG_INVALID",
        severity: "error",
        message: `\`environments.prod.sfn.logging.logGroupArn\` must be a CloudWatch Logs log group ARN ending in \`:*\` (Step Functions requires the suffix): got \`${GROUP}\``,
        hint: `write ${GROUP}:*`,
        file,
        start: { line: 12, col: 22 },
        end: expect.anything(),
      },
    ]);
  });

  it("WHEN the value is not a log group ARN at all THEN the hint shows the form", () => {
    const [d] = loadConfig(config("/flowc/sfn")).diagnostics;
    expect(d).toMatchObject({ code: "CONFIG_INVALID", start: { line: 12 }, hint: "write arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*" });
  });

  it("WHEN it ends in :* THEN the environment resolves and keeps the ARN as written", () => {
    const { env, diagnostics } = resolveEnv(loadConfig(config(`${GROUP}:*`)), "prod");
    expect(diagnostics).toEqual([]);
    expect(env!.sfn!.logging).toEqual({ logGroupArn: `${GROUP}:*`, level: "ALL", includeExecutionData: false });
  });

  it("WHEN flowc compile runs with the bad ARN THEN it exits non-zero printing file:line:col and writes nothing", async () => {
    const file = config(GROUP);
    const out = join(dir, "out");
    const io = { out: "", err: "", isTTY: false, env: { NO_COLOR: "1" }, cwd: root, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
    const code = await main(["compile", join(root, "examples/linear.yaml"), "--target", "sfn", "--env", "prod", "--config", file, "--out", out], io);
    expect(code).not.toBe(0);
    // Paths are printed as the user would type them from where flowc runs.
    expect(io.err).toContain(`${relative(process.cwd(), file)}:12:22: error CONFIG_INVALID`);
    expect(io.err).toContain(`write ${GROUP}:*`);
    expect(existsSync(join(out, "linear.asl.json"))).toBe(false);
  });
});
