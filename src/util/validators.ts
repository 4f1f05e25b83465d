import type { Options, ValidateFunction } from "ajv";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { lazy } from "./lazy.ts";
import { packageRoot } from "./package-root.ts";

const require = createRequire(import.meta.url);
const ajv = lazy<typeof import("ajv")>("ajv");

/** The options each public schema is compiled with, at build time (scripts/build.mjs) and here alike. */
export const SCHEMA_OPTIONS: Record<"flow" | "config", Options> = {
  flow: { allErrors: true, verbose: true, strict: false, allowUnionTypes: true },
  config: { allErrors: true, verbose: true, strict: false },
};

const cache = new Map<string, ValidateFunction>();

/**
 * The validator of a public schema: the one `npm run build` compiled ahead of time when it exists
 * (dist/validators), else compiled now. Either way once per process.
 */
export function schemaValidator(name: "flow" | "config", schema: object): ValidateFunction {
  let v = cache.get(name);
  if (!v) {
    const built = join(packageRoot(), "dist", "validators", `${name}.cjs`);
    v = existsSync(built) ? (require(built) as { default?: ValidateFunction } & ValidateFunction) : new (ajv().Ajv)(SCHEMA_OPTIONS[name]).compile(schema);
    if (typeof v !== "function") v = (v as { default: ValidateFunction }).default;
    cache.set(name, v);
  }
  return v;
}
