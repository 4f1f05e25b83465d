// Kubeconfig files pointing at the Kubernetes API double.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

export interface KubeconfigOptions {
  /** Namespace of the primary context (default "default"). */
  namespace?: string;
  /** Name written as current-context: "flowc-double" (default) or "flowc-double-alt". */
  context?: string;
  /** Namespace of the alternate context (default "flowc-alt"). */
  altNamespace?: string;
  /** File name inside `dir` (default "kubeconfig.yaml"). */
  fileName?: string;
}

/** The two contexts every kubeconfig written for the double contains. */
export const DOUBLE_CONTEXTS = {
  primary: { context: "flowc-double", cluster: "flowc-double", user: "flowc-double-user", token: "flowc-double-token" },
  alt: { context: "flowc-double-alt", cluster: "flowc-double-alt", user: "flowc-double-alt-user", token: "flowc-double-alt-token" },
} as const;

/** Maps a bearer token from the kubeconfig back to its user name (for the call log). */
export function userForToken(token: string | undefined): string | undefined {
  for (const c of Object.values(DOUBLE_CONTEXTS)) if (c.token === token) return c.user;
  return undefined;
}

export function kubeconfigYaml(url: string, opts: KubeconfigOptions = {}): string {
  const { primary, alt } = DOUBLE_CONTEXTS;
  const config = {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    "current-context": opts.context ?? primary.context,
    clusters: [primary, alt].map((c) => ({
      name: c.cluster,
      // client-node 1.4.0 refuses plain http:// unless TLS verification is (nominally) skipped.
      cluster: { server: url, "insecure-skip-tls-verify": true },
    })),
    users: [primary, alt].map((c) => ({ name: c.user, user: { token: c.token } })),
    contexts: [
      { name: primary.context, context: { cluster: primary.cluster, user: primary.user, namespace: opts.namespace ?? "default" } },
      { name: alt.context, context: { cluster: alt.cluster, user: alt.user, namespace: opts.altNamespace ?? "flowc-alt" } },
    ],
  };
  return stringify(config);
}

/** Writes a kubeconfig for the double into `dir` and returns its path. */
export function writeKubeconfig(url: string, dir: string, opts: KubeconfigOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, opts.fileName ?? "kubeconfig.yaml");
  writeFileSync(path, kubeconfigYaml(url, opts), { mode: 0o600 });
  return path;
}
