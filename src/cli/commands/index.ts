import type { Command } from "commander";
import type { Io } from "../io.ts";
import { registerCompile } from "./compile.ts";
import { registerValidate } from "./validate.ts";

export type Register = (program: Command, io: Io, done: (code: number) => void) => void;

/** Every command, in the order `flowc --help` lists them. One file per command. */
export const COMMANDS: Register[] = [registerValidate, registerCompile];
