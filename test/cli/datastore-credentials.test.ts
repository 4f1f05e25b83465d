// The datastore commands with an s3:// datastore and no AWS credentials: the same coded message
// deploy gives (AWS_CREDENTIALS, with a way out), exit 1, never an internal error or a stack trace.
// The credential chain fails before any request, so no AWS (not even a local one) is needed.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, EXAMPLES, flowc, tempDir } from "../runtime/helpers.ts";

const cwd = tempDir("flowc-nocreds-");
const root = "s3://acme-flowc-nocreds/prod";
const env: NodeJS.ProcessEnv = {
  AWS_ACCESS_KEY_ID: "",
  AWS_SECRET_ACCESS_KEY: "",
  AWS_SESSION_TOKEN: "",
  AWS_PROFILE: "flowc-no-such-profile",
  AWS_SHARED_CREDENTIALS_FILE: join(cwd, "no-credentials"),
  AWS_CONFIG_FILE: join(cwd, "no-config"),
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONTAINER_CREDENTIALS_FULL_URI: "",
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "",
  AWS_WEB_IDENTITY_TOKEN_FILE: "",
  // Nothing listens here: were a request sent, it would fail as unreachable, not as credentials.
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_REGION: "eu-west-1",
};

beforeAll(() => ensureBuilt());

describe("GIVEN an s3:// datastore and no AWS credentials", () => {
  const commands: [string, string[]][] = [
    ["runs", ["runs", "--datastore", root]],
    ["runs FLOW", ["runs", join(EXAMPLES, "linear.yaml"), "--datastore", root]],
    ["run", ["run", join(EXAMPLES, "linear.yaml"), "--datastore", root]],
    ["show", ["show", "20261129-120102-3fa2", "--datastore", root]],
    ["show TASK", ["show", "20261129-120102-3fa2/start/_", "--datastore", root]],
    ["step", ["step", "--run-id", "r1", "--step", "start", "--root", root, "--spec", "packages/0123.json"]],
  ];
  it.each(commands)("WHEN `flowc %s` runs THEN AWS_CREDENTIALS with a hint, exit 1", async (_name, args) => {
    const r = await flowc(args, { cwd, env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^flowc: error AWS_CREDENTIALS: (start attempt 0: )?no usable AWS credentials for the datastore s3:\/\/acme-flowc-nocreds\/prod/m);
    expect(r.stderr).toMatch(/^ {2}hint: set AWS_PROFILE, or export AWS_ACCESS_KEY_ID/m);
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
