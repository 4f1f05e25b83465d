import { startFor, type RunContext } from "../contract/run-context.ts";
import type { FlowIR } from "../flow/ir.ts";
import { parseTimeArg } from "../util/zoned-time.ts";
import { CliError, EXIT } from "./io.ts";

/** How `--scheduled-time`, `--from` and `--to` are written, for hints. */
export const TIME_HINT = "write 2026-12-04T06:00:00Z, 2026-12-04T06:00 (in the schedule's time zone) or 2026-12-04";

/** A time flag, read in the flow's schedule time zone when it has no zone of its own. */
export function timeFlag(ir: FlowIR, flag: string, text: string): Date {
  const at = parseTimeArg(text, ir.schedule?.timezone);
  if (!at) throw new CliError(`${flag} ${JSON.stringify(text)} is not a time`, EXIT.usage, TIME_HINT);
  return at;
}

/** Now and by hand, or as the schedule would start it for --scheduled-time. */
export function startAt(ir: FlowIR, scheduledTime: string | undefined): { context: RunContext; mapped: Record<string, unknown> } {
  if (scheduledTime === undefined) return { context: startFor(ir, undefined, "manual").context, mapped: {} };
  const at = timeFlag(ir, "--scheduled-time", scheduledTime);
  const s = startFor(ir, at, ir.schedule ? "schedule" : "manual");
  if (s.errors.length) throw new CliError(s.errors.join("; "), EXIT.usage);
  return { context: s.context, mapped: s.mapped };
}

