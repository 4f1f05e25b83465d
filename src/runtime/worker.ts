import { killActiveCommands } from "./container.ts";
import type { TaskResult } from "./executor.ts";
import { runStep, type StepRequest } from "./step.ts";

/** Messages between `flowc run` and its workers. */
export type ToWorker = { type: "task"; id: number; request: Omit<StepRequest, "env"> };
export type FromWorker = { type: "ready" } | { type: "result"; id: number; result: TaskResult };

/**
 * A long-lived `flowc step`: a pool worker (`flowc __worker`) runs tasks one at a time through
 * runStep, the same code path as the CLI, so the runtime pays the Node start-up once per worker
 * instead of once per task. When `flowc run` goes away (even by SIGKILL) the IPC channel closes and
 * the worker ends, taking its commands' process groups with it.
 */
export function runWorker(): Promise<void> {
  if (!process.send) throw new Error("flowc __worker is started by flowc run (it needs an IPC channel)");
  const send = process.send.bind(process);
  const stop = () => {
    killActiveCommands("SIGKILL");
    process.exit(0);
  };
  process.on("disconnect", stop);
  process.on("SIGTERM", stop);
  process.on("message", (msg: ToWorker) => {
    if (msg?.type !== "task") return;
    runStep({ ...msg.request, env: process.env }).then(
      (result) => send({ type: "result", id: msg.id, result } satisfies FromWorker),
      (e: Error) => send({ type: "result", id: msg.id, result: { status: "failed", error: e.message, cause: e.stack ?? e.message, durationMs: 0 } } satisfies FromWorker),
    );
  });
  send({ type: "ready" } satisfies FromWorker);
  return new Promise(() => undefined);
}
