/**
 * The Argo Workflows versions flowc's output is written for, and what breaks on the others
 * (docs/argo-mapping.md, "Argo versions"). Deploy reads the version a cluster runs and judges it here:
 * it refuses a version that breaks something this flow uses, and warns about one outside the
 * supported range that breaks nothing the flow uses, or one newer than this table knows.
 */
export interface ArgoVersion {
  major: number;
  minor: number;
  patch: number;
}

/** `v4.0.8`, `4.0.8`, `v4.1.0-rc2` (a pre-release counts as its release); undefined for `latest`, digests. */
export function parseArgoVersion(text: string): ArgoVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.-]*)?$/.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

export const formatVersion = (v: ArgoVersion) => `v${v.major}.${v.minor}.${v.patch}`;

const cmp = (a: ArgoVersion, b: ArgoVersion) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;
const v = (s: string) => parseArgoVersion(s)!;
const within = (x: ArgoVersion, lo: string, hi: string) => cmp(x, v(lo)) >= 0 && cmp(x, v(hi)) <= 0;

/** What of Argo a flow's output relies on that some versions lack. */
export interface ArgoNeeds {
  /** The CronWorkflow (a `schedules` list). */
  schedule: boolean;
  /** Steps whose retry has a maximum delay (`retryStrategy.backoff.cap`). */
  backoffCap: string[];
  /** Switch steps that a run may skip (inside another switch's branches) while a `when` reads their case. */
  skippableSwitches: string[];
}

/** A range of versions that breaks what a flow uses, and how. */
interface Breakage {
  versions: string;
  applies: (x: ArgoVersion) => boolean;
  uses: (n: ArgoNeeds) => string | undefined;
  breaks: string;
}

const list = (xs: string[]) => xs.map((x) => `\`${x}\``).join(", ");

export const BREAKAGES: readonly Breakage[] = [
  {
    versions: "before v3.6",
    applies: (x) => cmp(x, v("3.6.0")) < 0,
    uses: (n) => (n.schedule ? "the flow's schedule" : undefined),
    breaks: "has no CronWorkflow `spec.schedules` (v3.6 added it), so the CronWorkflow is refused",
  },
  {
    versions: "v3.6",
    applies: (x) => x.major === 3 && x.minor === 6,
    uses: (n) => (n.backoffCap.length ? `the maximum retry delay of ${list(n.backoffCap)}` : undefined),
    breaks: "ignores `retryStrategy.backoff.cap` (v3.7 added it), so delays grow past `retry.backoff.max`",
  },
  {
    versions: "v3.7.11 to v3.7.12",
    applies: (x) => within(x, "3.7.11", "3.7.12"),
    uses: (n) => (n.skippableSwitches.length ? `the case of ${list(n.skippableSwitches)}, a switch inside another switch's branch` : undefined),
    breaks: "requeues a Workflow forever when a `when` reads the case of a switch that was skipped (fixed in v3.7.13)",
  },
  {
    versions: "v4.0.2 to v4.0.3",
    applies: (x) => within(x, "4.0.2", "4.0.3"),
    uses: (n) => (n.skippableSwitches.length ? `the case of ${list(n.skippableSwitches)}, a switch inside another switch's branch` : undefined),
    breaks: "requeues a Workflow forever when a `when` reads the case of a switch that was skipped (fixed in v4.0.4)",
  },
];

export const SUPPORTED_VERSIONS = "v3.7.13 and later v3.7, v4.0.4 and later v4.0, v4.1";
/** The newest minor release this table was written against. */
const KNOWN_NEWEST = v("4.1.0");

export function isSupported(x: ArgoVersion): boolean {
  return (x.major === 3 && x.minor === 7 && x.patch >= 13) || (x.major === 4 && x.minor === 0 && x.patch >= 4) || (x.major === 4 && x.minor === 1);
}

export type VersionVerdict =
  | { level: "supported" }
  | { level: "refuse"; reasons: string[] }
  | { level: "warn"; reason: string };

export function judgeArgoVersion(x: ArgoVersion, needs: ArgoNeeds): VersionVerdict {
  const reasons = BREAKAGES.filter((b) => b.applies(x)).flatMap((b) => {
    const used = b.uses(needs);
    return used ? [`Argo Workflows ${formatVersion(x)} ${b.breaks}; this flow relies on it for ${used}`] : [];
  });
  if (reasons.length) return { level: "refuse", reasons };
  if (isSupported(x)) return { level: "supported" };
  if (x.major > KNOWN_NEWEST.major || (x.major === KNOWN_NEWEST.major && x.minor > KNOWN_NEWEST.minor))
    return { level: "warn", reason: `Argo Workflows ${formatVersion(x)} is newer than the versions flowc knows (${SUPPORTED_VERSIONS}); its output was not checked against it` };
  return { level: "warn", reason: `Argo Workflows ${formatVersion(x)} is not a version flowc supports (${SUPPORTED_VERSIONS}); nothing this flow uses is known to break on it` };
}
