import { CallLog, installCallLog } from "./calls.ts";
import { FlowcRetryStrategy } from "./retry.ts";

type SfnModule = typeof import("@aws-sdk/client-sfn");
type SchedulerModule = typeof import("@aws-sdk/client-scheduler");
type EventsModule = typeof import("@aws-sdk/client-eventbridge");
type S3Module = typeof import("@aws-sdk/client-s3");
type StsModule = typeof import("@aws-sdk/client-sts");
type IamModule = typeof import("@aws-sdk/client-iam");
type BatchModule = typeof import("@aws-sdk/client-batch");
type LogsModule = typeof import("@aws-sdk/client-cloudwatch-logs");

export interface AwsSettings {
  /** The environment's region from flowc.config.yaml: the bundle's ARNs are built from it. */
  region: string;
  /** A named profile from ~/.aws/config (--profile); otherwise the SDK's default credential chain. */
  profile?: string;
  /** --endpoint: one URL for every service (a local AWS such as moto or LocalStack). */
  endpoint?: string;
  /** The process environment (AWS_ENDPOINT_URL[_<SERVICE>], AWS_ACCESS_KEY_ID...). */
  env: NodeJS.ProcessEnv;
}

/** The SDK's service identifiers for AWS_ENDPOINT_URL_<ID>, as the SDK itself reads them. */
const ENDPOINT_ENV = { sfn: "SFN", scheduler: "SCHEDULER", events: "EVENTBRIDGE", s3: "S3", sts: "STS", iam: "IAM", batch: "BATCH", logs: "CLOUDWATCH_LOGS" } as const;
export type ServiceName = keyof typeof ENDPOINT_ENV;

export interface Api<C, M> {
  c: C;
  m: M;
}

/**
 * One set of AWS clients for one command. SDK modules are imported on first use: each costs 50-250 ms
 * to load, and `flowc versions` needs only Step Functions. Every client counts its calls in `calls`.
 */
export class AwsSession {
  readonly calls = new CallLog();
  private readonly cache = new Map<ServiceName, Promise<Api<unknown, unknown>>>();

  constructor(readonly settings: AwsSettings) {
    // The SDK warns on every process start that its 2027 releases will need Node 22; flowc pins its SDK
    // version, so the warning is noise in CI logs. Set the variable to "false" to see it.
    settings.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= settings.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  }

  /** The endpoint a service is called at, if not AWS's own: --endpoint, then the SDK's variables. */
  endpoint(service: ServiceName): string | undefined {
    const env = this.settings.env;
    return this.settings.endpoint || env[`AWS_ENDPOINT_URL_${ENDPOINT_ENV[service]}`] || env.AWS_ENDPOINT_URL || undefined;
  }

  clientConfig(service: ServiceName): Record<string, unknown> {
    const { region, env } = this.settings;
    const profile = this.settings.profile ?? env.AWS_PROFILE;
    const endpoint = this.endpoint(service);
    // The SDK's default chain, read from the given environment rather than process.env (in-process
    // callers pass their own): a profile (--profile, AWS_PROFILE) wins over keys, as in the SDK;
    // without one, keys in the environment; without those, the chain's other sources (SSO, ~/.aws,
    // web identity, container and instance roles).
    const keys =
      !profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
        : {};
    return {
      region,
      ...(profile ? { profile } : {}),
      ...keys,
      ...(endpoint ? { endpoint } : {}),
      // Local S3 servers have no per-bucket DNS names.
      ...(service === "s3" && endpoint ? { forcePathStyle: true } : {}),
      retryStrategy: new FlowcRetryStrategy(),
    };
  }

  private get<C extends { middlewareStack: unknown }, M>(service: ServiceName, load: () => Promise<M>, make: (m: M, config: Record<string, unknown>) => C): Promise<Api<C, M>> {
    let api = this.cache.get(service) as Promise<Api<C, M>> | undefined;
    if (!api) {
      api = load().then((m) => {
        const c = make(m, this.clientConfig(service));
        installCallLog(c, service, this.calls);
        return { c, m };
      });
      this.cache.set(service, api as Promise<Api<unknown, unknown>>);
    }
    return api;
  }

  sfn = () => this.get("sfn", () => import("@aws-sdk/client-sfn"), (m: SfnModule, cfg) => new m.SFNClient(cfg));
  scheduler = () => this.get("scheduler", () => import("@aws-sdk/client-scheduler"), (m: SchedulerModule, cfg) => new m.SchedulerClient(cfg));
  events = () => this.get("events", () => import("@aws-sdk/client-eventbridge"), (m: EventsModule, cfg) => new m.EventBridgeClient(cfg));
  s3 = () => this.get("s3", () => import("@aws-sdk/client-s3"), (m: S3Module, cfg) => new m.S3Client(cfg));
  sts = () => this.get("sts", () => import("@aws-sdk/client-sts"), (m: StsModule, cfg) => new m.STSClient(cfg));
  iam = () => this.get("iam", () => import("@aws-sdk/client-iam"), (m: IamModule, cfg) => new m.IAMClient(cfg));
  /** Only a flow with per-image job definitions loads it. */
  batch = () => this.get("batch", () => import("@aws-sdk/client-batch"), (m: BatchModule, cfg) => new m.BatchClient(cfg));
  /** Only `flowc logs` of a task that left no logs in the datastore loads it. */
  logs = () => this.get("logs", () => import("@aws-sdk/client-cloudwatch-logs"), (m: LogsModule, cfg) => new m.CloudWatchLogsClient(cfg));

  /** Closes the HTTP agents so the process can exit at once. */
  async close(): Promise<void> {
    for (const api of this.cache.values()) {
      const { c } = (await api.catch(() => undefined)) ?? {};
      (c as { destroy?: () => void } | undefined)?.destroy?.();
    }
  }
}
