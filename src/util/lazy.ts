import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * A dependency loaded on first use, synchronously. Start-up time is a budget every command pays
 * (`flowc compile` must finish a 1,000-step flow in half a second, process start included), and the
 * `yaml` and `cron-parser` packages alone cost about 110 ms to load while most runs never need them.
 */
export function lazy<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}
