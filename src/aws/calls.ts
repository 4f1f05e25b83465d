import { awsTestHook, faultError, InjectedCrash, nextSeq, type AwsCall } from "./testing.ts";

/** Read-only operations by name; anything else changes something (Create, Update, Put, Tag, Start, Delete...). */
export const isWriteOperation = (operation: string) => !/^(Describe|List|Get|Head)/.test(operation);

/**
 * Every attempt flowc's clients make, counted: a deploy reports its writes (zero for a no-op) and the
 * benchmark its calls, without a proxy in front of AWS.
 */
export class CallLog {
  reads = 0;
  writes = 0;
  readonly byOperation = new Map<string, number>();

  record(call: Pick<AwsCall, "service" | "operation" | "write">): void {
    if (call.write) this.writes++;
    else this.reads++;
    const key = `${call.service}:${call.operation}`;
    this.byOperation.set(key, (this.byOperation.get(key) ?? 0) + 1);
  }

  summary(): { reads: number; writes: number; operations: Record<string, number> } {
    return { reads: this.reads, writes: this.writes, operations: Object.fromEntries([...this.byOperation].sort(([a], [b]) => a.localeCompare(b))) };
  }
}

type Next = (args: unknown) => Promise<unknown>;
interface Stack {
  add(mw: (next: Next, context: { commandName?: string }) => Next, opts: { step: "deserialize"; name: string; priority: "high" }): void;
}

/**
 * Installed in the deserialize step, which runs inside the SDK's retry loop: one record per attempt,
 * which is what a fault must be injected at (a retried throttle is two calls to AWS).
 */
export function installCallLog(client: { middlewareStack: unknown }, service: string, log: CallLog): void {
  (client.middlewareStack as Stack).add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "Unknown").replace(/Command$/, "");
      const call: AwsCall = { service, operation, write: isWriteOperation(operation), seq: 0 };
      log.record(call);
      const hook = awsTestHook();
      if (!hook?.beforeCall) return await tagged(next(args), call);
      call.seq = nextSeq();
      const fault = hook.beforeCall(call);
      if (fault === "crash") throw new InjectedCrash(call);
      if (fault === "throttle" || fault === "server" || fault === "reset") throw faultError(fault, call);
      const out = await tagged(next(args), call);
      if (fault === "lost") throw faultError("reset", call);
      return out;
    },
    { step: "deserialize", name: "flowcCallLog", priority: "high" },
  );
}

/** Errors remember which call failed, so a message can say "Step Functions UpdateStateMachine: ...". */
async function tagged<T>(p: Promise<T>, call: Pick<AwsCall, "service" | "operation">): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e && typeof e === "object" && !("$flowcCall" in e)) Object.defineProperty(e, "$flowcCall", { value: `${call.service}:${call.operation}`, enumerable: false });
    throw e;
  }
}
