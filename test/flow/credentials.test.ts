import { describe, expect, it } from "vitest";
import { credentialKind, credentialShape } from "../../src/flow/validate/credentials.ts";

// Test-only look-alikes: valid shapes, not real credentials (the AWS ones are AWS's documented examples).
const GH = `ghp_${"a1B2c3D4e5".repeat(4)}`;
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

describe("GIVEN environment variables a flow might set", () => {
  const refused: [string, string, string][] = [
    ["AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "an AWS access key id"],
    ["AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "a generated key or token"],
    ["SIGNING_KEY", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...", "a private key"],
    ["GH", GH, "a GitHub token"],
    ["SLACK_HOOK_AUTH", "xoxb-123456789012-abcdefABCDEF", "a Slack token"],
    ["PAYMENTS", `sk_live_${"4eC39HqLyjWDarjtT1zdp7dc"}`, "a Stripe key"],
    ["MAPS", `AIza${"SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"}`, "a Google API key"],
    ["SESSION", JWT, "a JSON Web Token"],
    ["DATABASE_URL", "postgres://etl:hunter2@db.internal:5432/warehouse", "a URL with a password in it"],
    ["DB_PASSWORD", "changeme", "a password"],
    ["SMTP_PASSWORD", "123456", "a password"],
    ["API_TOKEN", "3f9a2c7e1b8d4f6a0c9e2b5d8f1a3c6e", "a generated key or token"],
    ["CLIENT_SECRET", "Zq8!mW2#rT5v", "a generated key or token"],
  ];
  it.each(refused)("WHEN %s holds such a value THEN it is recognised as a credential", (name, value, kind) => {
    expect(credentialKind(name, value)).toBe(kind);
  });

  const allowed: [string, string][] = [
    ["LOG_LEVEL", "debug"],
    ["DB_HOST", "db.internal"],
    ["DB_PASSWORD", ""],
    ["DB_PASSWORD_FILE", "/run/secrets/db"],
    ["API_TOKEN_URL", "https://auth.example.com/oauth/token"],
    ["SECRET_NAME", "prod/db-password"],
    ["SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Ab12Cd"],
    ["DB_SECRET", "prod-db-credentials"],
    ["TOKEN_TTL", "3600"],
    ["AUTH_TOKEN", "${AUTH_TOKEN}"],
    ["DATABASE_URL", "postgres://etl@db.internal:5432/warehouse"],
    ["DATABASE_URL", "postgres://etl:${DB_PASSWORD}@db.internal:5432/warehouse"],
    ["MODEL", "s3://bucket/models/3f9a2c7e1b8d4f6a0c9e2b5d8f1a3c6e.bin"],
    ["GIT_SHA", "3f9a2c7e1b8d4f6a0c9e2b5d8f1a3c6e9d0b7a21"],
    ["PWD", "/work"],
  ];
  it.each(allowed)("WHEN %s=%s THEN it is not taken for a credential", (name, value) => {
    expect(credentialKind(name, value)).toBeUndefined();
  });

  it("WHEN a token shape appears inside a longer text (a command argument) THEN it is still recognised", () => {
    expect(credentialShape(`Authorization: token ${GH}`)).toBe("a GitHub token");
    expect(credentialShape("--profile prod")).toBeUndefined();
  });

  it("WHEN a URL with a password ends a long value, or follows other text THEN it is still recognised", () => {
    expect(credentialShape(`${"x".repeat(300_000)} postgres://etl:hunter2@db`)).toBe("a URL with a password in it");
    expect(credentialShape("--dsn=postgres://etl:hunter2@db")).toBe("a URL with a password in it");
    expect(credentialShape(`${"x".repeat(300_000)}://${"y".repeat(1000)}`)).toBeUndefined();
  });
});
