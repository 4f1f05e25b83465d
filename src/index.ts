/**
 * The public library API of flowc. Everything not exported here is internal and may change.
 */
export { flow, step, FLOW_BRAND } from "./flow/author/index.ts";
export type * from "./flow/author/types.ts";

export type {
  FlowIR,
  StepIR,
  TransitionIR,
  ActionIR,
  ParameterIR,
  RetryIR,
  BackoffIR,
  ResourcesIR,
  ScheduleIR,
  TriggerIR,
  SecretIR,
  Concurrency,
} from "./flow/ir.ts";
export type { Diagnostic, DiagnosticCode, PolicyCode, PolicyRef, Severity, Position } from "./diagnostics/diagnostic.ts";
export type { Graph, GraphNode, Frame } from "./graph/types.ts";

export { loadFlow } from "./flow/load/index.ts";
export { validateFlow } from "./flow/validate/index.ts";
export { readFlow, isValid } from "./flow/read.ts";
export { analyzeGraph } from "./graph/analyze.ts";
export { formatDiagnostic } from "./diagnostics/format.ts";
export { flowHash } from "./flow/hash.ts";
export { parseCron, nextFireTimes } from "./flow/cron.ts";
export { main as cli } from "./cli/main.ts";
export { FLOWC_VERSION } from "./version.ts";
