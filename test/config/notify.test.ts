// notify: in flowc.config.yaml. A target is one of several shapes (a oneOf), and ajv reports every
// shape the value failed; the configuration check says only what is wrong with the one it was meant
// to be, at its line.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig, resolveEnv } from "../../src/config/load.ts";

const dir = mkdtempSync(join(tmpdir(), "flowc-notify-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(targets: string): string {
  const file = join(dir, `flowc-${Math.random().toString(36).slice(2)}.config.yaml`);
  writeFileSync(file, ["environments:", "  prod:", "    datastore: s3://acme-flowc/prod", "    notify:", `      onFailure: ${targets}`, ""].join("\n"));
  return file;
}

describe("GIVEN notify targets in flowc.config.yaml", () => {
  it("WHEN a webhook is http:// THEN there is one diagnostic, at its line, saying it must be https", () => {
    const loaded = loadConfig(config('[{ sns: "arn:aws:sns:eu-west-1:123456789012:alerts" }, { webhook: "http://hooks.example.com/x" }]'));
    expect(loaded.diagnostics).toEqual([
      expect.objectContaining({ code: "CONFIG_INVALID", start: expect.objectContaining({ line: 5 }), message: expect.stringContaining("`environments.prod.notify.onFailure.1.webhook` is \"http://hooks.example.com/x\", which is not an https:// URL") }),
    ]);
  });

  it("WHEN a target has a key no shape has THEN that key is named, not every shape's requirements", () => {
    const loaded = loadConfig(config('[{ email: "oncall@example.com" }]'));
    expect(loaded.diagnostics.length).toBeGreaterThan(0);
    expect(loaded.diagnostics.map((d) => d.message).join("\n")).toContain("unknown key `email`");
  });

  it("WHEN the targets are right THEN the environment resolves with them", () => {
    const { env, diagnostics } = resolveEnv(loadConfig(config('[{ sns: "arn:aws:sns:eu-west-1:123456789012:alerts" }, { webhook: "https://hooks.example.com/x" }]')), "prod");
    expect(diagnostics).toEqual([]);
    expect(env!.notify!.onFailure).toEqual([
      { kind: "sns", topicArn: "arn:aws:sns:eu-west-1:123456789012:alerts" },
      { kind: "webhook", url: "https://hooks.example.com/x" },
    ]);
  });
});
