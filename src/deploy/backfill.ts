/**
 * `flowc backfill`: one run per tick of the flow's schedule in [from, to), each with that tick as its
 * scheduled time and the schedule's parameters for it, exactly as the live schedule would have
 * started it (docs/scheduling.md). Target-neutral: the command gives it a way to launch a tick's run
 * and wait for it (a deployed target, or `flowc run` for --local).
 *
 * Idempotent by name: a tick's run is named from the flow, environment and tick, so a second backfill
 * (or one overlapping the live schedule, which Argo names the same way) finds the run and starts
 * nothing; on Step Functions, runs the schedule started are found by the tick in their input.
 */
import { startFor, type RunContext } from "../contract/run-context.ts";
import { fireTimesBetween } from "../flow/cron.ts";
import type { FlowIR } from "../flow/ir.ts";

/** More ticks than this need --yes: a mistyped year should not start a thousand runs. */
export const MAX_TICKS_WITHOUT_YES = 100;
/** Never more than this in one backfill. */
export const MAX_TICKS = 10_000;

export interface Tick {
  at: Date;
  context: RunContext;
  /** The schedule's parameters expanded for this tick. */
  params: Record<string, unknown>;
}

export type TickPlan = { ok: true; ticks: Tick[] } | { ok: false; error: string; hint: string };

/** The ticks of the flow's schedule in [from, to), with their run context and parameters. */
export function planTicks(ir: FlowIR, from: Date, to: Date, opts: { yes: boolean }): TickPlan {
  const s = ir.schedule;
  if (!s) return { ok: false, error: `flow \`${ir.name}\` has no schedule, so it has no ticks to backfill`, hint: "give it `schedule: { cron: ..., parameters: ... }`, or start single runs with flowc trigger --scheduled-time" };
  if (!(to.getTime() > from.getTime())) return { ok: false, error: `--to (${to.toISOString()}) is not after --from (${from.toISOString()})`, hint: "give the earlier time as --from" };
  const limit = opts.yes ? MAX_TICKS : MAX_TICKS_WITHOUT_YES;
  const { times, more } = fireTimesBetween(s.cron, s.timezone, from, to, limit);
  if (more)
    return opts.yes
      ? { ok: false, error: `the range holds more than ${MAX_TICKS} ticks of "${s.cron}"`, hint: "backfill it in parts" }
      : { ok: false, error: `the range holds more than ${MAX_TICKS_WITHOUT_YES} ticks of "${s.cron}"`, hint: `check --from and --to; to start that many runs, add --yes (at most ${MAX_TICKS})` };
  const ticks: Tick[] = [];
  for (const at of times) {
    const start = startFor(ir, at, "backfill");
    if (start.errors.length) return { ok: false, error: start.errors.join("; "), hint: "fix the schedule's parameters" };
    ticks.push({ at, context: start.context, params: start.mapped });
  }
  return { ok: true, ticks };
}

/** How far parallel backfilled runs may go: one at a time where the flow forbids or replaces overlapping runs. */
export function allowedParallel(ir: FlowIR, asked: number): { parallel: number; note?: string } {
  const c = ir.schedule?.concurrency ?? "allow";
  if (c === "allow" || asked <= 1) return { parallel: asked };
  return { parallel: 1, note: `the flow's schedule has concurrency: ${c}, so backfilled runs go one at a time (${c === "forbid" ? "a run started while another runs would stop itself" : "each run would stop the one before it"})` };
}

/** What happened to one tick. */
export interface TickOutcome {
  tick: Tick;
  name: string;
  /** started: a new run; existed: a run of this name (or the live schedule's run for the tick) was there. */
  how: "started" | "existed";
  status: string;
  ok: boolean;
  link?: string;
  error?: string;
}

export interface Launcher {
  /** Starts (or finds) the tick's run; resolves when it has ended, with its final status. */
  run(tick: Tick, events: { started(name: string, how: TickOutcome["how"], status: string): void }): Promise<Omit<TickOutcome, "tick">>;
}

export interface BackfillEvents {
  started?(tick: Tick, name: string, how: TickOutcome["how"], status: string): void;
  finished?(outcome: TickOutcome): void;
}

/** Runs the ticks oldest first, at most `parallel` at once; every tick is attempted even when one fails. */
export async function runTicks(ticks: Tick[], parallel: number, launcher: Launcher, events: BackfillEvents = {}): Promise<TickOutcome[]> {
  const outcomes: TickOutcome[] = new Array(ticks.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ticks.length; i = next++) {
      const tick = ticks[i]!;
      let outcome: TickOutcome;
      try {
        outcome = { tick, ...(await launcher.run(tick, { started: (name, how, status) => events.started?.(tick, name, how, status) })) };
      } catch (e) {
        outcome = { tick, name: "-", how: "started", status: "ERROR", ok: false, error: (e as Error).message };
      }
      outcomes[i] = outcome;
      events.finished?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, ticks.length)) }, worker));
  return outcomes;
}

/** Statuses after which a deployed run does nothing more. */
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "Succeeded", "Failed", "Error"]);
const SUCCESS = new Set(["SUCCEEDED", "Succeeded", "succeeded"]);
export const isTerminal = (status: string) => TERMINAL.has(status);
export const isSuccess = (status: string) => SUCCESS.has(status);
