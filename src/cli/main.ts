import { Command, CommanderError } from "commander";
import { FLOWC_VERSION } from "../version.ts";
import { COMMANDS } from "./commands/index.ts";
import { docPaths } from "./docs.ts";
import { explainError, printError } from "./errors.ts";
import { CliError, EXIT, processIo, type Io } from "./io.ts";

export function buildProgram(io: Io, done: (code: number) => void): Command {
  const program = new Command("flowc")
    .description(
      "Write a flow (a DAG of steps) once, run it locally, and compile and deploy it to AWS Step Functions or Argo Workflows.",
    )
    .version(FLOWC_VERSION, "-V, --version", "print the flowc version")
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText(
      "after",
      `
Examples:
  $ flowc validate examples/train.yaml
  $ flowc run examples/train.yaml --param day=2026-11-29
  $ flowc compile examples/train.yaml --target sfn --env prod --out out/sfn
  $ flowc diff examples/train.yaml --target sfn --env prod
  $ flowc deploy examples/train.yaml --target sfn --env prod

Docs: ${docPaths("docs/README.md", io.cwd)}`,
    );
  for (const register of COMMANDS) register(program, io, done);
  for (const cmd of [program, ...program.commands]) {
    if (cmd !== program) cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => io.stdout(docPaths(s, io.cwd)),
      writeErr: (s) => io.stderr(docPaths(s, io.cwd)),
      outputError: (s, write) => write(usageError(s, cmd === program ? "flowc --help" : `flowc ${cmd.name()} --help`)),
    });
  }
  return program;
}

/** Commander's own messages (unknown option, missing argument, …) in the form of every other error. */
function usageError(text: string, help: string): string {
  const lines = text.trim().replace(/^error: /, "").split("\n");
  const suggestion = lines.find((l) => /^\(Did you mean/.test(l))?.replace(/^\(Did you mean (.*)\)$/, "did you mean $1");
  const message = lines.filter((l) => !/^\(Did you mean/.test(l)).join(" ");
  return `flowc: error USAGE: ${message}\n  hint: ${suggestion ? `${suggestion} ` : ""}${suggestion ? "(" : ""}${help} lists what it takes${suggestion ? ")" : ""}\n`;
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
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.ok;
      if (e.code === "commander.executeSubCommandAsync") return EXIT.ok;
      // `flowc help` asked for the help (0); `flowc` alone got it on stderr instead of a command (2).
      if (e.code === "commander.help") return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return EXIT.usage;
    }
    const explained = await explainError(e);
    if (explained) {
      printError(io, new CliError(docPaths(explained.message, io.cwd), explained.exitCode, explained.hint && docPaths(explained.hint, io.cwd), explained.code));
      return explained.exitCode;
    }
    io.stderr(`flowc: internal error: ${(e as Error)?.stack ?? String(e)}\nThis is a bug in flowc; please report it with the command you ran.\n`);
    return 3;
  }
}
