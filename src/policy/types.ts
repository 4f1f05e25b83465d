import type { EnvConfig, PolicyConfig } from "../config/types.ts";
import type { PolicyCode } from "../diagnostics/diagnostic.ts";
import type { FlowIR } from "../flow/ir.ts";
import type { DocPath } from "../flow/load/source.ts";

/** What every rule reads: the flow (IR, and the document to tell where a value was written) and the environment. */
export interface PolicyInput {
  ir: FlowIR;
  /** The flow document as written (YAML, or a TypeScript module's plain data). */
  raw: unknown;
  env: EnvConfig;
  policy: PolicyConfig;
}

/** Where a violating value is written: in the flow, or in the environment's configuration. */
export type Where = { in: "flow"; path: DocPath; part?: "key" | "value" } | { in: "config"; path: DocPath };

export interface Violation {
  code: PolicyCode;
  message: string;
  hint: string;
  where: Where;
  /** The policy key broken, below `policy:` (e.g. ["resources", "gpu"]). */
  rule: string[];
}

/** A rule: small, pure, one concern; it returns every violation it finds. */
export type PolicyRule = (input: PolicyInput) => Violation[];
