import type { ArgoConfig } from "../../config/types.ts";
import type { FlowIR, ParameterIR, TriggerIR } from "../../flow/ir.ts";
import type { CompileProblem } from "../types.ts";
import { LABELS, objectMeta, runLabels, type Identity } from "./labels.ts";
import { encodeParamValue } from "../../contract/params.ts";
import { detailFilters, exactly } from "./sensor-filters.ts";
import type { K8sObject } from "./types.ts";
import { ARGO_API_VERSION } from "./workflow-template.ts";

/**
 * The Argo Events Sensors that start this flow from its triggers: one dependency and one trigger per
 * flow trigger (`conditions` ties each trigger to its own dependency; without it a Sensor waits for
 * all of them), in one Sensor unless two triggers listen on the same event (natsGroups). Each trigger submits a Workflow that references the WorkflowTemplate and sets the
 * mapped parameters from the event.
 *
 * - `afterFlow: X` listens on the workflow EventSource (a `resource` EventSource watching Workflows,
 *   docs/argo-mapping.md) for a Workflow labelled with flow X and this environment whose phase is
 *   Succeeded. Such a Workflow is updated more than once after it succeeds, so the submitted Workflow
 *   is named after the upstream's uid: a repeat is refused as AlreadyExists instead of starting twice.
 *   `parameters: {mine: theirs}` passes the upstream run's parameter `theirs` on as `mine`.
 * - `event` listens on the event EventSource, which must deliver the event JSON as the body (a
 *   webhook does): `source`, `detail-type` and `detail` become data filters, and each `$.a.b` path
 *   becomes the dataKey `body.a.b`.
 * - Config `eventSource` / `workflowEventSource` name the EventSources, optionally as `name/event`.
 */
export const DEFAULT_SOURCES = { event: "flowc-events/flowc", workflow: "flowc-workflows/workflows" } as const;

interface Ctx {
  ir: FlowIR;
  argo: ArgoConfig;
  env: string;
  template: string;
  runPrefix: string;
  problems: CompileProblem[];
}

export function sensors(ir: FlowIR, argo: ArgoConfig, names: { sensor: (k: number) => string; template: string; runPrefix: string }, id: Identity, problems: CompileProblem[]): K8sObject[] {
  if (ir.triggers.length === 0) return [];
  const ctx: Ctx = { ir, argo, env: id.env, template: names.template, runPrefix: names.runPrefix, problems };
  const parts = ir.triggers.map((t, i) => (t.kind === "afterFlow" ? afterFlow(t, i, ctx, id) : onEvent(t, i, ctx, id)));
  return natsGroups(parts).map((group, k) => ({
    apiVersion: ARGO_API_VERSION,
    kind: "Sensor",
    metadata: objectMeta(names.sensor(k), id, argo),
    spec: {
      ...(argo.eventBus ? { eventBusName: argo.eventBus } : {}),
      // The Sensor's pod submits the Workflows: its service account needs create on workflows.
      ...(argo.serviceAccount ? { template: { serviceAccountName: argo.serviceAccount } } : {}),
      dependencies: group.map((p) => p.dependency),
      triggers: group.map((p) => p.trigger),
    },
  }));
}

/**
 * On a NATS (streaming) EventBus, Argo Events refuses a Sensor that references one event of one
 * EventSource in two dependencies ("is referenced for more than one dependency in this Sensor
 * object"), and two `afterFlow` triggers (or two `event` triggers) listen on the same one. A Sensor
 * cannot filter per trigger: filters belong to dependencies. So the triggers are spread over Sensors:
 * the first Sensor takes the first trigger on each event, the second the second, and so on; a flow
 * whose triggers listen on different events keeps its one Sensor. Works on JetStream buses as well.
 */
function natsGroups(parts: Part[]): Part[][] {
  const groups: Part[][] = [];
  const seen = new Map<string, number>();
  for (const p of parts) {
    const key = `${p.dependency.eventSourceName}/${p.dependency.eventName}`;
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    (groups[k] ??= []).push(p);
  }
  return groups;
}

type Part = { dependency: { name: string; eventSourceName: string; eventName: string } & Record<string, unknown>; trigger: Record<string, unknown> };

