import { compileArgo } from "./argo/index.ts";
import { compileSfn } from "./sfn/index.ts";
import type { Compiler, TargetName } from "./types.ts";

export const TARGETS: Record<TargetName, Compiler> = { sfn: compileSfn, argo: compileArgo };

export const isTarget = (t: string): t is TargetName => t in TARGETS;
