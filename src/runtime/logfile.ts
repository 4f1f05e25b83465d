import { closeSync, openSync, writeSync } from "node:fs";

/**
 * A task's log file, created on the first write: most trivial tasks print nothing, and on a busy disk
 * creating two empty files per task cost more than the rest of the bookkeeping (measured). No file
 * means an empty log.
 */
export class LazyLog {
  private fd: number | undefined;

  constructor(readonly path: string) {}

  write(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.fd ??= openSync(this.path, "a");
    writeSync(this.fd, chunk);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
