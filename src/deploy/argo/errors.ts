import { EXIT, UserError } from "../../errors.ts";
import { KubeError } from "../../kube/errors.ts";
import { KubeConfigError } from "../../kube/kubeconfig.ts";
import type { FieldConflict } from "./fields.ts";
import type { Refusal } from "./plan.ts";

/**
 * Expected failures of the argo target, as the CLI prints them: what happened, then a hint. Thrown as
 * UserError so every command that reaches the target reports them without a stack trace.
 */
export class ArgoDeployError extends UserError {
  constructor(message: string, hint?: string, code = "ARGO_ERROR") {
    super(message, EXIT.failed, hint, code);
  }
}

export function refusedError(refusals: Refusal[], me: { identity: string; owner: string }): ArgoDeployError {
  const lines = refusals.map((r) => `  ${r.kind} ${r.name}: ${r.message}`);
  // Saying who we are lets a person see a wrong --owner / FLOWC_OWNER before reaching for --authorize.
  lines.push(`  (you deploy as ${JSON.stringify(me.identity)}, token ${me.owner})`);
  return new ArgoDeployError(`refusing to deploy; nothing was changed:\n${lines.join("\n")}`, refusals[0]!.hint, "DEPLOY_REFUSED");
}

export function conflictError(conflicts: { kind: string; name: string; conflicts: FieldConflict[] }[]): ArgoDeployError {
  const lines = conflicts.flatMap((c) => [
    `  ${c.kind} ${c.name}:`,
    ...c.conflicts.map((f) => `    ${f.field}  managed by "${f.manager}"${f.operation === "Update" ? " (an edit outside server-side apply)" : ""}`),
  ]);
  return new ArgoDeployError(
    `fields flowc sets are managed by someone else, so the API server would refuse the apply:\n${lines.join("\n")}`,
    "someone changed them outside flowc (kubectl edit, another tool). Put the change into the flow, or rerun with --force to take the fields over (their values are overwritten)",
    "ARGO_FIELD_CONFLICT",
  );
}

/** A 409 FieldManagerConflict from the server (a change between our read and our apply). */
export function conflictsOf(e: KubeError): FieldConflict[] {
  return e.causes
    .filter((c) => c.reason === "FieldManagerConflict")
    .map((c) => {
      const m = /conflict with "([^"]+)"(?: using \S+)?/.exec(c.message ?? "");
      return { field: c.field ?? "?", manager: m?.[1] ?? "another manager", operation: / using /.test(c.message ?? "") ? "Update" : "Apply" };
    });
}

/** Any error from the Kubernetes layer as a message a person can act on. */
export function userError(e: unknown): unknown {
  if (e instanceof UserError) return e;
  if (e instanceof KubeConfigError) return new ArgoDeployError(e.message, e.hint, "KUBECONFIG");
  if (!(e instanceof KubeError)) return e;
  const causes = e.causes.filter((c) => c.message).map((c) => `\n    ${c.field ? `${c.field}: ` : ""}${c.message}`).join("");
  const hint =
    e.status === 0
      ? "the API server could not be reached; check the kubeconfig's server and your network (kubectl cluster-info)"
      : e.status === 401
        ? "the credentials in the kubeconfig were refused; log in again"
        : e.status === 403
          ? "the user lacks RBAC permission on argoproj.io resources in this namespace (docs/deploy-argo.md lists the Role)"
          : e.status === 404 && /the server could not find the requested resource|page not found/i.test(e.detail)
            ? "the Argo CRDs are not installed on this cluster (Argo Workflows, and Argo Events for Sensors)"
            : e.status === 404
              ? "does the namespace exist? (kubectl get namespace)"
              : e.status === 422 || e.status === 400
                ? "the API server rejected the object; this is a flowc bug if `flowc compile` gave no error"
                : undefined;
  const code = e.status === 0 ? "KUBE_UNREACHABLE" : e.status === 401 ? "KUBE_UNAUTHORIZED" : e.status === 403 ? "KUBE_FORBIDDEN" : "KUBE_ERROR";
  return new ArgoDeployError(`${e.message}${causes}`, hint ?? "a retry will resume where this stopped: flowc deploy is safe to rerun", code);
}
