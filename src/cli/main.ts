import { Command, CommanderError } from "commander";
import { FLOWC_VERSION } from "../version.ts";
import { COMMANDS } from "./commands/index.ts";
import { CliError, EXIT, processIo, type Io } from "./io.ts";

export function buildProgram(io: Io, done: (code: number) => void): Command {
  const program = new Command("flowc")
    .description(
      "Write a flow (a DAG of steps) once, run it locally, and compile and deploy it to AWS Step Functions or Argo Workflows.",
    )
    .version(FLOWC_VERSION, "-V, --version", "print the flowc version")
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ flowc validate examples/train.yaml
  $ flowc run examples/train.yaml --param day=2026-11-29
  $ flowc compile examples/train.yaml --target sfn --env prod --out build/
  $ flowc diff examples/train.yaml --target sfn --env prod
  $ flowc deploy examples/train.yaml --target sfn --env prod

Docs: docs/README.md`,
    );
  for (const register of COMMANDS) register(program, io, done);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });
  return program;
}

/** The whole CLI as a function: argv in, exit code out. bin/flowc is a thin wrapper around it. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      if (e.code === "commander.executeSubCommandAsync") return EXIT.ok;
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      io.stderr(`flowc: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ""}`);
      return e.exitCode;
    }
    io.stderr(`flowc: internal error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in flowc; please report it with the command you ran.\n`);
    return 3;
  }
}
