import { EXIT, UserError } from "../errors.ts";
import type { Io } from "./io.ts";

/**
 * Every failure a user can cause or meet (bad flags, a missing file, no credentials, an unreachable
 * service, a full disk) as a UserError with a stable code and a hint. What stays unexplained is a
 * flowc bug, and only that is printed as an internal error with its stack.
 */
export async function explainError(e: unknown): Promise<UserError | undefined> {
  if (e instanceof UserError) return e;
  const err = e as { code?: unknown; hint?: unknown; message?: string; name?: string; syscall?: string; path?: string };
  // Target errors (SfnError) carry their own code and hint.
  if (typeof err?.code === "string" && typeof err.hint === "string") return new UserError(err.message ?? String(e), EXIT.failed, err.hint, err.code);
  // SDK errors carry the call that failed; the sfn target knows how to word them. Loaded only here,
  // on a failure, so the CLI never imports target code at start.
  if (e && typeof e === "object" && ("$flowcCall" in e || "$metadata" in e || /CredentialsProviderError/.test(String(err.name)))) {
    const { explainAwsError } = await import("../deploy/sfn/errors.ts");
    const x = explainAwsError(e);
    if (x) return new UserError(x.message, EXIT.failed, x.hint, x.code);
  }
  // The machine refused a file operation: the path and the reason are the whole story.
  if (typeof err?.code === "string" && typeof err.syscall === "string" && /^E[A-Z]+$/.test(err.code)) {
    const what = IO_HINTS[err.code];
    return new UserError(`cannot ${err.syscall}${err.path ? ` ${err.path}` : ""}: ${err.code}${what ? ` (${what[0]})` : ""}`, EXIT.failed, what?.[1] ?? "check the path and its permissions", "IO_ERROR");
  }
  return undefined;
}

const IO_HINTS: Record<string, [string, string]> = {
  ENOENT: ["no such file or folder", "check the path"],
  EACCES: ["permission denied", "check the permissions of the path, or pass another one"],
  EPERM: ["operation not permitted", "check the permissions of the path, or pass another one"],
  ENOTDIR: ["a part of the path is a file, not a folder", "pass a folder"],
  EISDIR: ["it is a folder", "pass a file"],
  EROFS: ["read-only file system", "pass a folder you can write to"],
  ENOSPC: ["no space left on the device", "free some space, or pass a folder on another disk"],
  EDQUOT: ["disk quota exceeded", "free some space, or pass a folder on another disk"],
  EMFILE: ["too many open files", "raise the limit (ulimit -n) or lower --max-workers"],
};

/** `flowc: error CODE: message` and the hint, as every command prints an expected failure. */
export function printError(io: Io, e: UserError): void {
  io.stderr(`flowc: error ${e.code}: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ""}`);
}
