// The S3 datastore against moto_server (the one CI started, else one started here and stopped by PID): the datastore itself, a whole
// `flowc run`, `flowc step` with an s3:// root, and reading the run back with runs/show.
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFlow, isValid } from "../../src/flow/read.ts";
import { S3Datastore } from "../../src/datastore/s3.ts";
import { publishSpec } from "../../src/datastore/publish.ts";
import { awsEnv, startMoto, type MotoClientConfig, type MotoHandle } from "../harness/moto.ts";
import { ensureBuilt, EXAMPLES, FIXTURES, flowc, runIdOf, tempDir } from "./helpers.ts";

// A bucket of our own: CI shares one moto (FLOWC_MOTO_ENDPOINT) between suites.
const BUCKET = `flowc-runtime-${process.pid}`;
let moto: MotoHandle | undefined;
let config: MotoClientConfig;
let s3: S3Client;
let env: Record<string, string>;
const cwd = tempDir();

beforeAll(async () => {
  ensureBuilt();
  const shared = process.env.FLOWC_MOTO_ENDPOINT;
  if (shared) config = { endpoint: shared, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, forcePathStyle: true };
  else {
    moto = await startMoto();
    config = moto.clientConfig;
  }
  s3 = new S3Client(config);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  env = awsEnv({ endpoint: config.endpoint });
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

const open = (prefix: string) => S3Datastore.open(`s3://${BUCKET}/${prefix}`, config);
const text = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();

describe("GIVEN an S3 datastore", () => {
  it("WHEN objects are written, listed and deleted THEN it behaves like a folder under its prefix", async () => {
    const ds = await open("unit/deep");
    expect(ds.root).toBe(`s3://${BUCKET}/unit/deep`);
    expect(await ds.read("a/missing.json")).toBeUndefined();
    expect(await ds.exists("a/missing.json")).toBe(false);
    await ds.write("a/b/one.json", "1");
    await ds.write("a/two", new Uint8Array([50]));
    expect((await ds.read("a/b/one.json"))?.toString()).toBe("1");
    expect(await ds.exists("a/two")).toBe(true);
    expect((await ds.list("a")).sort()).toEqual(["a/b/one.json", "a/two"]);
    expect(await ds.children("a")).toEqual(["b", "two"]);
    expect(await ds.children("")).toEqual(["a"]);
    expect(ds.locate("a/two")).toBe(`s3://${BUCKET}/unit/deep/a/two`);
    await ds.delete("a");
    expect(await ds.list("a")).toEqual([]);
  });

  it("WHEN a TypeScript flow with nested steps runs on it THEN artifacts, logs and records land in S3", async () => {
    const root = `s3://${BUCKET}/runs`;
    const r = await flowc(["run", join(EXAMPLES, "split-in-foreach.ts"), "--datastore", root, "--max-workers", "4"], { cwd, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const runId = runIdOf(r);
    expect(r.stdout).toContain(`${root}/split-in-foreach-ts/${runId}`);
    const base = `runs/split-in-foreach-ts/${runId}`;
    const done = JSON.parse(await text(`${base}/gather/_/done.json`));
    expect(JSON.parse(await text(`${base}/gather/_/attempt-${done.attempt}/outputs/total`))).toBe(30);
    expect(JSON.parse(await text(`${base}/start/_/foreach.json`))).toEqual(["0", "1", "2"]);
    expect(await text(`${base}/end/_/attempt-0/stdout`)).toBe("total 30\n");

    const show = await flowc(["show", `${runId}/gather`, "--datastore", root], { cwd, env });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain("total = 30");
    const runs = await flowc(["runs", "--datastore", root], { cwd, env });
    expect(runs.stdout).toMatch(new RegExp(`${runId} +split-in-foreach-ts +succeeded`));
  });

  it("WHEN a container flow with nested foreach runs on it THEN inputs are downloaded for each command", async () => {
    const root = `s3://${BUCKET}/nested`;
    const r = await flowc(["run", join(EXAMPLES, "nested-foreach.yaml"), "--datastore", root, "--max-workers", "4"], { cwd, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const base = `nested/nested-foreach/${runIdOf(r)}`;
    expect((await text(`${base}/grid_join/_/attempt-0/outputs/cells`)).trim()).toBe("100");
    expect(await text(`${base}/end/_/attempt-0/stdout`)).toBe("100\n");
  });

  it("WHEN flowc step runs a task with an s3:// root THEN it reads the spec from S3 and writes foreach.json there", async () => {
    const ds = await open("steps");
    const f = await readFlow(join(FIXTURES, "contract.yaml"));
    if (!isValid(f)) throw new Error("invalid fixture");
    const spec = await publishSpec(ds, f);
    const stepEnv = { ...env, FLOWC_ROOT: ds.root, FLOWC_SPEC: spec.key, FLOWC_PARAMS: '{"n": 9}' };
    const r = await flowc(["step", "--run-id", "s1", "--step", "start"], { cwd, env: stepEnv });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(await text("steps/contract/s1/start/_/foreach.json"))).toEqual(["0", "1"]);
    expect(await text("steps/contract/s1/start/_/attempt-0/stdout")).toBe("start says hi\n");
    const body = await flowc(["step", "--run-id", "s1", "--step", "body", "--index", "1"], { cwd, env: stepEnv });
    expect(body.code, body.stderr).toBe(0);
    expect(await text("steps/contract/s1/body/1/attempt-0/outputs/inputs")).toBe("base\n");
  });
});

describe("GIVEN an s3:// datastore whose bucket does not exist", () => {
  it("WHEN runs, run and show use it THEN each says so with DATASTORE_NOT_FOUND, exit 1, no internal error", async () => {
    const root = `s3://no-such-bucket-${process.pid}/x`;
    for (const args of [["runs", "--datastore", root], ["run", join(EXAMPLES, "linear.yaml"), "--datastore", root], ["show", "r1", "--datastore", root]]) {
      const r = await flowc(args, { cwd, env });
      expect([args[0], r.code]).toEqual([args[0], 1]);
      expect(r.stderr).toMatch(/^flowc: error DATASTORE_NOT_FOUND: the datastore bucket `no-such-bucket-\d+` does not exist/m);
      expect(r.stderr).toContain("hint: create it, or pass the right --datastore");
      expect(r.stderr).not.toContain("internal error");
    }
  });
});
