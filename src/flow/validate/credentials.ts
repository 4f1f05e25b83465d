/**
 * Credentials written in plain text: an `env:` value (or a command argument, or a parameter default)
 * that looks like a key, a token or a password is refused, because it would sit in the state machine
 * definition or the WorkflowTemplate for anyone who can read them. The message names the kind, never
 * the value. docs/governance.md lists what is recognised.
 */

/** Known token shapes: recognised wherever they appear (they are specific enough not to misfire). */
const SHAPES: { kind: string; re: RegExp }[] = [
  { kind: "an AWS access key id", re: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/ },
  { kind: "a private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----/ },
  { kind: "a GitHub token", re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/ },
  { kind: "a GitLab token", re: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { kind: "a Slack token", re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: "a Stripe key", re: /\b[sr]k_live_[A-Za-z0-9]{20,}/ },
  { kind: "a Google API key", re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: "an API key (sk-…)", re: /\bsk-(?:proj-|ant-[a-z0-9]+-)?[A-Za-z0-9_-]{20,}/ },
  { kind: "an npm token", re: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: "a JSON Web Token", re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
];

/**
 * `scheme://user:password@host`, unless the password is a placeholder. The scheme starts where no
 * scheme character precedes it and is bounded: otherwise a long value is searched from every
 * position (quadratic: a 300 KB parameter default took a minute).
 */
const URL_PASSWORD = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,31}:\/\/[^/\s:@]+:([^/\s@]+)@/i;
const PLACEHOLDER = /^(?:\$|\{\{|<|\*+$|x+$|\.\.\.)/i;

/** Names under which a value is a secret: `DB_PASSWORD`, `API_TOKEN`, `AWS_SECRET_ACCESS_KEY`, … */
export const SECRET_NAME = /(?:PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY|CLIENT_?SECRET)/i;
const PASSWORD_NAME = /(?:PASSWORD|PASSWD|PASSPHRASE)/i;
/** …but these name where a secret is, or describe it, rather than hold it. */
const REFERENCE_NAME = /_(?:NAME|ARN|ID|FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|REGION|TTL|TIMEOUT|EXPIRY|HEADER|TYPE|LENGTH|ENABLED|VERSION|STAGE|KEY_ID)$/i;
/** Values that point somewhere: a path, an ARN, a URL without credentials, a template or placeholder. */
const POINTER_VALUE = /^(?:arn:|\/|\.{1,2}\/|~\/|s3:\/\/|ssm:|secretsmanager:|\$|\{\{|<.*>$|https?:\/\/\S+$)/i;
/** Values that are settings rather than secrets (except under a password-like name). */
const FLAG_VALUE = /^(?:true|false|yes|no|none|null|\d+(?:\.\d+)?)$/i;

/** Whether an environment variable name is one a secret goes under. */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name) && !REFERENCE_NAME.test(name);

/** What the text looks like when it holds a known token shape or a password in a URL; else undefined. */
export function credentialShape(text: string): string | undefined {
  for (const s of SHAPES) if (s.re.test(text)) return s.kind;
  const url = text.includes("://") ? URL_PASSWORD.exec(text) : null;
  if (url && !PLACEHOLDER.test(url[1]!)) return "a URL with a password in it";
  return undefined;
}

/**
 * What `name=value` looks like when it is a credential: a known token shape anywhere; under a
 * password-like name any value that is not a reference; under another secret-like name a value
 * with the character mix of a generated key or token.
 */
export function credentialKind(name: string, value: string): string | undefined {
  const shape = credentialShape(value);
  if (shape) return shape;
  const v = value.trim();
  if (!isSecretName(name) || !v || POINTER_VALUE.test(v)) return undefined;
  if (PASSWORD_NAME.test(name) && v.length >= 4) return "a password";
  if (FLAG_VALUE.test(v) || /\s/.test(v)) return undefined;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(v)).length;
  const bits = entropy(v);
  if ((v.length >= 16 && bits >= 3.5 && classes >= 2 && /\d/.test(v)) || (v.length >= 12 && bits >= 3 && classes >= 3)) return "a generated key or token";
  return undefined;
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}
