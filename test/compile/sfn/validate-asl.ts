import { createRequire } from "node:module";

type AslValidator = (definition: unknown, opts?: { checkPaths: boolean; checkArn: boolean }) => { isValid: boolean; errorsText: (sep?: string) => string };
const aslValidator = createRequire(import.meta.url)("asl-validator") as AslValidator;

/** asl-validator's verdict; it annotates the definition it is given, so it gets a copy. */
export function validateAsl(definition: unknown): { isValid: boolean; errors: string } {
  const r = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
  return { isValid: r.isValid, errors: r.isValid ? "" : r.errorsText("\n") };
}
