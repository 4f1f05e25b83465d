import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import jsyaml from "js-yaml";
import { lazy } from "../util/lazy.ts";
import { schemaValidator } from "../util/validators.ts";
import configSchema from "../../schemas/config.schema.json" with { type: "json" };
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { yamlLocator } from "../flow/load/yaml.ts";
import { packageRoot } from "../util/package-root.ts";
import { closest } from "../util/closest.ts";
import { checkSecretRef } from "../flow/secrets.ts";
import { locateInConfig } from "./locate.ts";
import { condenseSchemaErrors } from "../util/schema-errors.ts";
import { patternProblem } from "./pattern-problems.ts";
import { patternWords } from "./patterns.ts";
import type { EnvConfig, NotifyConfig, NotifyLists, NotifyTarget, PolicyConfig } from "./types.ts";

export const DEFAULT_CONFIG_FILE = "flowc.config.yaml";

const yamlLib = lazy<typeof import("yaml")>("yaml");


export interface LoadedConfig {
  file: string;
  text: string;
  raw?: Record<string, unknown>;
  diagnostics: Diagnostic[];
}

/** Reads and checks flowc.config.yaml against schemas/config.schema.json. */
export function loadConfig(file: string): LoadedConfig {
  const diag = (message: string, hint: string, start = { line: 1, col: 1 }): Diagnostic => ({ code: "CONFIG_INVALID", severity: "error", message, hint, file, start });
  if (!existsSync(file))
    return { file, text: "", diagnostics: [diag(`no configuration file ${file}`, `create ${DEFAULT_CONFIG_FILE} (see docs/configuration.md) or pass --config PATH`)] };
  const text = readFileSync(file, "utf8");
  // Fast path: js-yaml. The `yaml` document with source ranges is only built to report a problem.
  let raw: Record<string, unknown> | undefined;
  try {
    raw = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }) as Record<string, unknown>;
  } catch {
    raw = undefined;
  }
  const validate = schemaValidator("config", configSchema);
  if (raw !== undefined && validate(raw)) return { file, text, raw, diagnostics: [] };
  const Y = yamlLib();
  const lineCounter = new Y.LineCounter();
  const doc = Y.parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const pos = (o: number) => lineCounter.linePos(o);
  if (doc.errors.length)
    return { file, text, diagnostics: doc.errors.map((e) => diag(e.message.split("\n")[0]!, "fix the YAML syntax", pos(e.pos[0]))) };
  raw = doc.toJS() as Record<string, unknown>;
  const locator = yamlLocator(doc.contents, pos);
  validate(raw);
  // One line per mistake: an invalid key's vaguer "property name must be valid" twin and the branches of
  // a oneOf the value was not meant to match are left out (the same condensing as flow files).
  const diagnostics = condenseSchemaErrors(validate.errors ?? []).map((e) => {
    const path = e.instancePath.split("/").slice(1);
    if (e.propertyName !== undefined) return { ...diag(`${path.at(-1) === "environments" ? "environment name" : "key"} \`${e.propertyName}\` is not valid: ${e.keyword === "pattern" ? `use ${patternWords(e.params.pattern)}` : e.message}`, "rename it (flows and generated names use it)"), ...locator.locate([...path, e.propertyName], "key") };
    if (e.keyword === "pattern") {
      // Some values need more than the pattern in words (a log group ARN's `:*`).
      const explained = patternProblem(path, e.data);
      return { ...diag(explained?.message ?? `\`${path.join(".")}\` is ${JSON.stringify(e.data)}, which is not ${patternWords(e.params.pattern)}`, explained?.hint ?? "see schemas/config.schema.json"), ...locator.locate(path, "value") };
    }
    const extra = e.keyword === "additionalProperties" ? String(e.params.additionalProperty) : undefined;
    const span = locator.locate(extra ? [...path, extra] : path, extra ? "key" : "value");
    const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
    const guess = extra ? closest(extra, allowed) : undefined;
    return {
      code: "CONFIG_INVALID" as const,
      severity: "error" as const,
      message: (extra ? `unknown key \`${extra}\` in \`${path.join(".") || "the configuration"}\`` : `\`${path.join(".") || "the configuration"}\` ${e.message}`),
      hint: (guess ? `did you mean \`${guess}\`?` : e.keyword === "not" ? "choose one compute backend: batch or ecs" : "see schemas/config.schema.json"),
      file,
      ...span,
    };
  });
  return { file, text, raw, diagnostics };
}

