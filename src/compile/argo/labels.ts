import type { ArgoConfig } from "../../config/types.ts";
import { CONTENT_HASH_ANNOTATION, LABEL } from "../../contract/labels.ts";
import type { CompileProblem } from "../types.ts";
import type { ObjectMeta } from "./types.ts";

/**
 * Labels flowc puts on every object it creates, and on the Workflows and pods they start. Deploy finds
 * what it owns by these, and `afterFlow` Sensors match upstream runs by them (docs/argo-mapping.md).
 */
export const LABELS = { flow: LABEL.flow, env: LABEL.env, hash: LABEL.hash, trigger: LABEL.trigger } as const;

export { CONTENT_HASH_ANNOTATION };

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export interface Identity {
  flow: string;
  env: string;
  contentHash: string;
}

/** Labels that identify runs of this flow in this environment (no hash: they outlive a deploy). */
export const runLabels = (id: Identity, extra: Record<string, string> = {}): Record<string, string> =>
  sorted({ [LABELS.env]: id.env, [LABELS.flow]: id.flow, ...extra });

/** metadata of a generated object: config labels and annotations, then flowc's own, keys sorted. */
export function objectMeta(name: string, id: Identity, argo: ArgoConfig, annotations: Record<string, string> = {}): ObjectMeta {
  return {
    name,
    namespace: argo.namespace,
    labels: sorted({ ...argo.labels, ...runLabels(id), [LABELS.hash]: id.contentHash.slice(0, 40) }),
    annotations: sorted({ ...argo.annotations, ...annotations, [CONTENT_HASH_ANNOTATION]: id.contentHash }),
  };
}

/** Flow and environment names become label values; say so when one cannot be. */
export function checkLabelValues(id: Identity): CompileProblem[] {
  const bad = (what: string, v: string, path: (string | number)[]): CompileProblem[] =>
    v.length <= 63 && LABEL_VALUE.test(v)
      ? []
      : [
          {
            code: "INVALID_NAME",
            message: `the ${what} \`${v}\` cannot be a Kubernetes label value (at most 63 characters, starting and ending with a letter or digit)`,
            hint: `rename the ${what}`,
            path,
          },
        ];
  return [...bad("flow name", id.flow, ["name"]), ...bad("environment name", id.env, [])];
}

function sorted(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]!]));
}
