// Validation of stored bodies for the Kubernetes API double.
//
// Argo Workflows kinds are validated with @kubernetes-models/argo-workflows (vendored:
// vendor/argo-workflows.js, see scripts/vendor-argo-models.mjs for why). Its
// validators are ajv "standalone" code compiled from the Argo v4 OpenAPI schema and
// do not reject unknown fields; the JSON schema itself is not shipped in the package.
// Unknown fields are found by running the package's own validator over a tree of
// Proxies and recording which members it reads: a compiled validator reads every
// declared property of an object it validates (`data.x !== undefined`), enumerates
// the keys of maps (additionalProperties), and never touches free-form values. So an
// object whose members the validator read, but not all of them, has unknown fields.
//
// Sensors (Argo Events) have no model package; they are validated with ajv against
// test/k8s/sensor.schema.json, plus the cross-field checks the Sensor controller does.

import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { CronWorkflow, Workflow, WorkflowTemplate } from "./vendor/argo-workflows.js";
import { isObject, type JsonObject } from "./json.ts";
import { labelKeyError, labelValueError } from "./labels.ts";

export interface Cause {
  reason: string;
  message: string;
  field: string;
}

export interface TypeMismatch {
  field: string;
  expected: string;
  actual: unknown;
}

export interface ValidationResult {
  /** Schema violations other than unknown fields (the API server answers 422 Invalid). */
  causes: Cause[];
  /** Fields not declared in the schema, as `spec.templates[0].foo`. */
  unknown: string[];
  /** Scalar/object type mismatches (a subset of `causes`): server-side apply fails on these before validation. */
  typeMismatches: TypeMismatch[];
}

type Seg = string | number;

