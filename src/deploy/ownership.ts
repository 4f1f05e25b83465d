/**
 * Who owns a deployment. Kept in the cloud's own tags/labels, never in a state file of ours:
 * `flowc.dev/owner` holds a token derived from the deploying team's identity (or given explicitly),
 * and a deploy refuses to touch a resource owned by another token unless `--authorize <that token>`
 * is given on purpose (Metaflow's production token, kept in tags).
 */
import { createHash } from "node:crypto";
import { LABEL } from "../contract/labels.ts";

export const TAG = { managedBy: LABEL.managedBy, flow: LABEL.flow, env: LABEL.env, hash: LABEL.hash, version: LABEL.version, owner: LABEL.owner } as const;

/** A short, non-secret token identifying an owner (e.g. a team name or a CI identity). */
export function ownerToken(identity: string): string {
  return createHash("sha256").update(identity).digest("hex").slice(0, 16);
}

export type OwnershipVerdict =
  | { ok: true; takeover: boolean }
  | { ok: false; reason: "not-flowc" | "other-owner"; liveOwner?: string; message: string; hint: string };

/**
 * `live` is the tag set of the existing resource (undefined when it does not exist yet).
 * `authorize` is the token given with --authorize, if any.
 */
export function checkOwnership(live: Record<string, string> | undefined, mine: string, authorize?: string): OwnershipVerdict {
  if (!live) return { ok: true, takeover: false };
  if (live[TAG.managedBy] !== "flowc")
    return {
      ok: false,
      reason: "not-flowc",
      message: "a resource of that name exists but was not created by flowc",
      hint: "flowc never touches resources it did not create; rename the flow or set stateMachineName/namespace in flowc.config.yaml",
    };
  const owner = live[TAG.owner];
  if (!owner || owner === mine) return { ok: true, takeover: false };
  if (authorize && authorize === owner) return { ok: true, takeover: true };
  return {
    ok: false,
    reason: "other-owner",
    liveOwner: owner,
    message: `this deployment belongs to another owner (token ${owner})`,
    hint: `if you mean to take it over, rerun with --authorize ${owner}`,
  };
}
