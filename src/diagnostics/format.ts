import type { Diagnostic } from "./diagnostic.ts";

/**
 * Renders diagnostics for a person: `file:line:col`, the code, the message, the source line with a caret
 * and the hint. Machines get the same objects as JSON instead (see `--format json`).
 */
export function formatDiagnostic(d: Diagnostic, sourceText?: string, color = false): string {
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[0m` : s);
  const yellow = (s: string) => (color ? `\x1b[33m${s}\x1b[0m` : s);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
  const sev = d.severity === "error" ? red("error") : yellow("warning");
  const lines = [`${d.file}:${d.start.line}:${d.start.col}: ${sev} ${d.code}: ${d.message}`];
  const src = sourceText?.split(/\r?\n/)[d.start.line - 1];
  // No frame for an empty line (a missing file, a whole-file problem): a caret under nothing says nothing.
  if (src !== undefined && src.trim() !== "") {
    const gutter = String(d.start.line);
    const width =
      d.end && d.end.line === d.start.line && d.end.col > d.start.col ? d.end.col - d.start.col : 1;
    lines.push(`${dim(`${gutter} |`)} ${src}`);
    lines.push(`${" ".repeat(gutter.length)} ${dim("|")} ${" ".repeat(Math.max(0, d.start.col - 1))}${red("^".repeat(Math.min(width, 80)))}`);
  }
  if (d.hint) lines.push(`  ${dim("hint:")} ${d.hint}`);
  if (d.policy) lines.push(`  ${dim("policy:")} ${d.policy.key}: ${JSON.stringify(d.policy.value)} (${d.policy.file}:${d.policy.line}:${d.policy.col})`);
  return lines.join("\n");
}
