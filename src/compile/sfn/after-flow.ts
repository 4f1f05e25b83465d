import { machineName } from "../../names/sfn.ts";
import type { SfnContext } from "./context.ts";

/**
 * The event's `detail` is what DescribeExecution says of the run: `stateMachineArn` is always the base
 * machine, and `stateMachineAliasArn` the alias the run was started through (null without one).
 * Environments resolving to the same upstream machine (same name, account and region: the default)
 * differ only there, so the alias is matched too; without it, a staging run of the upstream would
 * start the prod downstream and the other way round. flowc starts every run through the environment's
 * alias (deploy's schedules and rules, `flowc trigger`), so nothing of ours is lost; a run started on
 * the bare machine ARN (the console's default) belongs to no environment and starts nothing.
 */
export function afterFlowPattern(ctx: SfnContext, upstream: string): Record<string, unknown> {
  const machine = machineName(upstream, ctx.env);
  return {
    source: ["aws.states"],
    "detail-type": ["Step Functions Execution Status Change"],
    detail: { status: ["SUCCEEDED"], stateMachineArn: [ctx.arns.machine(machine)], stateMachineAliasArn: [ctx.arns.alias(machine, ctx.names.alias)] },
  };
}
