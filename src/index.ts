/**
 * The public library API of flowc. Everything not exported here is internal and may change. The
 * package's declarations (dist/types, by scripts/build-types.mjs) are emitted from this file: what it
 * exports must not reach the AWS SDK's or the Kubernetes client's types, or every consumer's type
 * check would load them (test/package/pack.test.ts checks that).
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

export type { CompiledFlow } from "./compile/pipeline.ts";
export type { CompileResult, BundleFile, Manifest, TargetName } from "./compile/types.ts";
export type { EnvConfig } from "./config/types.ts";
export type { ReadFlow, ValidFlow } from "./flow/read.ts";

export { compileFlowFile } from "./compile/pipeline.ts";
export { loadFlow } from "./flow/load/index.ts";
export { validateFlow } from "./flow/validate/index.ts";
export { readFlow, isValid } from "./flow/read.ts";
export { analyzeGraph } from "./graph/analyze.ts";
export { formatDiagnostic } from "./diagnostics/format.ts";
export { flowHash } from "./flow/hash.ts";
export { parseCron, nextFireTimes } from "./flow/cron.ts";
export { main as cli } from "./cli/main.ts";
export { FLOWC_VERSION } from "./version.ts";
