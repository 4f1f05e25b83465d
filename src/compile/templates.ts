/**
 * Template documents (templates/<target>/*.json, replaced file by file by an organization's override
 * folder) are merged *under* what a compiler generates: the generated value wins wherever both have
 * one, so a template adds policy (tags, log settings, retry strategies) but cannot break the mapping.
 * Target-neutral: the Argo compiler uses it too.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Deep merge with `generated` winning. Objects merge key by key; arrays and scalars from `generated`
 * replace the template's. Key order: the generated document's keys first (in its order), then keys
 * only the template has, so the output reads like the generated document with additions at the end.
 */
export function mergeUnder<T>(template: unknown, generated: T): T {
  if (!isObj(template) || !isObj(generated)) return generated === undefined ? (template as T) : generated;
  const out: Obj = {};
  for (const [k, v] of Object.entries(generated)) out[k] = k in template ? mergeUnder(template[k], v) : v;
  // ASL names a field `K` or, as a path, `K.$`: the generated form of a field replaces either of the template's.
  const same = (k: string) => k in generated || (k.endsWith(".$") ? k.slice(0, -2) : `${k}.$`) in generated;
  for (const [k, v] of Object.entries(template)) if (!same(k)) out[k] = v;
  return out as T;
}

/** A template document by its relative file name, or undefined when neither flowc nor the org ships one. */
export function template(templates: Record<string, unknown>, name: string): Obj | undefined {
  const t = templates[name];
  return isObj(t) ? t : undefined;
}
