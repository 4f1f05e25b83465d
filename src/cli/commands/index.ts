import type { Command } from "commander";
import type { Io } from "../io.ts";
import { registerBackfill } from "./backfill.ts";
import { registerCompile } from "./compile.ts";
import { registerDelete } from "./delete.ts";
import { registerDeploy } from "./deploy.ts";
import { registerDiff } from "./diff.ts";
import { registerPromote } from "./promote.ts";
import { registerResume } from "./resume.ts";
import { registerLogs } from "./logs.ts";
import { registerNotify } from "./notify.ts";
import { registerRollback } from "./rollback.ts";
import { registerTrigger } from "./trigger.ts";
import { registerVersions } from "./versions.ts";
import { registerRun } from "./run.ts";
import { registerRuns } from "./runs.ts";
import { registerShow } from "./show.ts";
import { registerStep } from "./step.ts";
import { registerValidate } from "./validate.ts";

export type Register = (program: Command, io: Io, done: (code: number) => void) => void;

/** Every command, in the order `flowc --help` lists them. One file per command. */
export const COMMANDS: Register[] = [registerValidate, registerCompile];
// The runtime (issue 5): run, step (with the hidden pool worker), runs, show.
COMMANDS.push(registerRun, registerStep, registerRuns, registerShow);
// Deploying (issue 6; target-neutral, dispatched through deployTarget): deploy, diff, versions, promote, rollback, trigger, delete.
COMMANDS.push(registerDeploy, registerDiff, registerVersions, registerPromote, registerRollback, registerTrigger, registerDelete);
// Operating deployed flows: runs for a time.
COMMANDS.push(registerBackfill, registerResume, registerLogs, registerNotify);
