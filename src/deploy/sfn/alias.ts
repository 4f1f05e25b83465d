/**
 * An alias remembers the versions it pointed at, newest first, in its description (aliases cannot be
 * tagged): what `flowc rollback` walks back through and `flowc versions` shows as EARLIER.
 */
const HISTORY_MAX = 20;

/** `flowc: alias of train (prod); versions 7 5 4`, within the 256 characters of a description. */
export function aliasDescription(flow: string, env: string, history: number[]): string {
  let list = history.slice(0, HISTORY_MAX);
  const text = () => `flowc: alias of ${flow} (${env}); versions ${list.join(" ")}`.trimEnd();
  while (text().length > 256) list = list.slice(0, -1);
  return text();
}

export function aliasHistory(description: string | undefined, current?: number): number[] {
  const m = /versions ([\d ]+)$/.exec(description ?? "");
  const listed = m ? m[1]!.trim().split(/\s+/).map(Number) : [];
  if (current !== undefined && listed[0] !== current) return [current, ...listed.filter((n) => n !== current)];
  return listed;
}

