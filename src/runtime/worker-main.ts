/**
 * Entry point of `flowc run`'s pool workers (dist/worker.js): only the runtime, so a worker starts in
 * a fraction of the CLI's start-up time (no schema compiler, YAML parser or command definitions).
 * Falls back to `bin/flowc __worker` when the build has no dist/worker.js.
 */
import { runWorker } from "./worker.ts";

await runWorker();
