import type { ErrorObject, ValidateFunction } from "ajv";
import { schemaValidator } from "../../util/validators.ts";
import flowSchema from "../../../schemas/flow.schema.json" with { type: "json" };
import type { Diagnostic, DiagnosticCode } from "../../diagnostics/diagnostic.ts";
import { makeDiagnostic, type DocPath, type LoadedFlow } from "../load/source.ts";
import { closest } from "../../util/closest.ts";
import { condenseSchemaErrors } from "../../util/schema-errors.ts";

function validator(): ValidateFunction {
  return schemaValidator("flow", flowSchema);
}

/** Pass 1: the document against schemas/flow.schema.json, as diagnostics in the user's file. */
export function checkSchema(loaded: LoadedFlow): Diagnostic[] {
  const validate = validator();
  if (validate(loaded.raw)) return [];
  return condenseSchemaErrors(validate.errors ?? []).map((e) => toDiagnostic(loaded, e));
}

function pathOf(instancePath: string): DocPath {
  if (instancePath === "") return [];
  return instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const DEF_CODES: Record<string, DiagnosticCode> = {
  duration: "INVALID_DURATION",
  memory: "INVALID_MEMORY",
  flowName: "INVALID_NAME",
  identifier: "INVALID_NAME",
  stepName: "INVALID_NAME",
};

const DEF_HINTS: Record<string, string> = {
  duration: "write a duration such as 30s, 10m, 1h, 2d or 1h30m",
  memory: "write a memory size in Mi or Gi, such as 512Mi or 2Gi",
  flowName: "use lowercase letters, digits, '-' and '_', starting with a letter (at most 48 characters)",
  identifier: "use lowercase letters, digits and '_', starting with a letter (at most 40 characters)",
  stepName: "use lowercase letters, digits, '-' and '_', starting with a letter (at most 40 characters)",
};

function toDiagnostic(loaded: LoadedFlow, e: ErrorObject): Diagnostic {
  const path = pathOf(e.instancePath);
  const where = path.length ? `\`${path.join(".")}\`` : "the flow";
  const def = /#\/definitions\/(\w+)\//.exec(e.schemaPath)?.[1] ?? "";
  const last = path.at(-1);

  if (e.propertyName !== undefined) {
    const keyPath = [...path, e.propertyName];
    return makeDiagnostic(loaded, {
      code: "INVALID_NAME",
      message: `\`${e.propertyName}\` is not a valid name here: ${e.message ?? "invalid"}`,
      hint: DEF_HINTS[def] ?? "use letters, digits and '_'",
      path: keyPath,
    });
  }
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(e.params.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
      const guess = closest(key, allowed);
      return makeDiagnostic(loaded, {
        code: "UNKNOWN_KEY",
        message: `unknown key \`${key}\` in ${where}`,
        hint: guess ? `did you mean \`${guess}\`? (allowed: ${allowed.join(", ")})` : `allowed keys: ${allowed.join(", ")}`,
        path: [...path, key],
      });
    }
    case "required":
      return makeDiagnostic(loaded, {
        code: "MISSING_KEY",
        message: `${where} is missing \`${e.params.missingProperty}\``,
        hint: `add \`${e.params.missingProperty}:\``,
        path,
        part: "value",
      });
    case "const":
      if (path.length === 1 && last === "apiVersion")
        return makeDiagnostic(loaded, {
          code: "API_VERSION",
          message: `unsupported apiVersion ${JSON.stringify(valueAt(loaded.raw, path))}`,
          hint: "this version of flowc reads `apiVersion: flowc/v1`",
          path,
          part: "value",
        });
      break;
    case "enum":
      if (last === "concurrency")
        return makeDiagnostic(loaded, {
          code: "INVALID_CONCURRENCY",
          message: `concurrency must be allow, forbid or replace, not ${JSON.stringify(valueAt(loaded.raw, path))}`,
          hint: "allow: overlapping runs; forbid: skip a run while one is active; replace: stop the active run",
          path,
          part: "value",
        });
      return makeDiagnostic(loaded, {
        code: "INVALID_VALUE",
        message: `${where} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
        hint: "pick one of the listed values",
        path,
        part: "value",
      });
    case "pattern":
    case "maxLength":
      if (DEF_CODES[def])
        return makeDiagnostic(loaded, {
          code: DEF_CODES[def]!,
          message: `${where}: ${JSON.stringify(valueAt(loaded.raw, path))} is not a valid ${def === "duration" ? "duration" : def === "memory" ? "memory size" : "name"}`,
          hint: DEF_HINTS[def],
          path,
          part: "value",
        });
      break;
    case "type":
      return makeDiagnostic(loaded, {
        code: "WRONG_TYPE",
        message: `${where} must be ${article(String(e.params.type))}`,
        hint: `write ${article(String(e.params.type))} here`,
        path,
        part: "value",
      });
    case "oneOf":
      return makeDiagnostic(loaded, {
        code: "WRONG_TYPE",
        message: `${where} has the wrong form`,
        hint:
          last === "next"
            ? "write a step name, or a list of step names for a split"
            : last === "afterFlow"
              ? "write a flow name, or { flow: name, parameters: {...} }"
              : "see schemas/flow.schema.json for the accepted forms",
        path,
        part: "value",
      });
  }
  return makeDiagnostic(loaded, {
    code: "INVALID_VALUE",
    message: `${where} ${e.message ?? "is invalid"}`,
    hint: "see schemas/flow.schema.json",
    path,
    part: "value",
  });
}

const article = (t: string) => (t === "object" ? "a map" : t === "array" ? "a list" : t === "integer" ? "an integer" : `a ${t}`);

export function valueAt(raw: unknown, path: DocPath): unknown {
  let v: unknown = raw;
  for (const seg of path) v = v && typeof v === "object" ? (v as Record<string | number, unknown>)[seg] : undefined;
  return v;
}
