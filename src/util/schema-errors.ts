import type { ErrorObject } from "ajv";

/**
 * ajv reports every failed branch of a oneOf; a person wants one line. Keep the oneOf error itself,
 * and drop errors inside its branches and the bare "must match pattern" behind a propertyNames error.
 */
export function condenseSchemaErrors(errors: ErrorObject[]): ErrorObject[] {
  let out = bestBranches(errors.filter((e) => e.keyword !== "propertyNames"));
  // A oneOf failure: if some branch had the right type, its specific errors say more than "wrong
  // form"; otherwise one "wrong form" line stands for all branches.
  for (const one of out.filter((e) => e.keyword === "oneOf")) {
    const at = one.instancePath;
    const inner = out.filter((e) => e !== one && (e.instancePath === at || e.instancePath.startsWith(`${at}/`)));
    const specific = inner.filter((e) => e.keyword !== "type" && e.keyword !== "oneOf");
    const drop = new Set(specific.length ? [one, ...inner.filter((e) => e.keyword === "type")] : inner);
    out = out.filter((e) => !drop.has(e));
  }
  const seen = new Set<string>();
  return out.filter((e) => {
    const k = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}|${e.propertyName ?? ""}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Of a oneOf's failed branches, the one the value came closest to: its errors are deepest in the value
 * (`{ webhook: "http://…" }` got as far as the webhook's pattern in the webhook branch, while the sns
 * branch only says "sns is required"), and a wrong type counts for less than any other error. The other
 * branches' errors describe a different thing the value was never meant to be, so they are dropped.
 * Outer oneOfs first, so a nested one judges only what its chosen outer branch kept.
 */
function bestBranches(errors: ErrorObject[]): ErrorObject[] {
  let out = errors;
  const ones = errors.filter((e) => e.keyword === "oneOf").sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const one of ones) {
    if (!out.includes(one)) continue;
    const prefix = `${one.schemaPath}/`;
    const branch = (e: ErrorObject) => e.schemaPath.slice(prefix.length).split("/")[0];
    const score = (e: ErrorObject) => e.instancePath.split("/").length * 2 + (e.keyword === "type" ? 0 : 1);
    const inner = out.filter((e) => e.schemaPath.startsWith(prefix));
    const best = inner.reduce<ErrorObject | undefined>((a, e) => (!a || score(e) > score(a) ? e : a), undefined);
    if (best) out = out.filter((e) => !e.schemaPath.startsWith(prefix) || branch(e) === branch(best));
  }
  return out;
}
