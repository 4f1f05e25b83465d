import { afterAll, beforeAll, beforeEach } from "vitest";
// Shared fixtures for the argo deploy tests: a Kubernetes API double, a kubeconfig pointing at it,
// a flowc.config.yaml and flow files written to a temporary folder.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFlowFile, type CompiledFlow } from "../../../src/compile/pipeline.ts";
import { createArgoTarget } from "../../../src/deploy/argo/index.ts";
import type { DeployContext, DeployOptions, DeployTarget } from "../../../src/deploy/target.ts";
import { startK8sDouble, type K8sDouble, type K8sDoubleOptions } from "../../k8s/double.ts";

export const NS = "flows";
export const ENV = "dev";
/** The names argoObjectNames gives flow `nightly` in env `dev`. */
export const NAMES = { template: "nightly-dev", cron: "nightly-dev", sensor: "nightly-dev" } as const;

export interface FlowShape {
  schedule?: boolean;
  trigger?: boolean;
  /** Changes the command of the `end` step: a different build of the same flow. */
  message?: string;
  name?: string;
  image?: string;
  /** Default of the `day` parameter. */
  day?: string;
}

/** A small flow with every object kind: parameters, a schedule and an event trigger. */
export function flowYaml(shape: FlowShape = {}): string {
  const { schedule = true, trigger = true, message = "done", name = "nightly", image = "alpine:3.20", day = "today" } = shape;
  return [
    "apiVersion: flowc/v1",
    `name: ${name}`,
    "parameters:",
    `  day: { type: string, default: ${day} }`,
    "  size: { type: integer, default: 3 }",
    "  dry: { type: boolean, default: false }",
    "defaults:",
    `  image: ${image}`,
    ...(schedule ? ['schedule: { cron: "0 6 * * *", timezone: Europe/Amsterdam, concurrency: forbid }'] : []),
    ...(trigger ? ["triggers:", "  - event: { source: [my.app], detailType: [FileLanded], parameters: { day: $.detail.day } }"] : []),
    "steps:",
    "  start:",
    "    command: [sh, -c, 'echo start']",
    "    next: end",
    "  end:",
    `    command: [sh, -c, 'echo ${message}']`,
    "",
  ].join("\n");
}

export interface World {
  double: K8sDouble;
  dir: string;
  kubeconfig: string;
  config: string;
  datastore: string;
  stop(): Promise<void>;
}

export async function startWorld(options: K8sDoubleOptions = {}): Promise<World> {
  const double = await startK8sDouble(options);
  const dir = mkdtempSync(join(tmpdir(), "flowc-argo-"));
  const kubeconfig = double.writeKubeconfig(dir, { namespace: "default" });
  const datastore = join(dir, "datastore");
  const config = join(dir, "flowc.config.yaml");
  writeFileSync(
    config,
    [
      "environments:",
      `  ${ENV}:`,
      `    datastore: ${datastore}`,
      "    image: busybox:1.36",
      "    argo:",
      `      namespace: ${NS}`,
      "      serviceAccount: flowc-runner",
      "      uiUrl: https://argo.example.com/",
      "",
    ].join("\n"),
  );
  return {
    double,
    dir,
    kubeconfig,
    config,
    datastore,
    stop: async () => {
      await double.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function writeFlow(w: World, shape: FlowShape = {}, file = "nightly.yaml"): string {
  const path = join(w.dir, file);
  writeFileSync(path, flowYaml(shape));
  return path;
}

export async function compile(w: World, shape: FlowShape = {}): Promise<CompiledFlow> {
  const file = writeFlow(w, shape);
  const { compiled, diagnostics } = await compileFlowFile(file, { target: "argo", env: ENV, config: w.config, cwd: w.dir });
  if (!compiled) throw new Error(`fixture flow does not compile: ${diagnostics.map((d) => d.message).join("; ")}`);
  return compiled;
}

/** Any flow text, compiled for the world's environment as `flowc deploy` would. */
export async function compileText(w: World, text: string, file = "flow.yaml"): Promise<CompiledFlow> {
  const path = join(w.dir, file);
  writeFileSync(path, text);
  const { compiled, diagnostics } = await compileFlowFile(path, { target: "argo", env: ENV, config: w.config, cwd: w.dir });
  if (!compiled) throw new Error(`fixture flow does not compile: ${diagnostics.map((d) => d.message).join("; ")}`);
  return compiled;
}

export interface Logged {
  info: string[];
  warn: string[];
}

export function context(w: World, compiled: CompiledFlow, options: DeployOptions = {}, env: NodeJS.ProcessEnv = { KUBECONFIG: w.kubeconfig }): DeployContext & { logged: Logged } {
  const logged: Logged = { info: [], warn: [] };
  return { compiled, options, env, cwd: w.dir, log: { info: (l) => logged.info.push(l), warn: (l) => logged.warn.push(l) }, logged };
}

/** The argo target with retries that do not sleep, so fault tests stay fast. */
export function fastTarget(attempts = 6): DeployTarget {
  return createArgoTarget({ retry: { attempts, sleep: async () => {} } });
}

type Obj = Record<string, any>;

/** What a deploy leaves on the server, without what differs between two identical deploys (uids, times, versions). */
export function snapshot(double: K8sDouble): Obj[] {
  return ["WorkflowTemplate", "CronWorkflow", "Sensor"].flatMap((k) =>
    double.list(k, NS).map((o: Obj) => {
      const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, managedFields, ...meta } = o.metadata;
      return {
        ...o,
        metadata: { ...meta, managedFields: (managedFields ?? []).map(({ time: _t, ...m }: Obj) => m) },
      };
    }),
  );
}

/**
 * One Kubernetes double per test file, emptied before each test: the hooks every suite here needs.
 * The returned object forwards to the world the hooks start (it exists only once beforeAll ran).
 */
export function useWorld(): World {
  let world: World | undefined;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(() => world?.stop());
  beforeEach(() => {
    world!.double.clearStore();
    world!.double.reset();
  });
  return new Proxy({} as World, { get: (_, key) => (world as unknown as Record<PropertyKey, unknown>)[key] });
}
