import type { TaskResult } from "./executor.ts";
import type { SchedulerEvents, Task } from "./scheduler.ts";
import type { RunStats, StepStats } from "./stats.ts";

export interface ProgressOut {
  write(text: string): void;
}

const label = (t: Task) => (t.index === "" ? t.step : `${t.step}[${t.index}]`);
export const secs = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)}s` : ms < 600_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`);

/**
 * Progress without a terminal (CI logs, pipes): one plain line per event that matters — a task
 * finished, failed, is retried, was caught, a foreach fanned out. Nothing is redrawn.
 */
export class PlainProgress implements SchedulerEvents {
  constructor(private readonly out: ProgressOut) {}

  finished(task: Task, attempt: number, r: TaskResult): void {
    if (r.status === "succeeded") this.out.write(`ok     ${label(task)} (${secs(r.durationMs)}${attempt > 0 ? `, attempt ${attempt}` : ""})\n`);
  }
  retrying(task: Task, attempt: number, r: TaskResult, delayMs: number): void {
    this.out.write(`retry  ${label(task)} attempt ${attempt} ${r.status === "timeout" ? "timed out" : "failed"}: ${r.error}; retrying in ${secs(delayMs)}\n`);
  }
  caught(task: Task, attempt: number, r: TaskResult): void {
    this.out.write(`caught ${label(task)} attempt ${attempt} failed: ${r.error}; carrying on (failed.json)\n`);
  }
  skipped(task: Task): void {
    this.out.write(`skip   ${label(task)} (done in an earlier attempt of this run)\n`);
  }
  fannedOut(task: Task, count: number): void {
    this.out.write(`fanout ${label(task)} → ${count} item${count === 1 ? "" : "s"}\n`);
  }
}

const SPIN = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Live progress on a terminal: one line per step, redrawn in place ten times a second, with done,
 * running, failed and retried counts (foreach bodies as done/items).
 */
export class TtyProgress {
  private lines = 0;
  private frame = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly out: ProgressOut,
    private readonly stats: RunStats,
    private readonly title: string,
    private readonly color: boolean,
    /** Terminal width: a wrapped line would break the cursor arithmetic of the redraw. */
    private readonly columns: () => number = () => process.stderr.columns || 80,
  ) {}

  start(): void {
    this.draw();
    this.timer = setInterval(() => this.draw(), 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.draw();
  }

  private draw(): void {
    const elapsed = Date.now() - this.stats.startedAt;
    const rows = [`${this.title} · ${secs(elapsed)}`];
    const nameWidth = Math.max(...[...this.stats.steps.keys()].map((n) => n.length));
    const spin = SPIN[this.frame++ % SPIN.length]!;
    for (const s of this.stats.steps.values()) rows.push(`  ${icon(s, spin)} ${s.name.padEnd(nameWidth)}  ${counts(s)}`);
    const clear = this.lines ? `\x1b[${this.lines}A\x1b[0J` : "";
    const width = this.columns() - 1;
    const text = rows.map((r) => fit(r, width)).join("\n");
    this.out.write(`${clear}${this.color ? text : text.replace(/\x1b\[\d+m/g, "")}\n`);
    this.lines = rows.length;
  }
}

function icon(s: StepStats, spin: string): string {
  if (s.failed > 0) return "\x1b[31m✗\x1b[0m";
  if (s.running > 0) return `\x1b[36m${spin}\x1b[0m`;
  const done = s.succeeded + s.skipped + s.caught;
  if (done > 0 && (s.expected === undefined || done >= s.expected)) return "\x1b[32m✓\x1b[0m";
  return "\x1b[2m·\x1b[0m";
}

function counts(s: StepStats): string {
  const done = s.succeeded + s.skipped;
  const parts = [s.expected !== undefined ? `${done}/${s.expected}` : done ? `${done}` : ""];
  if (s.running) parts.push(`running ${s.running}`);
  if (s.retries) parts.push(`retries ${s.retries}`);
  if (s.caught) parts.push(`caught ${s.caught}`);
  if (s.failed) parts.push(`\x1b[31mfailed ${s.failed}\x1b[0m`);
  return parts.filter(Boolean).join("  ");
}

/** Cuts a line to `width` visible characters, leaving colour codes whole. */
function fit(line: string, width: number): string {
  let visible = 0;
  let out = "";
  for (let i = 0; i < line.length; i++) {
    if (line[i] === "\x1b") {
      const end = line.indexOf("m", i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out;
}
