import { CliError, EXIT, type Io } from "./io.ts";
import { prepare, reportErrors, type DeployFlags } from "./deploy-shared.ts";

/**
 * `flowc runs FLOW --env ENV [--target sfn|argo]`: runs of a deployed flow, from the target itself
 * (Step Functions executions of the environment's alias), with status, duration and a console link.
 * Called by the runs command (which lists local runs without --env).
 */
export async function deployedRuns(io: Io, flow: string | undefined, flags: DeployFlags, limit: number, format: "text" | "json"): Promise<number> {
  if (!flow) throw new CliError("--env lists the runs of a deployed flow: name its file", EXIT.usage, "flowc runs FLOW --env ENV", "FLOW_MISSING");
  const runs = await reportErrors(async () => {
    const { ctx, target } = await prepare(io, flow, flags);
    return target.runs(ctx, { limit });
  });
  if (format === "json") {
    io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
    return EXIT.ok;
  }
  if (runs.length === 0) {
    io.stderr(`no runs of this flow in environment ${flags.env}\n`);
    return EXIT.ok;
  }
  const time = (s?: number) => (s === undefined ? "-" : s < 60 ? `${s.toFixed(1)}s` : s < 3600 ? `${Math.floor(s / 60)}m${Math.round(s % 60)}s` : `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m`);
  const resumed = runs.some((r) => r.resumes);
  const rows = [
    ["RUN", "STATUS", "STARTED", "TIME", ...(resumed ? ["RESUMES"] : []), "CONSOLE"],
    ...runs.map((r) => [r.name ?? r.id, r.status, r.startedAt?.replace(/\.\d+Z$/, "Z") ?? "-", time(r.durationSeconds), ...(resumed ? [r.resumes ?? ""] : []), r.link ?? ""]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) io.stdout(`${r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
  return EXIT.ok;
}
