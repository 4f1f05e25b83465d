// Small Step Functions helpers for tests that run state machines on the moto harness.
import { randomUUID } from "node:crypto";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import type { MotoHandle } from "./moto.ts";

/** moto checks only the format of a role ARN. */
export const SFN_ROLE_ARN = "arn:aws:iam::123456789012:role/flowc-local-sfn";

export interface ExecutionResult {
  executionArn: string;
  status: string;
  output?: unknown;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  elapsedMs: number;
}

export function sfnClient(moto: Pick<MotoHandle, "clientConfig">): SFNClient {
  return new SFNClient(moto.clientConfig);
}

export async function createMachine(
  sfn: SFNClient,
  definition: object | string,
  opts: { name?: string; roleArn?: string } = {},
): Promise<string> {
  const res = await sfn.send(
    new CreateStateMachineCommand({
      name: opts.name ?? `m-${randomUUID().slice(0, 8)}`,
      definition: typeof definition === "string" ? definition : JSON.stringify(definition),
      roleArn: opts.roleArn ?? SFN_ROLE_ARN,
    }),
  );
  return res.stateMachineArn!;
}

export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Polls until the execution is no longer RUNNING (or throws after timeoutMs). */
export async function waitForExecution(
  sfn: SFNClient,
  executionArn: string,
  timeoutMs = 30_000,
): Promise<ExecutionResult> {
  const started = Date.now();
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== "RUNNING") {
      return {
        executionArn,
        status: d.status!,
        output: d.output === undefined ? undefined : JSON.parse(d.output),
        error: d.error,
        cause: d.cause,
        history: await executionHistory(sfn, executionArn),
        elapsedMs: Date.now() - started,
      };
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`execution ${executionArn} still RUNNING after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  input: unknown = {},
  name?: string,
): Promise<string> {
  const res = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
  return res.executionArn!;
}

export async function runExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  input: unknown = {},
  opts: { name?: string; timeoutMs?: number } = {},
): Promise<ExecutionResult> {
  const executionArn = await startExecution(sfn, stateMachineArn, input, opts.name);
  return await waitForExecution(sfn, executionArn, opts.timeoutMs);
}

/** Creates a machine from `definition` and runs it once. */
export async function runDefinition(
  sfn: SFNClient,
  definition: object,
  input: unknown = {},
  opts: { name?: string; timeoutMs?: number } = {},
): Promise<ExecutionResult> {
  return await runExecution(sfn, await createMachine(sfn, definition), input, opts);
}

export function eventTypes(history: HistoryEvent[]): string[] {
  return history.map((e) => e.type!);
}
