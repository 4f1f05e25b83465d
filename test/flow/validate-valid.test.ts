import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFlow } from "../../src/flow/read.ts";
import { flowHash } from "../../src/flow/hash.ts";
import { loadYamlFlow } from "../../src/flow/load/yaml.ts";
import { validateFlow } from "../../src/flow/validate/index.ts";

const examples = join(import.meta.dirname, "../../examples");
const files = readdirSync(examples).filter((f) => /\.(ya?ml|ts)$/.test(f)).sort();

describe("GIVEN every example flow", () => {
  it.each(files)("WHEN %s is validated THEN it has no diagnostics and yields IR and a graph", async (f) => {
    const r = await readFlow(join(examples, f));
    expect(r.diagnostics).toEqual([]);
    expect(r.ir?.steps[0]?.name).toBe("start");
    expect(r.ir?.steps.at(-1)?.name).toBe("end");
    expect(r.graph?.order).toEqual(r.ir?.steps.map((s) => s.name));
  });
});

describe("GIVEN a YAML flow and the same flow with its keys reordered", () => {
  it("WHEN both are normalized THEN the IR and the content hash are identical", () => {
    const a = `apiVersion: flowc/v1
name: order
parameters: { b: { type: string, default: x }, a: { type: integer, required: true } }
defaults: { env: { Z: "1", A: "2" }, image: img }
steps:
  start: { command: [a], next: [left, right] }
  left: { command: [l], next: j }
  right: { command: [r], next: j }
  j: { join: true, command: [j], switch: { yes: end, no: other } }
  other: { command: [o], next: end }
  end: { command: [e] }
`;
    const b = `steps:
  end: { command: [e] }
  other: { next: end, command: [o] }
  j: { switch: { no: other, yes: end }, command: [j], join: true }
  right: { next: j, command: [r] }
  left: { next: j, command: [l] }
  start: { next: [left, right], command: [a] }
defaults: { image: img, env: { A: "2", Z: "1" } }
parameters: { a: { required: true, type: integer }, b: { default: x, type: string } }
name: order
apiVersion: flowc/v1
`;
    const ia = validateFlow(loadYamlFlow("a.yaml", a)).ir!;
    const ib = validateFlow(loadYamlFlow("b.yaml", b)).ir!;
    expect(ia).toEqual(ib);
    expect(JSON.stringify(ia)).toBe(JSON.stringify(ib));
    expect(flowHash(ia)).toBe(flowHash(ib));
  });
});

describe("GIVEN the YAML and TypeScript forms of the same shape", () => {
  it.each(["linear", "split", "foreach", "nested-foreach", "split-in-foreach", "switch"])(
    "WHEN %s is read in both forms THEN the graphs are the same",
    async (shape) => {
      const y = await readFlow(join(examples, `${shape}.yaml`));
      const t = await readFlow(join(examples, `${shape}.ts`));
      const shapeOf = (r: typeof y) => r.ir!.steps.map((s) => ({ name: s.name, join: s.join, transition: s.transition }));
      expect(shapeOf(t)).toEqual(shapeOf(y));
      expect(t.ir!.language).toBe("typescript");
      expect(t.ir!.steps.some((s) => s.action.kind === "function")).toBe(true);
    },
  );
});

describe("GIVEN the flow from the issue with every shape", () => {
  it("WHEN it is read THEN defaults are applied and units normalized", async () => {
    const r = await readFlow(join(examples, "train.yaml"));
    const fit = r.ir!.steps.find((s) => s.name === "fit")!;
    expect(fit.resources).toEqual({ cpu: 4, memoryMiB: 16384, gpu: 1 });
    expect(fit.timeoutSeconds).toBe(1800);
    expect(fit.env).toEqual({ LOG_LEVEL: "info" });
    const b = r.ir!.steps.find((s) => s.name === "b")!;
    expect(b.retry).toEqual({ times: 3, backoff: { delaySeconds: 1, factor: 2, maxDelaySeconds: 300, jitter: false }, onTimeout: false });
    const a = r.ir!.steps.find((s) => s.name === "a")!;
    expect(a.retry.times).toBe(1);
    expect(r.ir!.timeoutSeconds).toBe(12 * 3600);
    expect(r.ir!.schedule).toEqual({ cron: "0 6 * * 1-5", timezone: "Europe/Amsterdam", concurrency: "forbid", parameters: { day: "{date}" } });
    expect(r.ir!.parameters.map((p) => p.name)).toEqual(["alpha", "day"]);
    expect(r.graph!.nodes.get("merge")!.closes).toBe("start");
    expect(r.graph!.nodes.get("gather")!.closes).toBe("fan");
    expect(r.graph!.nodes.get("fit")!.foreachDepth).toBe(1);
    expect(r.ir!.steps.find((s) => s.name === "publish")!.catch).toBe(true);
  });
});
