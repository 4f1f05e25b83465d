import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { JsonValue, StepIR } from "../flow/ir.ts";

/** A command's control files: not artifacts, but the foreach items and the switch case. */
export const FOREACH_FILE = "foreach.json";
export const SWITCH_FILE = "switch";

export interface CommandOutputs {
  /** Artifact names: every file under the output folder, as a relative path with "/". */
  artifacts: string[];
  foreach?: JsonValue[];
  choice?: string;
}

/** Reads what a command left in FLOWC_OUTPUT_DIR. Throws with a message for the user when a control file is wrong. */
export async function collectOutputs(dir: string, step: StepIR): Promise<CommandOutputs> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((d) => d.isFile() || d.isSymbolicLink())
    .map((d) => relative(dir, join(d.parentPath ?? (d as unknown as { path: string }).path, d.name)).split(sep).join("/"))
    .sort();
  const out: CommandOutputs = { artifacts: files };
  const t = step.transition;
  if (t.kind === "foreach") {
    if (!files.includes(FOREACH_FILE))
      throw new Error(`foreach step \`${step.name}\` did not write $FLOWC_OUTPUT_DIR/${FOREACH_FILE} (a JSON array: one item per task of \`${t.next}\`)`);
    const text = readFileSync(join(dir, FOREACH_FILE), "utf8");
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch (e) {
      throw new Error(`$FLOWC_OUTPUT_DIR/${FOREACH_FILE} of \`${step.name}\` is not JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(items)) throw new Error(`$FLOWC_OUTPUT_DIR/${FOREACH_FILE} of \`${step.name}\` must be a JSON array, not ${typeof items}`);
    out.foreach = items as JsonValue[];
    out.artifacts = files.filter((f) => f !== FOREACH_FILE);
    rmSync(join(dir, FOREACH_FILE));
  }
  if (t.kind === "switch") {
    const cases = t.cases.map((c) => c.value);
    if (!files.includes(SWITCH_FILE)) throw new Error(`switch step \`${step.name}\` did not write $FLOWC_OUTPUT_DIR/${SWITCH_FILE} (one of: ${cases.join(", ")})`);
    const choice = (readFileSync(join(dir, SWITCH_FILE), "utf8")).trim();
    if (!cases.includes(choice)) throw new Error(`switch step \`${step.name}\` chose ${JSON.stringify(choice)}; the cases are ${cases.join(", ")}`);
    out.choice = choice;
    out.artifacts = files.filter((f) => f !== SWITCH_FILE);
    rmSync(join(dir, SWITCH_FILE));
  }
  return out;
}
