import type { DeployTarget } from "../target.ts";

const notYet = async (): Promise<never> => {
  throw new Error("deploying to sfn is not built yet");
};

/** Placeholder until the sfn deploy lands. */
export const sfnTarget: DeployTarget = { name: "sfn", plan: notYet, apply: notYet, destroy: notYet, trigger: notYet, runs: notYet };
