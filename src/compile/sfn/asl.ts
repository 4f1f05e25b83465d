/**
 * The slice of the Amazon States Language flowc emits, one type per state kind (a discriminated union
 * on `Type`, so an emitter cannot put a Map field on a Task). JSONPath only: moto's interpreter cannot
 * run JSONata, and every definition must run there in tests.
 */

export type Payload = { [key: string]: unknown };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: "FULL" | "NONE";
}

/** What ASL assumes when a retrier leaves a field out. */
export const RETRIER_DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "NONE" } as const;

/**
 * A retrier with only what differs from ASL's defaults: every Task has one or two, so the bytes add
 * up over thousands of steps, and a reviewer reads what is particular to the step.
 */
export function compactRetrier(r: Retrier): Retrier {
  const out: Retrier = { ErrorEquals: r.ErrorEquals };
  for (const [k, v] of Object.entries(r) as [keyof Retrier, unknown][]) {
    if (k === "ErrorEquals" || v === undefined || RETRIER_DEFAULTS[k as keyof typeof RETRIER_DEFAULTS] === v) continue;
    (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

export interface Catcher {
  ErrorEquals: string[];
  ResultPath: string;
  Next: string;
}

/** How a state leaves: exactly one of Next or End (Choice, Fail and Succeed have neither). */
export type Exit = { Next: string; End?: never } | { End: true; Next?: never };

interface Common {
  Comment?: string;
  /** `null` makes the output `{}`: branch ends use it so Parallel and Map results stay tiny. */
  OutputPath?: string | null;
}

export type TaskState = Common &
  Exit & {
    Type: "Task";
    Resource: string;
    Parameters?: Payload;
    ResultSelector?: Payload;
    ResultPath: string | null;
    TimeoutSeconds?: number;
    Retry?: Retrier[];
    Catch?: Catcher[];
  };

export type PassState = Common & Exit & { Type: "Pass"; Parameters?: Payload; Result?: unknown; ResultPath?: string | null };

export interface ChoiceRule {
  [key: string]: unknown;
  Next: string;
}

export type ChoiceState = Common & { Type: "Choice"; Choices: ChoiceRule[]; Default: string };

export type FailState = { Type: "Fail"; Comment?: string; Error: string; Cause?: string; CausePath?: string };

export type SucceedState = { Type: "Succeed"; Comment?: string };

export interface Graph {
  StartAt: string;
  States: Record<string, State>;
}

export type ParallelState = Common & Exit & { Type: "Parallel"; Branches: Graph[]; ResultPath: null };

export type MapState = Common &
  Exit & {
    Type: "Map";
    ItemReader?: { Resource: string; ReaderConfig: { InputType: "JSON" }; Parameters: Payload };
    ItemsPath?: string;
    ItemSelector: Payload;
    ItemProcessor: Graph & { ProcessorConfig: { Mode: "INLINE" } | { Mode: "DISTRIBUTED"; ExecutionType: "STANDARD" } };
    MaxConcurrency?: number;
    ToleratedFailurePercentage?: number;
    Label?: string;
    ResultSelector?: Payload;
    /** Distributed only: where the Map Run writes its results (kept out of the 256 KiB payload). */
    ResultWriter?: { Resource: string; Parameters: Payload };
    ResultPath: string | null;
    Retry?: Retrier[];
  };

export type State = TaskState | PassState | ChoiceState | FailState | SucceedState | ParallelState | MapState;

export interface Definition {
  Comment: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}

/** Reviewers read states top to bottom: what it is, what it runs, how data moves, how it fails, where it goes. */
const KEY_ORDER = [
  "Type", "Comment", "Resource", "Parameters", "ItemReader", "ItemsPath", "ItemSelector", "ItemProcessor", "Branches",
  "MaxConcurrency", "ToleratedFailurePercentage", "Label", "Choices", "Default", "Result", "Error", "Cause", "CausePath",
  "ResultSelector", "ResultWriter", "ResultPath", "OutputPath", "TimeoutSeconds", "Retry", "Catch", "Next", "End",
];
/** The same state with its keys in KEY_ORDER (others after them), so every state of every definition reads alike. */
export function ordered<S extends State>(state: S): S {
  // Built without sorting or intermediate arrays: thousands of states are ordered per compile.
  const src = state as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of KEY_ORDER) if (k in src) out[k] = src[k];
  for (const k in src) if (!(k in out)) out[k] = src[k];
  return out as S;
}
