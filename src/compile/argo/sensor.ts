import type { ArgoConfig } from "../../config/types.ts";
import type { FlowIR, ParameterIR, TriggerIR } from "../../flow/ir.ts";
import type { CompileProblem } from "../types.ts";
import { LABELS, objectMeta, runLabels, type Identity } from "./labels.ts";
import { encodeParamValue } from "../../contract/params.ts";
import { triggerName } from "../../contract/run-context.ts";
import { toCompactJson } from "../../render/serialize.ts";
import { contextInput, RUN_CONTEXT_PARAM, startArguments, type StartArguments } from "../start-arguments.ts";
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
 * - `event` listens on the event EventSource, which must deliver the event JSON as the body (a
 *   webhook does): `source`, `detail-type` and `detail` become data filters, and each `$.a.b` path
 *   becomes the dataKey `body.a.b`.
 * Mapped parameters go into the Workflow as templates that flowc step expands; the run context
 * (`_flowc`: trigger, scheduled time = the upstream's end or the event's `time`, upstream run) is
 * rendered from the event by a dataTemplate (docs/step-contract.md, "Run context").
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
  const trigger = triggerName(ctx.ir.triggers, i);
  const args = startArguments(t.parameters);
  const context = contextTemplate(trigger, args, "{{ .Input.body.status.finishedAt }}", { flow: t.flow, runId: "{{ .Input.body.metadata.name }}" });
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
    trigger: submit(trigger, dep, args, context, ctx, id, [
      {
        src: { dependencyName: dep, dataTemplate: `${ctx.runPrefix}-{{ .Input.body.metadata.uid | sha256sum | trunc 12 }}` },
        dest: "metadata.name",
      },
    ]),
  };
}

function onEvent(t: Extract<TriggerIR, { kind: "event" }>, i: number, ctx: Ctx, id: Identity): Part {
  const dep = `event_${i}`;
  const [eventSourceName, eventName] = source(ctx.argo.eventSource ?? DEFAULT_SOURCES.event, "flowc");
  const at = ["triggers", i, "event"];
  const data: Record<string, unknown>[] = [{ path: "body.source", type: "string", value: t.source.map(exactly) }];
  if (t.detailType) data.push({ path: "body.detail-type", type: "string", value: t.detailType.map(exactly) });
  if (t.detail) data.push(...detailFilters(t.detail, "body.detail", [...at, "detail"], ctx.problems));
  const args = startArguments(t.parameters);
  const trigger = triggerName(ctx.ir.triggers, i);
  return {
    dependency: { name: dep, eventSourceName, eventName, filters: { data } },
    trigger: submit(trigger, dep, args, contextTemplate(trigger, args, '{{ .Input.body.time | default "" }}'), ctx, id, []),
  };
}

/** The `_flowc` argument as a Go template over the event (JSON with the event's values spliced in). */
function contextTemplate(trigger: string, args: StartArguments, time: string, upstream?: { flow: string; runId: string }): string {
  return toCompactJson(contextInput(trigger, args, { scheduledTime: "@time", ...(upstream ? { upstream: { flow: upstream.flow, runId: "@run" } } : {}) }))
    .replace("@time", time)
    .replace("@run", upstream?.runId ?? "");
}

/**
 * The argoWorkflow trigger: submit a Workflow that references the template, with the mapped
 * parameters (templates as they are, JSONPaths from the event) and the run context.
 */
function submit(name: string, dep: string, mapped: StartArguments, context: string, ctx: Ctx, id: Identity, extra: Record<string, unknown>[]): Record<string, unknown> {
  const declared = new Map(ctx.ir.parameters.map((p) => [p.name, p]));
  const fallback = (p: ParameterIR) => (!p.required && p.default !== undefined ? encodeParamValue(p.default, p.type) : undefined);
  const names = [...Object.keys(mapped.values), ...Object.keys(mapped.jsonPaths)].filter((n) => declared.has(n)).sort();
  const args = [
    ...names.map((n) => ({ name: n, value: mapped.values[n] ?? fallback(declared.get(n)!) ?? "" })),
    { name: RUN_CONTEXT_PARAM, value: "" },
  ];
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
              arguments: { parameters: args },
            },
          },
        },
        parameters: [
          ...extra,
          ...names.flatMap((n, k) => {
            const path = mapped.jsonPaths[n];
            if (!path) return [];
            const value = fallback(declared.get(n)!);
            // A missing field falls back to the parameter's default; a required one fails the trigger.
            return [{ src: { dependencyName: dep, dataKey: `body${path.slice(1)}`, ...(value !== undefined ? { value } : {}) }, dest: `spec.arguments.parameters.${k}.value` }];
          }),
          { src: { dependencyName: dep, dataTemplate: context }, dest: `spec.arguments.parameters.${names.length}.value` },
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