const lineOf = (text: string, re: RegExp): number => {
  const m = re.exec(text);
  return m ? text.slice(0, m.index).split("\n").length : 1;
};

/** The named environment with defaults applied, or a diagnostic naming the environments there are. */
export function resolveEnv(loaded: LoadedConfig, env: string): { env?: EnvConfig; diagnostics: Diagnostic[] } {
  if (!loaded.raw || loaded.diagnostics.length) return { diagnostics: loaded.diagnostics };
  const envs = loaded.raw.environments as Record<string, Record<string, any>>;
  const e = envs[env];
  if (!e) {
    const names = Object.keys(envs);
    return {
      diagnostics: [
        {
          code: "CONFIG_ENV_UNKNOWN",
          severity: "error",
          message: `no environment \`${env}\` in ${loaded.file}`,
          hint: `known environments: ${names.join(", ")}${closest(env, names) ? ` (did you mean \`${closest(env, names)}\`?)` : ""}`,
          file: loaded.file,
          // At the list of environments, where the missing one would go.
          start: { line: lineOf(loaded.text, /^environments\s*:/m), col: 1 },
        },
      ],
    };
  }
  const base = dirname(resolve(loaded.file));
  const overrideDirs = [loaded.raw.templates, e.templates].filter((d): d is string => typeof d === "string").map((d) => resolve(base, d));
  const s = e.sfn;
  const a = e.argo;
  const n = e.notify;
  const sortRec = (o: Record<string, string> | undefined) => Object.fromEntries(Object.entries(o ?? {}).sort(([x], [y]) => x.localeCompare(y)));
  const problems = envValueProblems(loaded, env, e);
  if (problems.length) return { diagnostics: problems };
  return {
    diagnostics: [],
    env: {
      name: env,
      datastore: e.datastore,
      ...(e.image ? { image: e.image } : {}),
      tags: sortRec(e.tags),
      templates: readTemplates(overrideDirs),
      ...(n ? { notify: notifyConfig(n) } : {}),
      ...(e.secrets ? { secrets: Object.fromEntries(Object.keys(e.secrets).sort().map((k) => [k, e.secrets[k]])) } : {}),
      ...(e.policy ? { policy: { ...(e.policy as Omit<PolicyConfig, "enforcement">), enforcement: e.policy.enforcement ?? "error" } } : {}),
      ...(s
        ? {
            sfn: {
              region: s.region,
              account: s.account,
              partition: s.partition ?? "aws",
              ...(s.stateMachineName ? { stateMachineName: s.stateMachineName } : {}),
              stateMachineRoleArn: s.stateMachineRoleArn,
              ...(s.schedulerRoleArn ? { schedulerRoleArn: s.schedulerRoleArn } : {}),
              ...(s.eventsRoleArn ? { eventsRoleArn: s.eventsRoleArn } : {}),
              scheduleGroup: s.scheduleGroup ?? "default",
              compute: s.ecs
                ? {
                    kind: "ecs",
                    cluster: s.ecs.cluster,
                    taskDefinition: s.ecs.taskDefinition,
                    containerName: s.ecs.containerName ?? "flowc",
                    launchType: s.ecs.launchType ?? "FARGATE",
                    subnets: s.ecs.subnets ?? [],
                    securityGroups: s.ecs.securityGroups ?? [],
                    assignPublicIp: s.ecs.assignPublicIp ?? false,
                  }
                : { kind: "batch", jobQueue: s.batch?.jobQueue ?? "flowc", jobDefinition: s.batch?.jobDefinition ?? "flowc" },
              foreach: { mode: s.foreach?.mode ?? "distributed", ...(s.foreach?.maxConcurrency !== undefined ? { maxConcurrency: s.foreach.maxConcurrency } : {}), ...(s.foreach?.toleratedFailurePercentage !== undefined ? { toleratedFailurePercentage: s.foreach.toleratedFailurePercentage } : {}) },
              ...(s.logging ? { logging: { logGroupArn: s.logging.logGroupArn, level: s.logging.level ?? "ERROR", includeExecutionData: s.logging.includeExecutionData ?? false } } : {}),
              tracing: s.tracing ?? false,
              ...(s.maxDefinitionBytes !== undefined ? { maxDefinitionBytes: s.maxDefinitionBytes } : {}),
              ...(s.consoleUrl ? { consoleUrl: s.consoleUrl } : {}),
            },
          }
        : {}),
      ...(a
        ? {
            argo: {
              namespace: a.namespace,
              ...(a.serviceAccount ? { serviceAccount: a.serviceAccount } : {}),
              imagePullSecrets: a.imagePullSecrets ?? [],
              nodeSelector: sortRec(a.nodeSelector),
              tolerations: a.tolerations ?? [],
              labels: sortRec(a.labels),
              annotations: sortRec(a.annotations),
              ...(a.eventBus ? { eventBus: a.eventBus } : {}),
              ...(a.eventSource ? { eventSource: a.eventSource } : {}),
              ...(a.workflowEventSource ? { workflowEventSource: a.workflowEventSource } : {}),
              ...(a.uiUrl ? { uiUrl: a.uiUrl } : {}),
              ...(a.context ? { context: a.context } : {}),
              ...(a.controllerNamespace ? { controllerNamespace: a.controllerNamespace } : {}),
            },
          }
        : {}),
    },
  };
}

type RawTarget = { sns?: string; webhook?: string | { url?: string; secret?: string } };
type RawLists = { onFailure?: RawTarget[]; onSuccess?: RawTarget[] };

/** `notify:` as the schema admits it, as targets. */
function notifyConfig(n: RawLists & { flows?: Record<string, RawLists> }): NotifyConfig {
  const target = (t: RawTarget): NotifyTarget => {
    if (t.sns) return { kind: "sns", topicArn: t.sns };
    const w = typeof t.webhook === "string" ? { url: t.webhook } : (t.webhook ?? {});
    if (w.secret) {
      const [name, key] = w.secret.split("/") as [string, string];
      return { kind: "webhook", secret: { name, key } };
    }
    return { kind: "webhook", url: w.url ?? "" };
  };
  const lists = (l: RawLists): Partial<NotifyLists> => ({ ...(l.onFailure ? { onFailure: l.onFailure.map(target) } : {}), ...(l.onSuccess ? { onSuccess: l.onSuccess.map(target) } : {}) });
  return {
    onFailure: (n.onFailure ?? []).map(target),
    onSuccess: (n.onSuccess ?? []).map(target),
    flows: Object.fromEntries(Object.entries(n.flows ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([f, l]) => [f, lists(l)])),
  };
}

/** Values of an environment the schema cannot check: secret references and the policy's patterns. */
function envValueProblems(loaded: LoadedConfig, env: string, e: Record<string, any>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: (string | number)[], message: string, hint: string) =>
    out.push({ code: "CONFIG_INVALID", severity: "error", message, hint, file: loaded.file, ...locateInConfig(loaded, ["environments", env, ...path], "value") });
  for (const [name, ref] of Object.entries((e.secrets ?? {}) as Record<string, Record<string, unknown>>))
    for (const p of checkSecretRef(name, ref).filter((x) => x.field)) at(["secrets", name, p.field!], p.message.replace(/^secret/, "environment secret"), p.hint);
  for (const [tag, pattern] of Object.entries((e.policy?.tags?.values ?? {}) as Record<string, string>)) {
    try {
      new RegExp(pattern);
    } catch (err) {
      at(["policy", "tags", "values", tag], `policy.tags.values.${tag}: not a regular expression: ${(err as Error).message}`, "write a JavaScript regular expression, e.g. ^cc-[0-9]+$");
    }
  }
  return out;
}

/**
 * flowc's templates/ first, then each override folder on top (same relative file name wins). The
 * compilers receive parsed documents and never touch the filesystem.
 */
export function readTemplates(overrideDirs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const dir of [join(packageRoot(), "templates"), ...overrideDirs]) {
    if (!existsSync(dir)) continue;
    for (const file of walk(dir)) {
      const rel = relative(dir, file).split("\\").join("/");
      const text = readFileSync(file, "utf8");
      if (rel.endsWith(".json")) out[rel] = JSON.parse(text);
      else if (rel.endsWith(".yaml") || rel.endsWith(".yml")) out[rel] = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
      else out[rel] = text;
    }
  }
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
}