/** `spec.templates[0].name` */
export function fieldPath(segs: Seg[]): string {
  let out = "";
  for (const s of segs) {
    if (typeof s === "number") out += `[${s}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return out;
}

/** ajv instancePath -> segments, using the data to tell list indexes from keys. */
function instanceSegs(instancePath: string, data: unknown): Seg[] {
  if (instancePath === "") return [];
  const segs: Seg[] = [];
  let cur: unknown = data;
  for (const raw of instancePath.slice(1).split("/")) {
    const s = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur) && /^\d+$/.test(s)) {
      segs.push(Number(s));
      cur = cur[Number(s)];
    } else {
      segs.push(s);
      cur = isObject(cur) ? cur[s] : undefined;
    }
  }
  return segs;
}

function valueAt(data: unknown, segs: Seg[]): unknown {
  let cur = data;
  for (const s of segs) {
    if (Array.isArray(cur) && typeof s === "number") cur = cur[s];
    else if (isObject(cur) && typeof s === "string") cur = cur[s];
    else return undefined;
  }
  return cur;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function quote(v: unknown): string {
  return JSON.stringify(v) ?? "null";
}

/** Renders an ajv error the way CRD schema validation words it. */
function toCause(err: ErrorObject, data: unknown, prefix: Seg[] = []): { cause: Cause; mismatch?: TypeMismatch } {
  const segs = [...prefix, ...instanceSegs(err.instancePath, data)];
  const value = valueAt(data, instanceSegs(err.instancePath, data));
  const params = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "required": {
      const field = fieldPath([...segs, String(params.missingProperty)]);
      return { cause: { reason: "FieldValueRequired", message: "Required value", field } };
    }
    case "type": {
      const field = fieldPath(segs);
      const actual = jsonType(value);
      const expected = String(params.type);
      return {
        cause: {
          reason: "FieldValueTypeInvalid",
          message: `Invalid value: "${actual}": ${field} in body must be of type ${expected}: "${actual}"`,
          field,
        },
        mismatch: { field, expected, actual: value },
      };
    }
    case "enum":
    case "const": {
      const allowed = (params.allowedValues as unknown[] | undefined) ?? [params.allowedValue];
      return {
        cause: {
          reason: "FieldValueNotSupported",
          message: `Unsupported value: ${quote(value)}: supported values: ${allowed.map(quote).join(", ")}`,
          field: fieldPath(segs),
        },
      };
    }
    case "format": {
      const field = fieldPath(segs);
      return {
        cause: {
          reason: "FieldValueInvalid",
          message: `Invalid value: ${quote(value)}: ${field} in body must be of type ${String(params.format)}: ${quote(value)}`,
          field,
        },
      };
    }
    default: {
      const field = fieldPath(segs);
      return {
        cause: {
          reason: "FieldValueInvalid",
          message: `Invalid value: ${quote(value)}: ${field} in body ${err.message ?? err.keyword}`,
          field,
        },
      };
    }
  }
}

// ---------------------------------------------------------------------------
// Argo Workflows kinds

interface Tracked {
  segs: Seg[];
  target: Record<string, unknown>;
  read: Set<string>;
  enumerated: boolean;
  touched: boolean;
}

function track(v: unknown, segs: Seg[], records: Tracked[]): unknown {
  if (Array.isArray(v)) return v.map((x, i) => track(x, [...segs, i], records));
  if (!isObject(v)) return v;
  const target: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) target[k] = track(x, [...segs, k], records);
  const rec: Tracked = { segs, target, read: new Set(), enumerated: false, touched: false };
  records.push(rec);
  const note = (k: string | symbol) => {
    rec.touched = true;
    if (typeof k === "string") rec.read.add(k);
  };
  return new Proxy(target, {
    get(t, k, r) {
      note(k);
      return Reflect.get(t, k, r);
    },
    has(t, k) {
      note(k);
      return Reflect.has(t, k);
    },
    getOwnPropertyDescriptor(t, k) {
      note(k);
      return Reflect.getOwnPropertyDescriptor(t, k);
    },
    ownKeys(t) {
      rec.touched = true;
      rec.enumerated = true;
      return Reflect.ownKeys(t);
    },
  });
}

/**
 * Properties the compiled validators never read even though the schema declares them
 * (ajv skips always-valid property schemas). Keyed by properties the same validator
 * does read, so the allowance only applies to objects of that type. Verified by
 * double.test.ts ("GIVEN the Parameter validator ...").
 */
export const UNREAD_DECLARED_PROPERTIES: { whenRead: string[]; allow: string[] }[] = [
  { whenRead: ["name", "default", "enum", "globalName", "value", "valueFrom"], allow: ["description"] },
];

type ValidateMethod = (this: unknown) => void;

const ARGO_MODELS: Record<string, ValidateMethod> = {
  WorkflowTemplate: WorkflowTemplate.prototype.validate as ValidateMethod,
  CronWorkflow: CronWorkflow.prototype.validate as ValidateMethod,
  Workflow: Workflow.prototype.validate as ValidateMethod,
};

/** Runs a @kubernetes-models validate() method over a tracked copy of `obj`. */
export function runTrackedValidator(
  validate: ValidateMethod,
  obj: JsonObject,
): { errors: ErrorObject[]; unknown: Seg[][] } {
  const records: Tracked[] = [];
  const proxy = track(obj, [], records);
  let errors: ErrorObject[] = [];
  try {
    validate.call(proxy);
  } catch (e) {
    const errs = (e as { errors?: ErrorObject[] }).errors;
    if (!Array.isArray(errs)) throw e;
    errors = errs;
  }
  const unknown: Seg[][] = [];
  for (const r of records) {
    if (!r.touched || r.enumerated) continue; // free-form value, or a map
    const allowed = new Set(r.read);
    for (const rule of UNREAD_DECLARED_PROPERTIES) {
      if (rule.whenRead.every((p) => r.read.has(p))) for (const a of rule.allow) allowed.add(a);
    }
    for (const k of Object.keys(r.target)) if (!allowed.has(k)) unknown.push([...r.segs, k]);
  }
  return { errors, unknown };
}

function validateArgo(kind: string, obj: JsonObject, prefix: Seg[] = []): ValidationResult {
  const method = ARGO_MODELS[kind];
  if (!method) throw new Error(`no model for ${kind}`);
  const { errors, unknown } = runTrackedValidator(method, obj);
  const result: ValidationResult = { causes: [], unknown: unknown.map((s) => fieldPath([...prefix, ...s])), typeMismatches: [] };
  for (const err of errors) {
    const { cause, mismatch } = toCause(err, obj, prefix);
    if (!result.causes.some((c) => c.field === cause.field && c.message === cause.message)) result.causes.push(cause);
    if (mismatch) result.typeMismatches.push(mismatch);
  }
  return result;
}

// ---------------------------------------------------------------------------
// Sensor (Argo Events)

let sensorValidator: ValidateFunction | undefined;

export function sensorSchema(): JsonObject {
  return JSON.parse(readFileSync(new URL("./sensor.schema.json", import.meta.url), "utf8")) as JsonObject;
}

function compileSensor(): ValidateFunction {
  sensorValidator ??= new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(sensorSchema());
  return sensorValidator;
}

const TRIGGER_TYPES = [
  "k8s",
  "argoWorkflow",
  "http",
  "awsLambda",
  "custom",
  "kafka",
  "nats",
  "slack",
  "openWhisk",
  "log",
  "azureEventHubs",
  "pulsar",
  "azureServiceBus",
  "email",
];

const ARTIFACT_LOCATIONS = ["s3", "inline", "file", "url", "configmap", "git", "resource"];

function validateSensor(obj: JsonObject): ValidationResult {
  const validate = compileSensor();
  const result: ValidationResult = { causes: [], unknown: [], typeMismatches: [] };
  if (!validate(obj)) {
    for (const err of validate.errors ?? []) {
      if (err.keyword === "additionalProperties") {
        const segs = instanceSegs(err.instancePath, obj);
        result.unknown.push(fieldPath([...segs, String((err.params as { additionalProperty: string }).additionalProperty)]));
        continue;
      }
      if (err.keyword === "if") continue;
      const { cause, mismatch } = toCause(err, obj);
      if (!result.causes.some((c) => c.field === cause.field && c.message === cause.message)) result.causes.push(cause);
      if (mismatch) result.typeMismatches.push(mismatch);
    }
  }
  if (result.causes.length === 0 && result.unknown.length === 0) sensorSemantics(obj, result);
  return result;
}

/** The cross-field checks Argo Events' sensor controller makes (ValidateSensor). */
function sensorSemantics(obj: JsonObject, result: ValidationResult): void {
  const spec = obj.spec as JsonObject;
  const deps = (spec.dependencies as JsonObject[]) ?? [];
  const triggers = (spec.triggers as JsonObject[]) ?? [];
  const invalid = (field: string, value: unknown, detail: string) =>
    result.causes.push({ reason: "FieldValueInvalid", field, message: `Invalid value: ${quote(value)}: ${detail}` });
  const depNames = new Set<string>();
  deps.forEach((d, i) => {
    const name = d.name as string;
    if (depNames.has(name)) {
      result.causes.push({ reason: "FieldValueDuplicate", field: `spec.dependencies[${i}].name`, message: `Duplicate value: ${quote(name)}` });
    }
    depNames.add(name);
  });
  const checkParams = (params: unknown, base: string) => {
    if (!Array.isArray(params)) return;
    params.forEach((p, i) => {
      const dep = isObject(p) && isObject(p.src) ? p.src.dependencyName : undefined;
      if (typeof dep === "string" && !depNames.has(dep)) {
        invalid(`${base}[${i}].src.dependencyName`, dep, "dependency is not defined in spec.dependencies");
      }
    });
  };
  const triggerNames = new Set<string>();
  const checkTrigger = (t: JsonObject, baseSegs: Seg[]) => {
    const base = fieldPath(baseSegs);
    const tpl = t.template as JsonObject;
    const name = tpl.name as string;
    const types = TRIGGER_TYPES.filter((k) => tpl[k] !== undefined);
    if (types.length !== 1) {
      invalid(`${base}.template`, types, "exactly one trigger type must be defined (e.g. argoWorkflow, k8s, http)");
    }
    checkParams(t.parameters, `${base}.parameters`);
    for (const type of types) {
      const spec = tpl[type];
      if (!isObject(spec)) continue;
      checkParams(spec.parameters, `${base}.template.${type}.parameters`);
      checkParams(spec.payload, `${base}.template.${type}.payload`);
      if (type !== "argoWorkflow" && type !== "k8s") continue;
      const op = spec.operation ?? (type === "k8s" ? "create" : "submit");
      const source = spec.source;
      if ((type === "k8s" || op === "submit") && source === undefined) {
        result.causes.push({ reason: "FieldValueRequired", field: `${base}.template.${type}.source`, message: "Required value" });
      }
      if (!isObject(source)) continue;
      const locations = ARTIFACT_LOCATIONS.filter((l) => source[l] !== undefined);
      if (locations.length !== 1) {
        invalid(`${base}.template.${type}.source`, locations, "exactly one source location must be defined");
      }
      const resource = source.resource;
      if (isObject(resource) && resource.kind === "Workflow") {
        // Stricter than Argo Events: the embedded Workflow is checked against the Workflow schema.
        const inner = validateArgo("Workflow", resource, [...baseSegs, "template", type, "source", "resource"]);
        result.causes.push(...inner.causes);
        result.unknown.push(...inner.unknown);
        result.typeMismatches.push(...inner.typeMismatches);
      }
    }
    if (isObject(t.dlqTrigger)) checkTrigger(t.dlqTrigger, [...baseSegs, "dlqTrigger"]);
    return name;
  };
  triggers.forEach((t, i) => {
    const name = checkTrigger(t, ["spec", "triggers", i]);
    if (triggerNames.has(name)) {
      result.causes.push({ reason: "FieldValueDuplicate", field: `spec.triggers[${i}].template.name`, message: `Duplicate value: ${quote(name)}` });
    }
    triggerNames.add(name);
  });
}

// ---------------------------------------------------------------------------

/** Schema validation of a whole object of one of the served kinds. */
export function validateObject(kind: string, obj: JsonObject): ValidationResult {
  return kind === "Sensor" ? validateSensor(obj) : validateArgo(kind, obj);
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

export function nameError(name: string): string | undefined {
  if (name.length > 253) return "must be no more than 253 characters";
  if (!DNS1123_SUBDOMAIN.test(name)) return SUBDOMAIN_MSG;
  return undefined;
}

export function namespaceError(ns: string): string | undefined {
  if (ns.length > 63 || !DNS1123_LABEL.test(ns)) {
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  }
  return undefined;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** ObjectMeta validation (name, labels, annotations), as apimachinery's ValidateObjectMeta. */
export function validateMetadata(meta: JsonObject): Cause[] {
  const causes: Cause[] = [];
  const name = meta.name;
  if (typeof name !== "string" || name === "") {
    causes.push({ reason: "FieldValueRequired", field: "metadata.name", message: "Required value: name or generateName is required" });
  } else {
    const err = nameError(name);
    if (err) causes.push({ reason: "FieldValueInvalid", field: "metadata.name", message: `Invalid value: ${quote(name)}: ${err}` });
  }
  const labels = meta.labels;
  if (isObject(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      const kerr = labelKeyError(k);
      if (kerr) causes.push({ reason: "FieldValueInvalid", field: "metadata.labels", message: `Invalid value: ${quote(k)}: ${kerr}` });
      if (typeof v === "string") {
        const verr = labelValueError(v);
        if (verr) causes.push({ reason: "FieldValueInvalid", field: "metadata.labels", message: `Invalid value: ${quote(v)}: ${verr}` });
      }
    }
  }
  const annotations = meta.annotations;
  if (isObject(annotations)) {
    let size = 0;
    for (const [k, v] of Object.entries(annotations)) {
      const kerr = labelKeyError(k.toLowerCase());
      if (kerr) causes.push({ reason: "FieldValueInvalid", field: "metadata.annotations", message: `Invalid value: ${quote(k)}: ${kerr}` });
      size += k.length + (typeof v === "string" ? v.length : 0);
    }
    if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
      causes.push({
        reason: "FieldValueTooLong",
        field: "metadata.annotations",
        message: `Too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`,
      });
    }
  }
  return causes;
}

/** Removes the given unknown fields (k8s path notation) from a copy of `obj`. */
export function pruneFields(obj: JsonObject, fields: string[]): JsonObject {
  const out = JSON.parse(JSON.stringify(obj)) as JsonObject;
  for (const f of fields) {
    const segs: Seg[] = [];
    for (const m of f.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) segs.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
    const parent = valueAt(out, segs.slice(0, -1));
    const last = segs[segs.length - 1];
    if (isObject(parent) && typeof last === "string") delete parent[last];
  }
  return out;
}
