import type { DiffPath } from "../diff.ts";
import { formatPath } from "../diff.ts";

/**
 * How a state machine reads in a diff: every state (nested ones in Parallel branches and Map bodies
 * included) keyed by its name, so a reviewer sees "state fit: TimeoutSeconds 1800 → 3600" or "state
 * publish added", never one changed JSON string (aws-cdk#18880).
 */
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

export function flattenStates(definition: unknown): { top: Json; states: Json } {
  const top: Json = {};
  const states: Json = {};
  if (!isObj(definition)) return { top: { definition }, states };
  for (const [k, v] of Object.entries(definition)) if (k !== "States") top[k] = v;
  const visit = (graph: Json, where: string) => {
    for (const [name, state] of Object.entries((graph.States ?? {}) as Json)) {
      const key = name in states ? `${where}/${name}` : name;
      if (!isObj(state)) {
        states[key] = state;
        continue;
      }
      const shallow: Json = { ...state };
      if (Array.isArray(state.Branches)) {
        shallow.Branches = (state.Branches as Json[]).map((b, i) => {
          visit(b, `${key}[${i}]`);
          return { StartAt: b.StartAt, States: Object.keys((b.States ?? {}) as Json) };
        });
      }
      for (const field of ["ItemProcessor", "Iterator"]) {
        const body = state[field];
        if (isObj(body)) {
          visit(body, key);
          shallow[field] = { ...body, States: Object.keys((body.States ?? {}) as Json) };
        }
      }
      states[key] = shallow;
    }
  };
  visit(definition, "");
  return { top, states };
}

export interface MachineView {
  definition: Json;
  states: Json;
  roleArn?: string;
  logging?: unknown;
  tracing?: boolean;
  tags?: Record<string, string>;
}

export function machineView(m: { definition: unknown; roleArn?: string; logging?: unknown; tracing?: boolean; tags?: Record<string, string> }): MachineView {
  const { top, states } = flattenStates(m.definition);
  return { definition: top, states, ...(m.roleArn !== undefined ? { roleArn: m.roleArn } : {}), ...(m.logging !== undefined ? { logging: m.logging } : {}), ...(m.tracing !== undefined ? { tracing: m.tracing } : {}), ...(m.tags ? { tags: m.tags } : {}) };
}

/** Arrays whose elements have a natural key in AWS documents. */
export const keyOf = (path: DiffPath): string | undefined => {
  const last = path[path.length - 1];
  if (last === "Targets") return "Id";
  if (last === "Statement") return "Sid";
  return undefined;
};

/** `state fit: Retry[0].IntervalSeconds`, `tag team`, `definition.TimeoutSeconds`. */
export function label(kind: string, path: DiffPath): string {
  const [head, name, ...rest] = path;
  const tail = rest.length ? `.${formatPath(rest)}`.replace(/^\.\[/, "[") : "";
  if (kind === "state-machine" && head === "states" && name !== undefined) return `state ${name}${tail ? `:${tail.replace(/^\./, " ")}` : ""}`;
  if (head === "tags" && name !== undefined) return `tag ${name}`;
  return formatPath(path);
}
