import type { EnvConfig } from "../config/types.ts";
import type { ArgoNeeds } from "../contract/argo-versions.ts";
import type { FlowIR } from "../flow/ir.ts";
import type { Problem } from "../flow/normalize.ts";
import type { SpecRef } from "../flow/spec.ts";
import type { Graph } from "../graph/types.ts";

export type TargetName = "sfn" | "argo";

/** Everything a compiler may use. Compilers are pure: no files, no environment, no clock, no SDK. */
export interface CompileInput {
  ir: FlowIR;
  graph: Graph;
  env: EnvConfig;
  spec: SpecRef;
  flowcVersion: string;
  /** The flow file, relative to the configuration's folder: only for the commands messages name. */
  source?: string;
}

export interface BundleFile {
  /** Fixed file name, e.g. train-model.asl.json. */
  name: string;
  content: string;
}

/** A compile problem points into the flow document by path (e.g. ["steps", "fit"]), like validation. */
export type CompileProblem = Problem;

export interface Manifest {
  apiVersion: "flowc.manifest/v1";
  flow: string;
  env: string;
  target: TargetName;
  /** sha256 of the canonical flow IR. */
  contentHash: string;
  flowcVersion: string;
  /** Datastore key of the flow spec (and code package) that tasks load. */
  spec: { key: string; sha256: string };
  package?: { key: string };
  /** Bundle file name → the resource name(s) it becomes. */
  resources: Record<string, string | Record<string, string>>;
  /** Figures a reviewer or a limit check cares about. */
  stats: Record<string, number>;
}

export interface CompileResult {
  files: BundleFile[];
  /** The file printed to stdout when no --out is given. */
  primary: string;
  manifest: Manifest;
  problems: CompileProblem[];
  /** Argo only: what the output relies on that some Argo versions lack, which deploy checks against the cluster's. */
  argoNeeds?: ArgoNeeds;
}

export type Compiler = (input: CompileInput) => CompileResult;
