import { describe, expect, it } from "vitest";
import { decodeArgoParams, encodeParamValue } from "../../../src/contract/params.ts";
import { workflowArguments } from "../../../src/compile/argo/params.ts";
import type { JsonValue, ParameterIR } from "../../../src/flow/ir.ts";
import { compileYaml, docsOf, flowFromYaml, templateOf, type Obj } from "./helpers.ts";
import { goJsonMarshal, mergeArguments, substituteGlobals } from "./sim/substitute.ts";

/**
 * Round trip: a value is declared as a default or typed by a user at `argo submit -p name=value`,
 * Argo substitutes it into the pod, and `flowc step` decodes what it receives. What arrives must be
 * exactly the value, typed: no extra quotes, no "null", empty values as given.
 */
const FLOW = `apiVersion: flowc/v1
name: params
parameters:
  s: { type: string, default: "plain" }
  quoted: { type: string, default: "say \\"hi\\" to 'them' \\\\ back" }
  multi: { type: string, default: "line 1\\nline 2\\ttab" }
  unicode: { type: string, default: "ü € 😀 <b>&amp;</b>" }
  braces: { type: string, default: "{{workflow.name}} $(whoami) \`id\`" }
  nullword: { type: string, default: "null" }
  empty: { type: string, default: "" }
  yes: { type: string, default: "yes" }
  numstr: { type: string, default: "007" }
  n: { type: number, default: 0.5 }
  neg: { type: number, default: -12.25e3 }
  big: { type: integer, default: 9007199254740991 }
  zero: { type: integer, default: 0 }
  t: { type: boolean, default: true }
  f: { type: boolean, default: false }
  obj: { type: json, default: { a: [1, "two", null, { b: "c\\"d" }] } }
  arr: { type: json, default: [] }
  jstr: { type: json, default: "just a string" }
  optional: { type: string }
  optnum: { type: number }
  required: { type: string, required: true }
steps:
  start: { command: [a], next: end }
  end: { command: [b] }
`;

/** What a pod of this WorkflowTemplate receives in FLOWC_PARAMS after Argo's substitution, decoded by flowc step. */
function received(wt: Obj, submitted: Record<string, string>, declared: ParameterIR[]) {
  const args = mergeArguments(wt.spec.arguments.parameters, submitted);
  const step = { ...templateOf(wt, wt.spec.templates.find((t: Obj) => t.container).name)!, defaults: wt.spec.templateDefaults };
  const pod = substituteGlobals(step, { "workflow.parameters.json": goJsonMarshal(args), "workflow.name": "run-1" });
  const raw = pod.defaults.container.env.find((e: Obj) => e.name === "FLOWC_PARAMS").value as string;
  return decodeArgoParams(raw, declared);
}

