import { sha256, toCompactJson } from "../render/serialize.ts";
import type { FlowIR } from "./ir.ts";

/**
 * The flow's content hash: sha256 of its canonical IR. Reordering YAML keys does not change it; any
 * change of meaning does. Deploy tags resources with it and compares it to decide "no change".
 */
export function flowHash(ir: FlowIR): string {
  return sha256(toCompactJson(ir));
}
