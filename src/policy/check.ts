import type { PolicyInput, PolicyRule, Violation } from "./types.ts";
import { imageLatest, imageRegistry } from "./rules/images.ts";
import { foreachWidth, resourceCeilings } from "./rules/resources.ts";
import { scheduleConcurrency } from "./rules/schedule.ts";
import { plaintextEnv, secretSources } from "./rules/secrets.ts";
import { requiredTags, tagValues } from "./rules/tags.ts";
import { maxStepTimeout, runTimeout, stepRetry, stepTimeout } from "./rules/timeouts.ts";
import { whereKey } from "./where.ts";

/** Every rule, in the order of the policy's keys (schemas/config.schema.json). */
export const RULES: readonly PolicyRule[] = [imageRegistry, imageLatest, requiredTags, tagValues, runTimeout, stepTimeout, maxStepTimeout, stepRetry, resourceCeilings, foreachWidth, scheduleConcurrency, plaintextEnv, secretSources];

/**
 * All violations of the environment's policy. A value set once for many steps (in `defaults`, or
 * the environment's image) is one violation, where it is written, not one per step.
 */
export function checkPolicy(input: PolicyInput): Violation[] {
  const seen = new Set<string>();
  return RULES.flatMap((rule) => rule(input)).filter((v) => {
    const k = `${v.code}|${whereKey(v.where)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
