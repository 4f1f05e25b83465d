/** flowc.config.yaml, resolved for one environment. Compilers take this as an argument; they never read files. */
export interface SfnConfig {
  region: string;
  account: string;
  partition: "aws" | "aws-cn" | "aws-us-gov";
  stateMachineName?: string;
  stateMachineRoleArn: string;
  schedulerRoleArn?: string;
  eventsRoleArn?: string;
  scheduleGroup: string;
  compute:
    | { kind: "batch"; jobQueue: string; jobDefinition: string }
    | {
        kind: "ecs";
        cluster: string;
        taskDefinition: string;
        containerName: string;
        launchType: "FARGATE" | "EC2";
        subnets: string[];
        securityGroups: string[];
        assignPublicIp: boolean;
      };
  foreach: { mode: "distributed" | "inline"; maxConcurrency?: number; toleratedFailurePercentage?: number };
  /** A definition larger than this (compact JSON bytes, at most 1 MiB) is split into child state machines. */
  maxDefinitionBytes?: number;
  logging?: { logGroupArn: string; level: "ALL" | "ERROR" | "FATAL" | "OFF"; includeExecutionData: boolean };
  tracing: boolean;
  consoleUrl?: string;
}

export interface ArgoConfig {
  namespace: string;
  serviceAccount?: string;
  imagePullSecrets: string[];
  nodeSelector: Record<string, string>;
  tolerations: Record<string, unknown>[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  eventBus?: string;
  eventSource?: string;
  workflowEventSource?: string;
  uiUrl?: string;
  context?: string;
  /** Where Argo Workflows' controller runs: deploy reads its version there. */
  controllerNamespace?: string;
}

/** Where a notification goes (docs/operating.md, "Notifications"). */
export type NotifyTarget = { kind: "sns"; topicArn: string } | { kind: "webhook"; url: string } | { kind: "webhook"; secret: { name: string; key: string } };

export interface NotifyLists {
  onFailure: NotifyTarget[];
  onSuccess: NotifyTarget[];
}

export interface NotifyConfig extends NotifyLists {
  /** Per flow: lists that replace the environment's. */
  flows: Record<string, Partial<NotifyLists>>;
}

/** An environment's secret references by name (`secrets:`); a flow's `{ ref: name }` resolves here. */
export interface SecretSourceConfig {
  aws?: string;
  k8s?: string;
}

/**
 * `policy:` of an environment, as written (values are reported as the user wrote them); checked by
 * src/policy before anything is compiled for that environment. schemas/config.schema.json documents
 * each key and docs/governance.md has an example.
 */
export interface PolicyConfig {
  enforcement: "error" | "warn";
  images?: { allow?: string[]; latest?: "allow" | "forbid" };
  tags?: { required?: string[]; values?: Record<string, string> };
  run?: { timeout?: "required" | "optional" };
  steps?: { timeout?: "required" | "optional"; maxTimeout?: string; retry?: "required" | "optional" };
  resources?: { cpu?: number; memory?: string; gpu?: number };
  foreach?: { maxParallelism?: number };
  schedule?: { concurrency?: ("allow" | "forbid" | "replace")[] };
  env?: { plaintext?: "allow" | "forbid" };
  secrets?: { allow?: string[] };
}

export interface EnvConfig {
  /** The environment's name (e.g. prod): part of resource names, tags and aliases. */
  name: string;
  datastore: string;
  image?: string;
  tags: Record<string, string>;
  sfn?: SfnConfig;
  argo?: ArgoConfig;
  notify?: NotifyConfig;
  /** Secret references by name (`secrets:` of the environment). */
  secrets?: Record<string, SecretSourceConfig>;
  policy?: PolicyConfig;
  /** Template documents by file name (already read and parsed by the loader): org overrides win. */
  templates: Record<string, unknown>;
}
