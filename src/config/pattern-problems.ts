/**
 * What to say when a configuration value fails a pattern of schemas/config.schema.json, for values
 * where "must match pattern …" would leave the user guessing. Keyed by the value's path.
 */
export interface PatternProblem {
  message: string;
  hint: string;
}

const LOG_GROUP = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^:*]+$/;

export function patternProblem(path: readonly string[], value: unknown): PatternProblem | undefined {
  const at = path.join(".");
  // CreateStateMachine refuses a log group ARN without the `:*` suffix, and only at deploy time.
  if (path.length >= 2 && path.at(-1) === "logGroupArn" && path.at(-2) === "logging") {
    const text = String(value);
    return {
      message: `\`${at}\` must be a CloudWatch Logs log group ARN ending in \`:*\` (Step Functions requires the suffix): got \`${text}\``,
      hint: LOG_GROUP.test(text) ? `write ${text}:*` : "write arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*",
    };
  }
  return undefined;
}
