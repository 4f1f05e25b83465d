// Shared by the suites about Batch job definitions (per image, per secrets): a local AWS with a Batch
// client, projects whose environment names a job definition of its own, and the definitions' revisions.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { BatchClient, DescribeJobDefinitionsCommand, RegisterJobDefinitionCommand, type JobDefinition } from "@aws-sdk/client-batch";
import { REGION, localAws, project, uid, type LocalAws, type Project } from "./helpers.ts";

export interface BatchSuite {
  readonly endpoint: string;
  readonly batch: BatchClient;
  /** A project whose environment names a job definition of its own (so suites sharing moto do not meet). */
  project(): Promise<{ p: Project; base: string }>;
  /** A new revision of a single-container definition, as a platform team would register the base. */
  registerBase(name: string, opts?: { environment?: Record<string, string>; executionRoleArn?: string }): Promise<void>;
  /** Every revision, oldest first. */
  revisions(name: string): Promise<JobDefinition[]>;
  active(name: string): Promise<JobDefinition[]>;
}

/** Starts (or joins) a local AWS for the calling test file, with the hooks that stop it. */
export function useBatchSuite(): BatchSuite {
  let aws: LocalAws;
  let batch: BatchClient;
  beforeAll(async () => {
    aws = await localAws();
    batch = new BatchClient({ endpoint: aws.endpoint, region: REGION, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  }, 60_000);
  afterAll(async () => {
    batch?.destroy();
    await aws?.stop();
  });
  const suite: BatchSuite = {
    get endpoint() {
      return aws.endpoint;
    },
    get batch() {
      return batch;
    },
    async project() {
      const p = await project(aws.endpoint);
      const base = `flowc-jd-${uid()}`;
      const config = join(p.dir, "flowc.config.yaml");
      writeFileSync(config, readFileSync(config, "utf8").replace("jobDefinition: flowc-jd", `jobDefinition: ${base}`));
      return { p, base };
    },
    async registerBase(name, opts = {}) {
      await batch.send(
        new RegisterJobDefinitionCommand({
          jobDefinitionName: name,
          type: "container",
          containerProperties: {
            image: "local/flowc:1",
            command: ["flowc", "step"],
            resourceRequirements: [
              { type: "VCPU", value: "1" },
              { type: "MEMORY", value: "2048" },
            ],
            environment: Object.entries(opts.environment ?? {}).map(([n, value]) => ({ name: n, value })),
            ...(opts.executionRoleArn ? { executionRoleArn: opts.executionRoleArn } : {}),
          },
          timeout: { attemptDurationSeconds: 3600 },
          tags: { team: "platform" },
        }),
      );
    },
    async revisions(name) {
      const out = await batch.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name }));
      return (out.jobDefinitions ?? []).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
    },
    async active(name) {
      return (await suite.revisions(name)).filter((j) => j.status === "ACTIVE");
    },
  };
  return suite;
}
