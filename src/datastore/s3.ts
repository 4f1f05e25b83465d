import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { AWS_CREDENTIALS_HINT, errorName, isAccessDenied, isCredentialsError, isUnreachable } from "../aws/errors.ts";
import { EXIT, UserError } from "../errors.ts";
import type { Datastore } from "./types.ts";

type S3Module = typeof import("@aws-sdk/client-s3");

/**
 * A datastore in S3: `s3://bucket/prefix`. Every write is a single PutObject, which S3 applies
 * atomically, so done.json is never seen half-written.
 */
export class S3Datastore implements Datastore {
  readonly root: string;
  private readonly bucket: string;
  private readonly prefix: string;

  private constructor(
    root: string,
    private readonly s3: S3Module,
    private readonly client: S3Client,
  ) {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(root);
    if (!m) throw new UserError(`${JSON.stringify(root)} is not an S3 datastore root`, EXIT.usage, "write s3://bucket or s3://bucket/prefix (or a local folder)", "DATASTORE_INVALID");
    this.bucket = m[1]!;
    this.prefix = m[2]!.replace(/\/+$/, "");
    this.root = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ""}`;
  }

  /** The SDK is loaded only when an S3 datastore is used: it adds ~100 ms to every process start. */
  static async open(root: string, config: S3ClientConfig = s3ConfigFromEnv(process.env)): Promise<S3Datastore> {
    // flowc pins its SDK version, so the SDK's notice about the Node versions of its future releases
    // is nothing a user can act on; in every task's log it would only be noise.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const s3 = await import("@aws-sdk/client-s3");
    return new S3Datastore(root, s3, new s3.S3Client(config));
  }

  private key(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  /** One S3 call; its failure as a UserError a person can act on, its "not found" as `notFound`. */
  private async call<T, N = never>(op: string, key: string, fn: () => Promise<T>, notFound?: () => N): Promise<T | N> {
    try {
      return await fn();
    } catch (e) {
      if (notFound && isNotFound(e)) return notFound();
      throw datastoreError(e, op, this.locate(key), this.bucket);
    }
  }

  async read(key: string): Promise<Buffer | undefined> {
    return this.call(
      "GetObject",
      key,
      async () => {
        const out = await this.client.send(new this.s3.GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
        return Buffer.from(await out.Body!.transformToByteArray());
      },
      () => undefined,
    );
  }

  async write(key: string, data: string | Uint8Array): Promise<void> {
    await this.call("PutObject", key, () => this.client.send(new this.s3.PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: typeof data === "string" ? Buffer.from(data) : data })));
  }

  async upload(key: string, file: string): Promise<void> {
    const { size } = await stat(file);
    // PutObject takes up to 5 GiB in one request; bigger artifacts belong in a store the step manages itself.
    await this.call("PutObject", key, () =>
      this.client.send(new this.s3.PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: size === 0 ? Buffer.alloc(0) : createReadStream(file), ContentLength: size })),
    );
  }

  async exists(key: string): Promise<boolean> {
    return this.call(
      "HeadObject",
      key,
      async () => (await this.client.send(new this.s3.HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) })), true),
      () => false,
    );
  }

  async delete(key: string): Promise<void> {
    const keys = [key, ...(await this.list(key))];
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      await this.call("DeleteObjects", key, () =>
        batch.length === 1
          ? this.client.send(new this.s3.DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(batch[0]!) }))
          : this.client.send(new this.s3.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((k) => ({ Key: this.key(k) })) } })),
      );
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const page = await this.call("ListObjectsV2", prefix, () =>
        this.client.send(new this.s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.key(prefix.replace(/\/+$/, ""))}/`, ContinuationToken: token })),
      );
      for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key.slice(strip));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async children(prefix: string): Promise<string[]> {
    const names = new Set<string>();
    const base = prefix ? `${this.key(prefix.replace(/\/+$/, ""))}/` : this.prefix ? `${this.prefix}/` : "";
    let token: string | undefined;
    do {
      const page = await this.call("ListObjectsV2", prefix, () => this.client.send(new this.s3.ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, Delimiter: "/", ContinuationToken: token })));
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) names.add(p.Prefix.slice(base.length).replace(/\/$/, ""));
      for (const o of page.Contents ?? []) if (o.Key) names.add(o.Key.slice(base.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return [...names].sort();
  }

  locate(key: string): string {
    return key ? `${this.root}/${key}` : this.root;
  }
}

/**
 * Client settings from the standard AWS variables. AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL point at an
 * S3-compatible server (moto, MinIO), which needs path-style addressing.
 */
export function s3ConfigFromEnv(env: NodeJS.ProcessEnv): S3ClientConfig {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  // Keys in the given environment (an in-process caller's, not only process.env); else the SDK's chain.
  const keys =
    !env.AWS_PROFILE && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
      : {};
  return {
    ...keys,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1",
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(env.FLOWC_S3_FORCE_PATH_STYLE === "1" ? { forcePathStyle: true } : {}),
  };
}

/** A missing object; a missing bucket is not that (it answers 404 too), but a wrong datastore. */
function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (err?.name === "NoSuchBucket") return false;
  return err?.name === "NoSuchKey" || err?.name === "NotFound" || err?.$metadata?.httpStatusCode === 404;
}

/**
 * An S3 failure as the datastore commands report it: the same AWS_CREDENTIALS message deploy gives,
 * a missing bucket, a refusal, an unreachable endpoint; each with what to do. The SDK error stays the cause.
 */
export function datastoreError(e: unknown, op: string, where: string, bucket: string): UserError {
  if (e instanceof UserError) return e;
  const message = (e as Error)?.message ?? String(e);
  const error = (code: string, text: string, hint: string) => Object.assign(new UserError(text, EXIT.failed, hint, code), { cause: e });
  // No --profile here: the datastore commands take the SDK's chain (AWS_PROFILE and the rest) as it is.
  if (isCredentialsError(e)) return error("AWS_CREDENTIALS", `no usable AWS credentials for the datastore ${where}: ${message}`, `${AWS_CREDENTIALS_HINT.replace(" or pass --profile", "")}; a local folder (--datastore .flowc) needs none`);
  if (errorName(e) === "NoSuchBucket") return error("DATASTORE_NOT_FOUND", `the datastore bucket \`${bucket}\` does not exist (${op} ${where})`, "create it, or pass the right --datastore / FLOWC_ROOT (s3://bucket/prefix)");
  if (isAccessDenied(e)) return error("AWS_ACCESS_DENIED", `S3 ${op} ${where} failed: ${errorName(e)}: ${message}`, "the credentials in use lack this S3 permission on the datastore bucket (see docs/deploy-sfn.md, \"Permissions\")");
  if (isUnreachable(e)) return error("AWS_ERROR", `S3 ${op} ${where}: cannot reach the service (${message})`, "check AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3, AWS_REGION and the network");
  return error("AWS_ERROR", `S3 ${op} ${where} failed: ${errorName(e)}: ${message}`, "a retry may succeed; the datastore's writes are idempotent");
}
