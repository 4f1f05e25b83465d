/**
 * What Argo Events checks of a Sensor's dependencies against the EventBus it runs on
 * (pkg/reconciler/sensor/validate.go, validateDependencies): on a NATS (streaming) bus, one event of
 * one EventSource may be referenced by one dependency per Sensor. JetStream has no such rule. The
 * message is Argo Events' own.
 */
import type { Obj } from "./helpers.ts";

export function eventBusProblems(sensor: Obj, bus: "nats" | "jetstream"): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const dep of sensor.spec.dependencies as Obj[]) {
    if (!dep.name) out.push("event dependency must define a name");
    if (!dep.eventSourceName) out.push("event dependency must define the EventSourceName");
    if (!dep.eventName) out.push("event dependency must define the EventName");
    if (bus !== "nats") continue;
    const key = `${dep.eventSourceName}-$$$-${dep.eventName}`;
    if (seen.has(key)) out.push(`event '${dep.eventName}' from EventSource '${dep.eventSourceName}' is referenced for more than one dependency in this Sensor object`);
    seen.add(key);
  }
  return out;
}