describe("GIVEN a flow with parameters of every type, including awkward strings", () => {
  const r = compileYaml(FLOW);
  const wt = docsOf(r)[0]!;
  const declared = flowFromYaml(FLOW).ir.parameters;

  it("THEN the workflow arguments hold the defaults as a person would type them, required ones with no value", () => {
    const args = Object.fromEntries((wt.spec.arguments.parameters as Obj[]).map((p) => [p.name, p.value]));
    expect(args).toMatchObject({ s: "plain", n: "0.5", neg: "-12250", big: "9007199254740991", t: "true", f: "false", empty: "", nullword: "null", jstr: '"just a string"', arr: "[]", optional: "" });
    expect(args.required).toBeUndefined();
    expect((wt.spec.arguments.parameters as Obj[]).find((p) => p.name === "t")!.enum).toEqual(["true", "false"]);
  });

  it("THEN every task gets all parameters as one variable Argo encodes itself, never spliced into a command", () => {
    expect(wt.spec.templateDefaults.container.env).toContainEqual({ name: "FLOWC_PARAMS", value: "{{workflow.parameters.json}}" });
    expect(JSON.stringify(wt.spec.templates)).not.toContain("workflow.parameters");
  });

  it("WHEN a run takes the defaults (and the required value) THEN flowc step receives each value exactly, typed", () => {
    const got = received(wt, { required: "2024-01-01" }, declared);
    expect(got.errors).toEqual([]);
    expect(got.values).toEqual({
      s: "plain",
      quoted: "say \"hi\" to 'them' \\ back",
      multi: "line 1\nline 2\ttab",
      unicode: "ü € 😀 <b>&amp;</b>",
      braces: "{{workflow.name}} $(whoami) `id`",
      nullword: "null",
      empty: "",
      yes: "yes",
      numstr: "007",
      n: 0.5,
      neg: -12250,
      big: 9007199254740991,
      zero: 0,
      t: true,
      f: false,
      obj: { a: [1, "two", null, { b: 'c"d' }] },
      arr: [],
      jstr: "just a string",
      required: "2024-01-01",
    });
    // Optional parameters without a default are absent: not "", not "null".
    expect("optional" in got.values || "optnum" in got.values).toBe(false);
  });

  it("WHEN a user submits values with -p THEN each arrives as given", () => {
    const submitted: Record<string, string> = {
      s: "",
      quoted: '"quoted"',
      n: "1e-7",
      big: "-3",
      t: "false",
      obj: '{"x": {"y": [true, null]}}',
      jstr: "null",
      optional: "now given",
      optnum: "42",
      required: "  spaced  ",
      nullword: "None",
    };
    const got = received(wt, submitted, declared);
    expect(got.errors).toEqual([]);
    expect(got.values).toMatchObject({ s: "", quoted: '"quoted"', n: 1e-7, big: -3, t: false, obj: { x: { y: [true, null] } }, jstr: null, optional: "now given", optnum: 42, required: "  spaced  ", nullword: "None" });
  });

  it("WHEN a value does not parse as its type THEN flowc step gets an error naming the parameter, not a guess", () => {
    const got = received(wt, { required: "x", n: "0x10", zero: "1.5", t: "True", obj: "{nope" }, declared);
    expect(got.errors).toHaveLength(4);
    for (const m of ["`n` is of type number", "`zero` is of type integer", "`t` is of type boolean", "`obj` is of type json"]) expect(got.errors.join("\n")).toContain(m);
  });
});

describe("GIVEN values of every kind", () => {
  const cases: [JsonValue, ParameterIR["type"]][] = [["", "string"], ["a b", "string"], ["null", "string"], [0, "number"], [-1.5, "number"], [3, "integer"], [true, "boolean"], [false, "boolean"], [null, "json"], [{ k: ["v"] }, "json"], ["s", "json"], [1, "json"]];
  it.each(cases)("WHEN %j of type %s is encoded as an argument and decoded THEN it comes back unchanged", (v, type) => {
    const p: ParameterIR = { name: "p", type, required: true };
    const raw = encodeParamValue(v, type);
    expect(decodeArgoParams(JSON.stringify([{ name: "p", value: raw }]), [p]).values).toEqual({ p: v });
  });

  it("WHEN FLOWC_PARAMS is already a typed object (Step Functions, flowc run) THEN it passes through", () => {
    expect(decodeArgoParams('{"a":1,"b":"x"}', [])).toEqual({ values: { a: 1, b: "x" }, errors: [] });
  });

  it("WHEN the flow has no parameters THEN the template still declares the run context, so {{workflow.parameters.json}} exists for every task", () => {
    const wt = docsOf(compileYaml("apiVersion: flowc/v1\nname: np\nsteps:\n  start: { command: [a], next: end }\n  end: { command: [b] }\n"))[0]!;
    expect(wt.spec.templateDefaults.container.env).toContainEqual({ name: "FLOWC_PARAMS", value: "{{workflow.parameters.json}}" });
    expect(wt.spec.arguments.parameters.map((p: { name: string }) => p.name)).toEqual(["_flowc"]);
  });

  it("THEN workflowArguments lists each parameter once, in the IR's (sorted) order, then the run context (empty: a run started by hand)", () => {
    const args = workflowArguments([{ name: "a", type: "boolean", required: false }]);
    expect(args.map((p) => p.name)).toEqual(["a", "_flowc"]);
    expect(args[0]!.enum).toEqual(["", "true", "false"]);
    expect(args[1]!.value).toBe("");
  });
});
