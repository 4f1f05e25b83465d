import type { Command } from "commander";
import { checkFormat, deployOptions, prepare, reportErrors, type DeployFlags } from "../deploy-shared.ts";
import { CliError, EXIT, type Io } from "../io.ts";

export function registerVersions(program: Command, io: Io, done: (code: number) => void): void {
  const cmd = program
    .command("versions")
    .description("List a deployed flow's published versions (Step Functions), newest first, and which environment's alias points at each.")
    .argument("<flow>", "flow file (.yaml or .ts)");
  deployOptions(cmd, ["format"])
    .option("-n, --limit <n>", "show at most this many versions", "20")
    .addHelpText(
      "after",
      `
ALIASES lists the environments that run a version now; EARLIER those whose alias pointed at it before
(what \`flowc rollback\` goes back to). Each version's description names the environment and the
content hash of the build that published it.

Examples:
  $ flowc versions examples/train.yaml --env prod
  $ flowc versions examples/train.yaml --env prod --format json`,
    )
    .action(async (file: string, flags: DeployFlags & { limit: string }) => {
      const format = checkFormat(flags.format);
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a whole number ≥ 1, not ${flags.limit}`, EXIT.usage, "e.g. --limit 50", "FLAG_INVALID");
      const list = await reportErrors(async () => {
        const { ctx, target } = await prepare(io, file, flags, { only: "sfn" });
        if (!target.versions) throw new CliError(`--target ${target.name} has no versions`, EXIT.usage, "versions exist for --target sfn only", "TARGET_UNSUPPORTED");
        return target.versions(ctx);
      });
      if (format === "json") {
        io.stdout(`${JSON.stringify(list.slice(0, limit), null, 2)}\n`);
        return done(EXIT.ok);
      }
      const rows = [
        ["VERSION", "CREATED", "ALIASES", "EARLIER", "DESCRIPTION"],
        ...list.slice(0, limit).map((v) => [v.version, v.createdAt?.replace(/\.\d+Z$/, "Z") ?? "-", v.aliases.join(",") || "-", v.previouslyIn?.join(",") || "-", v.description ?? ""]),
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) io.stdout(`${r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
      done(EXIT.ok);
    });
}