function afterFlow(t: Extract<TriggerIR, { kind: "afterFlow" }>, i: number, ctx: Ctx, id: Identity): Part {
  const dep = `after_${t.flow.replace(/-/g, "_")}`;
  const [eventSourceName, eventName] = source(ctx.argo.workflowEventSource ?? DEFAULT_SOURCES.workflow, "workflows");
  const mapped = Object.entries(t.parameters).map(([mine, theirs]) => ({
    name: mine,
    dataKey: `body.spec.arguments.parameters.#(name==${JSON.stringify(theirs)}).value`,
  }));
  return {
    dependency: {
      name: dep,
      eventSourceName,
      eventName,
      filters: {
        data: [
          { path: "body.metadata.labels.flowc\\.dev/flow", type: "string", value: [exactly(t.flow)] },
          { path: "body.metadata.labels.flowc\\.dev/env", type: "string", value: [exactly(ctx.env)] },
          { path: "body.status.phase", type: "string", value: ["^Succeeded$"] },
        ],
      },
    },
    trigger: submit(`after-${t.flow}`, dep, mapped, ctx, id, [
      {
        src: { dependencyName: dep, dataTemplate: `${ctx.runPrefix}-{{ .Input.body.metadata.uid | sha256sum | trunc 12 }}` },
        dest: "metadata.name",
      },
    ], ["triggers", i, "afterFlow"]),
  };
}

function onEvent(t: Extract<TriggerIR, { kind: "event" }>, i: number, ctx: Ctx, id: Identity): Part {
  const dep = `event_${i}`;
  const [eventSourceName, eventName] = source(ctx.argo.eventSource ?? DEFAULT_SOURCES.event, "flowc");
  const at = ["triggers", i, "event"];
  const data: Record<string, unknown>[] = [{ path: "body.source", type: "string", value: t.source.map(exactly) }];
  if (t.detailType) data.push({ path: "body.detail-type", type: "string", value: t.detailType.map(exactly) });
  if (t.detail) data.push(...detailFilters(t.detail, "body.detail", [...at, "detail"], ctx.problems));
  const mapped = Object.entries(t.parameters).map(([name, path]) => ({ name, dataKey: `body${path.slice(1)}` }));
  return {
    dependency: { name: dep, eventSourceName, eventName, filters: { data } },
    trigger: submit(`event-${i}`, dep, mapped, ctx, id, [], at),
  };
}

/** The argoWorkflow trigger: submit a Workflow that references the template, parameters from the event. */
function submit(
  name: string,
  dep: string,
  mapped: { name: string; dataKey: string }[],
  ctx: Ctx,
  id: Identity,
  extra: Record<string, unknown>[],
  at: (string | number)[],
): Record<string, unknown> {
  const declared = new Map(ctx.ir.parameters.map((p) => [p.name, p]));
  const args = mapped.filter((m) => declared.has(m.name));
  for (const m of mapped) if (!declared.has(m.name)) ctx.problems.push({ code: "TRIGGER_PARAM_UNKNOWN", message: `the trigger sets parameter \`${m.name}\`, which the flow does not declare`, hint: "declare it under `parameters`", path: [...at, "parameters", m.name] });
  const missing = ctx.ir.parameters.filter((p) => p.required && !args.some((m) => m.name === p.name));
  if (missing.length)
    ctx.problems.push({
      code: "TARGET_UNSUPPORTED",
      severity: "warning",
      message: `trigger \`${name}\` does not supply the required parameter${missing.length > 1 ? "s" : ""} ${missing.map((p) => `\`${p.name}\``).join(", ")}: Argo will refuse the Workflows it submits`,
      hint: "map the parameter under the trigger's `parameters`, or give it a default",
      path: at,
    });
  const fallback = (p: ParameterIR) => (!p.required && p.default !== undefined ? encodeParamValue(p.default, p.type) : undefined);
  return {
    template: {
      name,
      conditions: dep,
      argoWorkflow: {
        operation: "submit",
        source: {
          resource: {
            apiVersion: ARGO_API_VERSION,
            kind: "Workflow",
            metadata: {
              generateName: `${ctx.runPrefix}-`,
              namespace: ctx.argo.namespace,
              labels: runLabels(id, { [LABELS.trigger]: name }),
            },
            spec: {
              workflowTemplateRef: { name: ctx.template },
              ...(args.length ? { arguments: { parameters: args.map((m) => ({ name: m.name, value: fallback(declared.get(m.name)!) ?? "" })) } } : {}),
            },
          },
        },
        parameters: [
          ...extra,
          ...args.map((m, k) => {
            const value = fallback(declared.get(m.name)!);
            // A missing field falls back to the parameter's default; a required one fails the trigger.
            return { src: { dependencyName: dep, dataKey: m.dataKey, ...(value !== undefined ? { value } : {}) }, dest: `spec.arguments.parameters.${k}.value` };
          }),
        ],
      },
    },
    retryStrategy: { steps: 3, duration: "10s", factor: 2 },
  };
}

/** `name` or `name/event` from the config; the event name defaults per source kind. */
function source(s: string, defaultEvent: string): [string, string] {
  const [name, event] = s.split("/", 2) as [string, string | undefined];
  return [name, event || defaultEvent];
}
