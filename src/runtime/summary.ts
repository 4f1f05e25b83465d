import type { Datastore } from "../datastore/types.ts";
import { keys, runPrefix } from "../contract/layout.ts";
import { secs } from "./progress.ts";
import type { RunOutcome } from "./scheduler.ts";
import type { RunStats } from "./stats.ts";

/**
 * The end of `flowc run`: the run id, how it ended, the time per step, and where the logs are.
 * Wall time is first start to last end of the step's tasks; task time is the sum over attempts.
 */
export function formatSummary(o: { flow: string; runId: string; outcome: RunOutcome; stats: RunStats; ds: Datastore; color: boolean }): string {
  const { outcome, stats } = o;
  const c = (code: string, s: string) => (o.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const elapsed = secs(Date.now() - stats.startedAt);
  const lines: string[] = [];
  const head =
    outcome.status === "succeeded"
      ? c("32", `✓ run ${o.runId} of flow \`${o.flow}\` succeeded in ${elapsed}`)
      : c("31", `✗ run ${o.runId} of flow \`${o.flow}\` ${outcome.status === "interrupted" ? "was interrupted" : "failed"} after ${elapsed}`);
  lines.push("", head);

  const rows = [...stats.steps.values()].filter((s) => s.firstStart !== undefined || s.skipped > 0);
  const table = [
    ["step", "tasks", "retries", "caught", "wall", "task time"],
    ...rows.map((s) => [
      s.name,
      String(s.succeeded + s.skipped + s.caught + s.failed) + (s.skipped ? ` (${s.skipped} skipped)` : ""),
      String(s.retries),
      String(s.caught),
      s.firstStart !== undefined && s.lastEnd !== undefined ? secs(s.lastEnd - s.firstStart) : "-",
      secs(s.busyMs),
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const r of table) lines.push(`  ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")}`);

  const f = outcome.failure;
  if (outcome.status !== "succeeded" && f) {
    lines.push("");
    if (f.task) {
      const where = f.task.index === "" ? `\`${f.task.step}\`` : `\`${f.task.step}\` [${f.task.index}]`;
      lines.push(c("31", `  step ${where}${f.attempt !== undefined ? `, attempt ${f.attempt}` : ""}: ${f.error}`));
      if (f.cause) for (const l of f.cause.split("\n").slice(-12)) lines.push(`    ${l}`);
      if (f.attempt !== undefined) lines.push(`  its log: ${o.ds.locate(keys.stderr({ flow: o.flow, runId: o.runId, ...f.task }, f.attempt))}`);
    } else lines.push(c("31", `  ${f.error}`));
  }
  lines.push("");
  lines.push(`  logs:    ${o.ds.locate(runPrefix(o.flow, o.runId))}/<step>/<index>/attempt-<n>/{stdout,stderr}`);
  lines.push(`  inspect: flowc show ${o.runId}[/<step>[/<index>]]${o.ds.localPath ? "" : ` --datastore ${o.ds.root}`}`);
  if (outcome.status !== "succeeded") lines.push(`  resume:  flowc run … --run-id ${o.runId} (tasks already done are skipped)`);
  return `${lines.join("\n")}\n`;
}
