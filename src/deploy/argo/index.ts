import type { DeployTarget } from "../target.ts";

const notYet = async (): Promise<never> => {
  throw new Error("deploying to argo is not built yet");
};

/** Placeholder until the argo deploy lands. */
export const argoTarget: DeployTarget = { name: "argo", plan: notYet, apply: notYet, destroy: notYet, trigger: notYet, runs: notYet };
