import { diffValues } from "../diff.ts";
import { TAG } from "../ownership.ts";
import type { DesiredSfn } from "./desired.ts";
import type { LiveSchedule, LiveSfn } from "./live.ts";
import { scheduleView } from "./normalize.ts";
import { additions, type PlanOptions, type PlanParts } from "./ops.ts";
import { notFlowc, ownership } from "./refusals.ts";
import { scheduleIdentityTags } from "./tags.ts";
import { keyOf } from "./view.ts";

/**
 * The schedule: one name per flow and environment, updated in place. A flowc schedule of this flow
 * and environment in another group (the configured group changed) or one the flow no longer has is
 * removed, after everything else exists; a schedule of that name flowc did not make is refused.
 */
export function planSchedule(d: DesiredSfn, live: LiveSfn, opts: PlanOptions, out: PlanParts): void {
  const mine = (s: LiveSchedule) => {
    const t = scheduleIdentityTags(s.input.Description as string | undefined);
    return !!t && t[TAG.flow] === d.flow && t[TAG.env] === d.env;
  };
  const identity = (s: LiveSchedule) => scheduleIdentityTags(s.input.Description as string | undefined);
  if (d.schedule) {
    const name = `${d.schedule.group}/${d.schedule.name}`;
    if (live.scheduleGroupMissing)
      out.refusals.push({ resource: `schedule ${name}`, message: `the schedule group \`${d.schedule.group}\` does not exist`, hint: "create it (aws scheduler create-schedule-group) or fix sfn.scheduleGroup in flowc.config.yaml" });
    const here = live.schedules.find((s) => s.group === d.schedule!.group);
    const want = scheduleView(d.schedule.input);
    if (!here) {
      out.actions.push({ op: "create", kind: "schedule", name, changes: additions(want) });
      out.ops.push({ kind: "putSchedule", create: true });
    } else {
      const refused = mine(here) ? ownership(`schedule ${name}`, identity(here), d, opts, d.env) : notFlowc(`schedule ${name}`);
      if (refused) out.refusals.push(refused);
      const changes = diffValues(scheduleView(here.input), want, { keyOf });
      out.actions.push({ op: changes.length ? "update" : "noop", kind: "schedule", name, changes });
      if (changes.length) out.ops.push({ kind: "putSchedule", create: false });
    }
  }
  for (const s of live.schedules) {
    if ((d.schedule && s.group === d.schedule.group) || !mine(s)) continue;
    const name = `${s.group}/${s.name}`;
    const refused = ownership(`schedule ${name}`, identity(s), d, opts, d.env);
    if (refused) out.refusals.push(refused);
    out.removals.actions.push({ op: "delete", kind: "schedule", name, reason: d.schedule ? "moved to another schedule group" : "the flow has no schedule any more", changes: [] });
    out.removals.ops.push({ kind: "deleteSchedule", name: s.name, group: s.group });
  }
}
