/**
 * What the configuration schema's patterns mean, in words: a person reads "an AWS region such as
 * eu-west-1", not `^[a-z]{2}(-[a-z]+)+-\d$`. Keyed by the pattern text in schemas/config.schema.json.
 */
const WORDS: Record<string, string> = {
  "^[a-z][a-z0-9-]*$": "lowercase letters, digits and '-', starting with a letter",
  "^(s3://[a-z0-9][a-z0-9.-]*[a-z0-9](/.*)?|/.*|\\..*)$": "s3://bucket/prefix, or a local folder (absolute, or starting with .)",
  "^[a-z]{2}(-[a-z]+)+-\\d$": "an AWS region such as eu-west-1",
  "^\\d{12}$": "a 12-digit AWS account id, quoted (\"123456789012\")",
  "^[A-Za-z0-9_-]*\\{flow\\}[A-Za-z0-9_-]*$": "a name pattern containing {flow}, such as ml-{flow}",
  "^arn:aws[a-z-]*:iam::\\d{12}:role/.+$": "an IAM role ARN (arn:aws:iam::123456789012:role/NAME)",
  "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$": "a Kubernetes name: lowercase letters, digits and '-'",
  "^https://": "an https:// URL (webhooks are called over TLS)",
};

export const patternWords = (pattern: unknown): string => WORDS[String(pattern)] ?? "in the form the schema describes";
