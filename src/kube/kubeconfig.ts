import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { KubeConfig, type Cluster, type Context, type User } from "@kubernetes/client-node";

/**
 * Chooses the cluster connection the way kubectl does (client-go's loading rules), because CI scripts
 * and people expect `flowc --target argo` to talk to the cluster `kubectl` talks to:
 * 1. `--kubeconfig FILE` (must exist), else
 * 2. `KUBECONFIG` (a list of files; missing ones skipped; merged so the FIRST file to define a
 *    cluster, user or context, or to set current-context, wins), else
 * 3. `~/.kube/config`, else
 * 4. the in-cluster service account (a CI job running in a pod).
 * client-node's own `loadFromDefault` differs from kubectl (the last file's current-context wins,
 * duplicate names throw, it reads process.env), so the merge is done here.
 */
export interface KubeTarget {
  kc: KubeConfig;
  context: string;
  /** Namespace of the chosen context (or of the in-cluster service account), if it names one. */
  contextNamespace?: string;
  /** The kubeconfig user's name, or a pod's service account (`system:serviceaccount:NS:NAME`): the default owner identity. */
  user: string;
  server: string;
  /** Where the configuration came from, for messages. */
  source: string;
}

export interface KubeTargetOptions {
  kubeconfig?: string;
  context?: string;
  env: NodeJS.ProcessEnv;
  /** Where a pod's service account is mounted (tests point it elsewhere). */
  serviceAccountDir?: string;
}

export class KubeConfigError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export function selectKubeTarget(opts: KubeTargetOptions): KubeTarget {
  const { kc, source, identity } = loadConfig(opts);
  if (opts.context) {
    if (!kc.getContextObject(opts.context))
      throw new KubeConfigError(
        `no context \`${opts.context}\` in ${source}`,
        `known contexts: ${kc.getContexts().map((c) => c.name).join(", ") || "none"} (kubectl config get-contexts)`,
      );
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  const ctx = context ? kc.getContextObject(context) : null;
  if (!ctx) throw new KubeConfigError(`${source} has no current context`, "pass --context NAME or run `kubectl config use-context NAME`");
  const cluster = kc.getCluster(ctx.cluster);
  if (!cluster) throw new KubeConfigError(`context \`${context}\` names cluster \`${ctx.cluster}\`, which ${source} does not define`, "fix the kubeconfig");
  return {
    kc,
    context,
    ...(ctx.namespace ? { contextNamespace: ctx.namespace } : {}),
    user: identity ?? ctx.user,
    server: cluster.server,
    source,
  };
}

function loadConfig(opts: KubeTargetOptions): { kc: KubeConfig; source: string; identity?: string } {
  if (opts.kubeconfig) {
    if (!existsSync(opts.kubeconfig)) throw new KubeConfigError(`no kubeconfig file ${opts.kubeconfig}`, "check the --kubeconfig path");
    return { kc: merge([opts.kubeconfig]), source: opts.kubeconfig };
  }
  const listed = (opts.env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  const home = opts.env.HOME ?? opts.env.USERPROFILE;
  const files = listed.length ? listed.filter((f) => existsSync(f)) : home && existsSync(join(home, ".kube", "config")) ? [join(home, ".kube", "config")] : [];
  if (files.length) return { kc: merge(files), source: files.join(delimiter) };
  const sa = opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (opts.env.KUBERNETES_SERVICE_HOST && existsSync(join(sa, "token"))) {
    const subject = tokenSubject(readText(join(sa, "token")));
    return { kc: inCluster(opts.env, sa), source: "the in-cluster service account", ...(subject ? { identity: subject } : {}) };
  }
  throw new KubeConfigError(
    listed.length ? `none of the KUBECONFIG files exist (${listed.join(delimiter)})` : "no kubeconfig: ~/.kube/config does not exist and this is not a pod",
    "point KUBECONFIG or --kubeconfig at a kubeconfig file (kind and k3d write one), or run inside the cluster",
  );
}

/** kubectl's merge: the first file to define a name (or current-context) wins. */
function merge(files: string[]): KubeConfig {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  let currentContext: string | undefined;
  for (const file of files) {
    const one = new KubeConfig();
    one.loadFromFile(file); // also resolves relative certificate paths against the file's folder
    for (const c of one.getClusters()) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of one.getUsers()) if (!users.has(u.name)) users.set(u.name, u);
    for (const c of one.getContexts()) if (!contexts.has(c.name)) contexts.set(c.name, c);
    currentContext ||= one.getCurrentContext() || undefined;
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({ clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext: currentContext ?? "" });
  return kc;
}

/** What client-node's loadFromCluster does, but reading the environment we were given. */
function inCluster(env: NodeJS.ProcessEnv, dir: string): KubeConfig {
  const host = env.KUBERNETES_SERVICE_HOST!;
  const port = env.KUBERNETES_SERVICE_PORT ?? "443";
  const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const nsFile = join(dir, "namespace");
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "in-cluster", server, caFile: join(dir, "ca.crt"), skipTLSVerify: false }],
    // A token file, re-read on every request: projected service account tokens are rotated.
    users: [{ name: "in-cluster", authProvider: { name: "tokenFile", config: { tokenFile: join(dir, "token") } } }],
    contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "in-cluster", ...(existsSync(nsFile) ? { namespace: readText(nsFile) } : {}) }],
    currentContext: "in-cluster",
  });
  return kc;
}

const readText = (file: string) => readFileSync(file, "utf8").trim();

/** The `sub` claim of a service account token (a JWT): who the pod is. Not verified; only a name. */
function tokenSubject(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { sub?: unknown };
    return typeof payload.sub === "string" ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}
