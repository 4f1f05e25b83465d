/**
 * The slice of the Amazon States Language flowc emits, one type per state kind (a discriminated union
 * on `Type`, so an emitter cannot put a Map field on a Task). JSONPath only: moto's interpreter cannot
 * run JSONata, and every definition must run there in tests.
 */

export type Payload = { [key: string]: unknown };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts: number;
  BackoffRate: number;
  MaxDelaySeconds?: number;
  JitterStrategy: "FULL" | "NONE";
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
const RANK = new Map(KEY_ORDER.map((k, i) => [k, i]));

/** The same state with its keys in KEY_ORDER, so every state of every definition reads alike. */
export function ordered<S extends State>(state: S): S {
  const keys = Object.keys(state).sort((a, b) => (RANK.get(a) ?? 99) - (RANK.get(b) ?? 99));
  return Object.fromEntries(keys.map((k) => [k, (state as Record<string, unknown>)[k]])) as S;
}
