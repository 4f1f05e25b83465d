import { TAG } from "../ownership.ts";

/**
 * Which tags flowc writes where, and when.
 *  - identity tags say who owns a resource (managed-by, flow, env, owner): compared on every deploy;
 *  - provenance tags say which build last wrote it (content hash, flowc version; on a state machine
 *    that environments share, also the environment): written together with the resource itself and
 *    never on their own, so a build that changes nothing about a rule does not rewrite its tags;
 *  - user tags come from the flow and the environment's configuration: compared on every deploy.
 * AWS reserves keys that start with `aws:`; flowc neither writes nor removes them.
 */
export type Tags = Record<string, string>;

export const PROVENANCE_KEYS: readonly string[] = [TAG.hash, TAG.version];

/**
 * The user tag keys flowc wrote, space-separated: a tag that leaves the configuration is removed from
 * AWS, while tags that others add to flowc's resources (cost-allocation automation) are left alone,
 * so the two never fight and a redeploy stays a no-op.
 */
export const USER_TAG_KEYS = "flowc.dev/tags";

export interface TagSets {
  /** Compared on every deploy: identity tags, user tags and USER_TAG_KEYS. */
  managed: Tags;
  /** Written only when the resource is created or its body rewritten. */
  provenance: Tags;
}

export const allTags = (t: TagSets): Tags => ({ ...t.managed, ...t.provenance });

/** Identity + user tags + the list of user keys (keys with spaces cannot be listed, so are never removed). */
export function managedTags(identity: Tags, user: Tags): Tags {
  const keys = Object.keys(user).filter((k) => !k.includes(" ")).sort();
  let list = keys.join(" ");
  while (list.length > 256) list = list.slice(0, list.lastIndexOf(" "));
  return { ...user, ...identity, ...(list ? { [USER_TAG_KEYS]: list } : {}) };
}

/** The tag writes that make `live` carry `desired` (provenance only when `rewrite`). */
export function tagDelta(live: Tags, desired: TagSets, rewrite: boolean): { set: Tags; remove: string[] } {
  const want = rewrite ? allTags(desired) : desired.managed;
  const set: Tags = {};
  for (const [k, v] of Object.entries(want)) if (live[k] !== v) set[k] = v;
  const wrote = new Set((live[USER_TAG_KEYS] ?? "").split(" ").filter(Boolean));
  const ours = (k: string) => wrote.has(k) || (k.startsWith("flowc.dev/") && !PROVENANCE_KEYS.includes(k) && k !== TAG.env);
  const remove = Object.keys(live).filter((k) => ours(k) && !(k in want) && !(k in desired.provenance)).sort();
  return { set, remove };
}

/** AWS's tag rules (Step Functions and EventBridge alike), checked before the first write. */
export function tagProblems(tags: Tags, where: string): string[] {
  const out: string[] = [];
  const entries = Object.entries(tags);
  if (entries.length > 50) out.push(`${where} would carry ${entries.length} tags; AWS allows 50 per resource`);
  const ok = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 128) out.push(`${where}: tag key \`${k}\` must have 1 to 128 characters`);
    if (v.length > 256) out.push(`${where}: the value of tag \`${k}\` has ${v.length} characters; AWS allows 256`);
    if (!ok.test(k) || !ok.test(v)) out.push(`${where}: tag \`${k}: ${v}\` has characters AWS does not allow (letters, digits, spaces and _ . : / = + - @ only)`);
    if (k.toLowerCase().startsWith("aws:")) out.push(`${where}: tag key \`${k}\` uses the prefix aws:, which AWS reserves`);
  }
  return out;
}

export const toTagList = (t: Tags, key = "key", value = "value") => Object.entries(t).map(([k, v]) => ({ [key]: k, [value]: v }));

export function fromTagList(list: readonly Record<string, string | undefined>[] | undefined, key = "key", value = "value"): Tags {
  const out: Tags = {};
  for (const t of list ?? []) if (t[key] !== undefined) out[t[key]!] = t[value] ?? "";
  return out;
}

/**
 * EventBridge Scheduler schedules cannot be tagged, so a schedule's identity travels in its
 * description, after the compiler's own text: ` [flowc.dev flow=… env=… owner=…]`.
 */
export function scheduleMarker(flow: string, env: string, owner: string): string {
  return `[flowc.dev flow=${flow} env=${env} owner=${owner}]`;
}

export function readScheduleMarker(description: string | undefined): { flow: string; env: string; owner: string } | undefined {
  const m = /\[flowc\.dev flow=(\S+) env=(\S+) owner=(\S+)\]\s*$/.exec(description ?? "");
  return m ? { flow: m[1]!, env: m[2]!, owner: m[3]! } : undefined;
}

/** A schedule's identity as tags, so the one ownership check serves every resource. */
export function scheduleIdentityTags(description: string | undefined): Tags | undefined {
  const m = readScheduleMarker(description);
  if (!m) return {};
  return { [TAG.managedBy]: "flowc", [TAG.flow]: m.flow, [TAG.env]: m.env, [TAG.owner]: m.owner };
}
