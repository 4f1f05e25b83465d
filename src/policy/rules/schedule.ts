import type { PolicyRule } from "../types.ts";
import { flowPath } from "../where.ts";

/** schedule.concurrency: the overlap modes a scheduled flow may use. */
export const scheduleConcurrency: PolicyRule = (input) => {
  const allowed = input.policy.schedule?.concurrency;
  const s = input.ir.schedule;
  if (!allowed || !s || allowed.includes(s.concurrency)) return [];
  return [
    {
      code: "POLICY_SCHEDULE_CONCURRENCY",
      message: `the schedule's concurrency is ${s.concurrency}${s.concurrency === "allow" ? " (the default: scheduled runs may overlap)" : ""}; environment \`${input.env.name}\` allows ${allowed.join(", ")}`,
      hint: `set schedule.concurrency to ${allowed.join(" or ")}`,
      where: flowPath(input, ["schedule", "concurrency"], ["schedule"]),
      rule: ["schedule", "concurrency"],
    },
  ];
};
