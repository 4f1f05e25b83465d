import type { ParamProblem } from "../contract/params.ts";
import type { ParameterIR } from "../flow/ir.ts";
import { CliError, EXIT } from "./io.ts";

/**
 * Wrong `--param` flags (run, trigger) as one usage error: the first problem's code, every problem on
 * its own line, and the parameters the flow declares as the hint.
 */
export function paramError(problems: readonly ParamProblem[], declared: readonly ParameterIR[], outcome: string): CliError {
  const [first, ...rest] = problems;
  const lines = [first!.message, ...rest.map((p) => `       error ${p.code}: ${p.message}`)];
  const takes = declared.map((p) => `${p.name} (${p.type}${p.required ? ", required" : p.default !== undefined ? `, default ${JSON.stringify(p.default)}` : ""})`);
  return new CliError(`${lines.join("\n")}\n${outcome}`, EXIT.usage, `pass --param name=value; ${takes.length ? `the flow takes: ${takes.join(", ")}` : "the flow takes no parameters"}`, first!.code);
}
