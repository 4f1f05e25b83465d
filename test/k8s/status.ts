// metav1.Status bodies, worded like k8s.io/apimachinery/pkg/api/errors.

import type { Cause } from "./validate.ts";
import type { JsonObject } from "./json.ts";

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly status: JsonObject,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(status.message));
  }
}

export interface ResourceRef {
  group: string;
  plural: string;
  kind: string;
}

function status(code: number, reason: string | undefined, message: string, details?: JsonObject): JsonObject {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    ...(reason ? { reason } : {}),
    ...(details ? { details } : {}),
    code,
  };
}

const qualified = (r: ResourceRef) => (r.group ? `${r.plural}.${r.group}` : r.plural);

export function notFound(r: ResourceRef, name: string): StatusError {
  return new StatusError(
    404,
    status(404, "NotFound", `${qualified(r)} "${name}" not found`, { name, group: r.group, kind: r.plural }),
  );
}

export function alreadyExists(r: ResourceRef, name: string): StatusError {
  return new StatusError(
    409,
    status(409, "AlreadyExists", `${qualified(r)} "${name}" already exists`, { name, group: r.group, kind: r.plural }),
  );
}

/** errors.NewConflict: optimistic-concurrency failures and failed preconditions. */
export function conflict(r: ResourceRef, name: string, detail: string): StatusError {
  return new StatusError(
    409,
    status(409, "Conflict", `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${detail}`, {
      name,
      group: r.group,
      kind: r.plural,
    }),
  );
}

export const STALE_RESOURCE_VERSION = "the object has been modified; please apply your changes to the latest version and try again";

/** errors.NewApplyConflict: server-side apply field-manager conflicts. */
export function applyConflict(message: string, causes: Cause[]): StatusError {
  return new StatusError(409, status(409, "Conflict", message, { causes: causes as unknown as JsonObject[] }));
}

/** errors.NewInvalid: `Kind.group "name" is invalid: ...`. */
export function invalid(r: ResourceRef, name: string, causes: Cause[]): StatusError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const joined = parts.length === 1 ? parts[0]! : `[${parts.join(", ")}]`;
  const qualifiedKind = r.group ? `${r.kind}.${r.group}` : r.kind;
  return new StatusError(
    422,
    status(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${joined}`, {
      name,
      group: r.group,
      kind: r.kind,
      causes: causes as unknown as JsonObject[],
    }),
  );
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, status(400, "BadRequest", message));
}

export function methodNotAllowed(message = "the server does not allow this method on the requested resource"): StatusError {
  return new StatusError(405, status(405, "MethodNotSupported", message));
}

export function unsupportedMediaType(message: string): StatusError {
  return new StatusError(415, status(415, "UnsupportedMediaType", message));
}

export function requestEntityTooLarge(limit: number): StatusError {
  return new StatusError(413, status(413, "RequestEntityTooLarge", `Request entity too large: limit is ${limit}`));
}

/** An error that is not a metav1.Status inside the API server: code 500 and no reason. */
export function plainInternal(message: string): StatusError {
  return new StatusError(500, status(500, undefined, message));
}

export function internalError(message: string): StatusError {
  return new StatusError(
    500,
    status(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] }),
  );
}

export function tooManyRequests(retryAfterSeconds: number): StatusError {
  return new StatusError(
    429,
    status(429, "TooManyRequests", "Too many requests, please try again later.", { retryAfterSeconds }),
    { "Retry-After": String(retryAfterSeconds) },
  );
}

export function unauthorized(): StatusError {
  return new StatusError(401, status(401, "Unauthorized", "Unauthorized"));
}

/** RBAC's refusal, worded as the API server words it. */
export function forbidden(user: string, verb: string, r: ResourceRef, namespace: string | undefined): StatusError {
  const where = namespace ? ` in the namespace "${namespace}"` : " at the cluster scope";
  return new StatusError(
    403,
    status(403, "Forbidden", `${qualified(r)} is forbidden: User "${user}" cannot ${verb} resource "${r.plural}" in API group "${r.group}"${where}`, { group: r.group, kind: r.plural }),
  );
}

export function notFoundPath(): StatusError {
  return new StatusError(404, status(404, "NotFound", "the server could not find the requested resource", {}));
}

export function success(r: ResourceRef, name: string, uid: string): JsonObject {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: { name, group: r.group, kind: r.plural, uid },
  };
}
