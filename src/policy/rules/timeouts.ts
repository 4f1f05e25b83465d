import { parseDuration } from "../../flow/units.ts";
import type { PolicyRule, Violation } from "../types.ts";
import { stepOrigin } from "../where.ts";

/** run.timeout: required: the flow bounds how long a whole run may take. */
export const runTimeout: PolicyRule = (input) =>
  input.policy.run?.timeout === "required" && input.ir.timeoutSeconds === undefined
    ? [
        {
          code: "POLICY_RUN_TIMEOUT_MISSING",
          message: `flow \`${input.ir.name}\` sets no \`timeout\`: a stuck run would hold its resources for as long as the platform allows`,
          hint: "add a top-level timeout, e.g. timeout: 6h",
          where: { in: "flow", path: ["name"], part: "key" },
          rule: ["run", "timeout"],
        },
      ]
    : [];

/** steps.timeout: required: every step has a timeout (its own or from defaults). */
export const stepTimeout: PolicyRule = (input) =>
  input.policy.steps?.timeout !== "required"
    ? []
    : input.ir.steps
        .filter((s) => s.timeoutSeconds === undefined)
        .map(
          (s): Violation => ({
            code: "POLICY_TIMEOUT_MISSING",
            message: `step \`${s.name}\` has no timeout`,
            hint: "give it `timeout:` (or set one under `defaults`)",
            where: { in: "flow", path: ["steps", s.name], part: "key" },
            rule: ["steps", "timeout"],
          }),
        );

/** steps.maxTimeout: no step may run longer than this. */
export const maxStepTimeout: PolicyRule = (input) => {
  const max = input.policy.steps?.maxTimeout;
  const limit = max ? parseDuration(max) : undefined;
  if (!limit) return [];
  return input.ir.steps
    .filter((s) => (s.timeoutSeconds ?? 0) > limit)
    .map(
      (s): Violation => ({
        code: "POLICY_TIMEOUT_TOO_LONG",
        message: `step \`${s.name}\` may run ${s.timeoutSeconds}s, longer than the ${max} allowed`,
        hint: `lower its timeout to ${max} or less`,
        where: stepOrigin(input, s, ["timeout"]),
        rule: ["steps", "maxTimeout"],
      }),
    );
};

/** steps.retry: required: every step retries at least once. */
export const stepRetry: PolicyRule = (input) =>
  input.policy.steps?.retry !== "required"
    ? []
    : input.ir.steps
        .filter((s) => s.retry.times < 1)
        .map(
          (s): Violation => ({
            code: "POLICY_RETRY_MISSING",
            message: `step \`${s.name}\` is not retried`,
            hint: "give it `retry: { times: 1 }` or more (or set it under `defaults`)",
            where: stepOrigin(input, s, ["retry"]),
            rule: ["steps", "retry"],
          }),
        );
