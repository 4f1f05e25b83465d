import type { PolicyRule, Violation } from "../types.ts";
import { flowPath } from "../where.ts";

/** tags.required: every deployed resource carries these (from the flow's `tags` or the environment's). */
export const requiredTags: PolicyRule = (input) => {
  const have = { ...input.env.tags, ...input.ir.tags };
  return (input.policy.tags?.required ?? [])
    .filter((t) => !(t in have))
    .map(
      (t): Violation => ({
        code: "POLICY_TAG_MISSING",
        message: `the flow has no tag \`${t}\`, which every resource in environment \`${input.env.name}\` must carry`,
        hint: `add it: tags: { ${t}: … } (or set it for the environment in flowc.config.yaml)`,
        where: flowPath(input, ["tags"], ["name"]),
        rule: ["tags", "required"],
      }),
    );
};

/** tags.values: a tag's value matches the policy's pattern in full. */
export const tagValues: PolicyRule = (input) => {
  const out: Violation[] = [];
  for (const [tag, pattern] of Object.entries(input.policy.tags?.values ?? {})) {
    const fromFlow = tag in input.ir.tags;
    const value = fromFlow ? input.ir.tags[tag] : input.env.tags[tag];
    if (value === undefined || new RegExp(`^(?:${pattern})$`).test(value)) continue;
    out.push({
      code: "POLICY_TAG_VALUE",
      message: `tag \`${tag}\` is ${JSON.stringify(value)}, which does not match ${pattern}`,
      hint: `give \`${tag}\` a value matching ${pattern}`,
      where: fromFlow ? { in: "flow", path: ["tags", tag], part: "value" } : { in: "config", path: ["environments", input.env.name, "tags", tag] },
      rule: ["tags", "values", tag],
    });
  }
  return out;
};
