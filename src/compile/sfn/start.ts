import { RUN_CONTEXT_PARAM } from "../../contract/run-context.ts";
import type { JsonValue } from "../../flow/ir.ts";
import type { State } from "./asl.ts";
import { buildSharedEnv, contextSelector, type SfnContext } from "./context.ts";
import { concurrencyStates } from "./concurrency.ts";

/**
 * The states before the first step: merge parameter defaults under the execution input, build the
 * context object, fail at once on a missing required parameter, then apply the schedule's
 * concurrency policy. No task runs before all of them pass. State names here start with an upper-case
 * letter, which step names cannot, so they never collide with a step or its helpers.
 */
export function startStates(ctx: SfnContext, first: string): { startAt: string; states: Record<string, State> } {
  const defaults: Record<string, JsonValue> = {};
  for (const p of ctx.ir.parameters) if (p.default !== undefined) defaults[p.name] = p.default;
  const hasDefaults = Object.keys(defaults).length > 0;
  const params = hasDefaults ? "States.JsonMerge($.defaults, $.input, false)" : "$";
  ctx.sharedEnv = buildSharedEnv(ctx.env, ctx.spec, ctx.commonStepEnv, params);

  const required = ctx.ir.parameters.filter((p) => p.required);
  const concurrency = concurrencyStates(ctx, first);
  const afterCheck = concurrency?.startAt ?? first;
  const afterContext = required.length ? "Required" : afterCheck;

  const states: Record<string, State> = {};
  if (hasDefaults)
    states.Defaults = {
      Type: "Pass",
      Comment: "Parameter defaults; the execution input wins over them.",
      Parameters: { "input.$": "$", defaults },
      Next: "Context",
    };
  states.Context = {
    Type: "Pass",
    Comment: "The context every state passes on: run id, foreach index, parameters, the task environment and what every task runs on.",
    Parameters: { "runId.$": "$$.Execution.Name", index: "", "params.$": params, env: ctx.sharedEnv, compute: ctx.compute.fields },
    Next: "Resumed",
  };
  // `flowc resume` starts a new execution (its own name) that continues a run: the run id is then
  // the one in the run context, so its tasks find the tasks the run has finished (docs/scheduling.md).
  states.Resumed = {
    Type: "Choice",
    Comment: "A new execution that resumes a run carries that run's id.",
    Choices: [{ Variable: `$.params.${RUN_CONTEXT_PARAM}.runId`, IsPresent: true, Next: "Resumed.run" }],
    Default: afterContext,
  };
  states["Resumed.run"] = {
    Type: "Pass",
    Parameters: contextSelector("$", { runId: `$.params.${RUN_CONTEXT_PARAM}.runId` }),
    Next: afterContext,
  };
  if (required.length) {
    states.Required = {
      Type: "Choice",
      Comment: "Required parameters must be in the execution input.",
      Choices: required.map((p) => ({ Not: { Variable: `$.params.${p.name}`, IsPresent: true }, Next: `Missing.${p.name}` })),
      Default: afterCheck,
    };
    for (const p of required)
      states[`Missing.${p.name}`] = {
        Type: "Fail",
        Error: "flowc.MissingParameter",
        Cause: `the required parameter \`${p.name}\` (${p.type}) is missing from the execution input`,
      };
  }
  Object.assign(states, concurrency?.states);
  return { startAt: hasDefaults ? "Defaults" : "Context", states };
}
