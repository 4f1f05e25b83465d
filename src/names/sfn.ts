import type { EnvConfig } from "../config/types.ts";
import { NAME_LIMITS } from "./limits.ts";
import { fitName } from "./shorten.ts";

const awsName = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, "-");

/**
 * Names of everything flowc creates on AWS for a flow in an environment. These are part of the public
 * contract (golden tests pin them): changing one orphans deployed resources.
 */
export function sfnNames(flow: string, env: EnvConfig) {
  const machine = env.sfn?.stateMachineName ?? fitName([flow], NAME_LIMITS.sfnStateMachineName, { sanitize: awsName });
  return {
    stateMachine: machine,
    /** One alias per environment: promote moves it between versions. */
    alias: fitName([env.name], NAME_LIMITS.sfnAliasName, { sanitize: awsName }),
    schedule: fitName([flow, env.name], NAME_LIMITS.schedulerScheduleName, { sanitize: awsName }),
    rule: (suffix: string) => fitName([flow, env.name, suffix], NAME_LIMITS.eventBridgeRuleName, { sanitize: awsName }),
  };
}

/** A Step Functions state name within the 80-character limit. */
export const stateName = (...parts: string[]) => fitName(parts, NAME_LIMITS.sfnStateName, { sep: "." });
