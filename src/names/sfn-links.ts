import type { SfnConfig } from "../config/types.ts";

/** The AWS console for an environment's region and partition; sfn.consoleUrl overrides it. */
export function consoleBase(sfn: SfnConfig): string {
  if (sfn.consoleUrl) return sfn.consoleUrl.replace(/\/+$/, "");
  if (sfn.partition === "aws-cn") return `https://${sfn.region}.console.amazonaws.cn`;
  if (sfn.partition === "aws-us-gov") return "https://console.amazonaws-us-gov.com";
  return `https://${sfn.region}.console.aws.amazon.com`;
}

const at = (sfn: SfnConfig, fragment: string) => `${consoleBase(sfn)}/states/home?region=${sfn.region}#/${fragment}`;

export const machineLink = (sfn: SfnConfig, arn: string) => at(sfn, `statemachines/view/${encodeURIComponent(arn)}`);
export const aliasLink = (sfn: SfnConfig, arn: string) => at(sfn, `aliases/view/${encodeURIComponent(arn)}`);
export const executionLink = (sfn: SfnConfig, arn: string) => at(sfn, `v2/executions/details/${encodeURIComponent(arn)}`);
