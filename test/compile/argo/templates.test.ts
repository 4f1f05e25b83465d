import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseDocument, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfig, resolveEnv } from "../../../src/config/load.ts";
import { compileYaml, docsOf, ROOT, testEnv, yamlOf } from "./helpers.ts";
import { checkSchema } from "./schema.ts";

const FLOW = readFileSync(join(ROOT, "examples/train.yaml"), "utf8");

describe("GIVEN flowc's own templates/argo", () => {
  it("THEN every object gets them merged under it: security context, pod GC, history limits, managed-by", () => {
    const [wt, cron, sensor] = docsOf(compileYaml(FLOW));
    expect(wt!.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(wt!.spec.templateDefaults.container.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(cron!.spec.successfulJobsHistoryLimit).toBe(3);
    expect(sensor!.spec.template.securityContext.runAsNonRoot).toBe(true);
    for (const d of [wt, cron, sensor]) expect(d!.metadata.labels["app.kubernetes.io/managed-by"]).toBe("flowc");
  });
});

describe("GIVEN an organization's override folder in flowc.config.yaml", () => {
  const dir = mkdtempSync(join(tmpdir(), "flowc-argo-templates-"));
  mkdirSync(join(dir, "org/argo"), { recursive: true });
  writeFileSync(
    join(dir, "org/argo/workflow-template.yaml"),
    stringify({ spec: { entrypoint: "not-this", priority: 7, podGC: { strategy: "OnWorkflowSuccess" }, templateDefaults: { container: { imagePullPolicy: "Always" } } } }),
  );
  writeFileSync(join(dir, "org/argo/object.yaml"), stringify({ metadata: { labels: { "acme.com/cost-center": "ml" } } }));
  writeFileSync(
    join(dir, "flowc.config.yaml"),
    stringify({ templates: "org", environments: { prod: { datastore: "s3://acme-flowc/prod", image: "img:1", argo: { namespace: "ml-prod" } } } }),
  );
  const { env } = resolveEnv(loadConfig(join(dir, "flowc.config.yaml")), "prod");

  it("WHEN compiled THEN its files replace flowc's by name and change the output, while flowc's own values win", () => {
    const docs = docsOf(compileYaml(FLOW, env!));
    const wt = docs[0]!;
    expect(wt.spec.priority).toBe(7);
    expect(wt.spec.podGC).toEqual({ strategy: "OnWorkflowSuccess" });
    expect(wt.spec.entrypoint).toBe("main");
    // The override replaced flowc's workflow-template.yaml, so its security context is gone with it.
    expect(wt.spec.securityContext).toBeUndefined();
    expect(wt.spec.templateDefaults.container).toMatchObject({ name: "main", imagePullPolicy: "Always" });
    for (const d of docs) expect(d.metadata.labels["acme.com/cost-center"]).toBe("ml");
    for (const d of docs) expect(checkSchema(d).problems).toEqual([]);
    expect(yamlOf(compileYaml(FLOW, env!))).not.toBe(yamlOf(compileYaml(FLOW, testEnv({}, { namespace: "ml-prod" }))));
  });
});

describe("GIVEN the same flow with its YAML keys in another order", () => {
  it("WHEN compiled THEN the bytes are identical", () => {
    const doc = parseDocument(FLOW);
    const shuffle = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(shuffle);
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, shuffle(x)]));
      return v;
    };
    const reordered = stringify(shuffle(doc.toJS()));
    expect(reordered).not.toBe(FLOW);
    expect(parse(reordered)).toEqual(parse(FLOW));
    expect(yamlOf(compileYaml(reordered))).toBe(yamlOf(compileYaml(FLOW)));
  });
});
