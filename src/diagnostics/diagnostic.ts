/**
 * Diagnostics are data: every problem flowc finds is collected as one of these, never thrown one by one.
 * Codes are part of the public contract (CI and editors match on them); wording may change, codes may not.
 */
export type Severity = "error" | "warning";

export type DiagnosticCode =
  // reading the file
  | "FILE_NOT_FOUND"
  | "FILE_UNSUPPORTED"
  | "YAML_SYNTAX"
  | "YAML_EMPTY"
  | "DUPLICATE_KEY"
  | "TS_LOAD"
  // schema
  | "API_VERSION"
  | "UNKNOWN_KEY"
  | "MISSING_KEY"
  | "WRONG_TYPE"
  | "INVALID_VALUE"
  | "INVALID_NAME"
  | "INVALID_DURATION"
  | "INVALID_MEMORY"
  | "INVALID_CRON"
  | "INVALID_TIMEZONE"
  | "INVALID_CONCURRENCY"
  | "PARAM_DEFAULT_TYPE"
  | "PARAM_REQUIRED_WITH_DEFAULT"
  | "TRIGGER_PARAM_UNKNOWN"
  | "UNKNOWN_PLACEHOLDER"
  | "PLACEHOLDER_TYPE"
  | "PARAM_NOT_SUPPLIED"
  | "MAPPING_LITERAL"
  // graph
  | "MISSING_START"
  | "MISSING_END"
  | "END_HAS_NEXT"
  | "START_IS_JOIN"
  | "NO_NEXT"
  | "CONFLICTING_TRANSITIONS"
  | "STEP_NO_ACTION"
  | "STEP_BOTH_ACTIONS"
  | "UNKNOWN_TARGET"
  | "SELF_LOOP"
  | "CYCLE"
  | "UNREACHABLE"
  | "DUPLICATE_BRANCH"
  | "UNCLOSED_SPLIT"
  | "UNCLOSED_FOREACH"
  | "WRONG_JOIN"
  | "JOIN_NOTHING"
  | "MISSING_JOIN"
  | "PARALLELISM_NOT_FOREACH"
  // secrets (docs/governance.md)
  | "INVALID_SECRET"
  | "SECRET_ENV_CONFLICT"
  | "PLAINTEXT_SECRET"
  // configuration and compilation (used by later stages)
  | "CONFIG_INVALID"
  | "CONFIG_ENV_UNKNOWN"
  | "LIMIT_EXCEEDED"
  | "TARGET_UNSUPPORTED"
  | "SECRET_UNRESOLVED"
  // organization policies: `policy:` of an environment in flowc.config.yaml (src/policy)
  | PolicyCode;

/** One code per policy rule; a violation also names the policy key it breaks (`policy`). */
export type PolicyCode =
  | "POLICY_IMAGE_REGISTRY"
  | "POLICY_IMAGE_LATEST"
  | "POLICY_TAG_MISSING"
  | "POLICY_TAG_VALUE"
  | "POLICY_RUN_TIMEOUT_MISSING"
  | "POLICY_TIMEOUT_MISSING"
  | "POLICY_TIMEOUT_TOO_LONG"
  | "POLICY_RETRY_MISSING"
  | "POLICY_CPU_LIMIT"
  | "POLICY_MEMORY_LIMIT"
  | "POLICY_GPU_LIMIT"
  | "POLICY_FOREACH_UNBOUNDED"
  | "POLICY_FOREACH_WIDTH"
  | "POLICY_SCHEDULE_CONCURRENCY"
  | "POLICY_PLAINTEXT_ENV"
  | "POLICY_SECRET_SOURCE";

export interface Position {
  line: number; // 1-based
  col: number; // 1-based
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** One line telling the user what to do about it. */
  hint?: string;
  file: string;
  start: Position;
  end?: Position;
  /** Path inside the flow document, e.g. ["steps", "a", "next"]. */
  path?: (string | number)[];
  /** Policy violations: the policy key broken, where it is set in the configuration file, and its value. */
  policy?: PolicyRef;
}

export interface PolicyRef {
  /** Dotted path in the configuration file, e.g. `environments.prod.policy.resources.gpu`. */
  key: string;
  file: string;
  line: number;
  col: number;
  /** The policy's setting, as written. */
  value: unknown;
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === "error");

/** A stable order (file, line, column, code) so that output never depends on rule order. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.start.line - b.start.line ||
      a.start.col - b.start.col ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}
