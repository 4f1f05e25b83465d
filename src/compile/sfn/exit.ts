import type { Exit } from "./asl.ts";

/** The top-level machine ends here (after `end`). */
export const END = Symbol("end");
export type Target = string | typeof END;

/**
 * Where a state goes. `closer` is the join that closes the scope being emitted (undefined at the top
 * level): reaching it ends the branch or iteration, and such a last state outputs `{}` so that a
 * Parallel or Map never gathers copies of the context (they would count against the 256 KiB payload).
 */
export function exitTo(target: Target, closer: string | undefined): Exit & { OutputPath?: null } {
  if (target === END) return { End: true };
  if (target === closer) return { End: true, OutputPath: null };
  return { Next: target };
}
