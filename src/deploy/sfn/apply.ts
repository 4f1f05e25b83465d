import type { AwsSession } from "../../aws/clients.ts";
import { errorName, isNotFound } from "../../aws/errors.ts";
import { API_DESTINATION_REF } from "../../contract/notice.ts";
import { toCompactJson } from "../../render/serialize.ts";
import type { Logger } from "../target.ts";
import type { DesiredMachine, DesiredSfn } from "./desired.ts";
import { childIntegration, pinChildren } from "./family.ts";
import { SfnError } from "./errors.ts";
import { versionNumber } from "./live.ts";
import { aliasDescription } from "./alias.ts";
import type { Op, VersionRef } from "./ops.ts";
import { describeDefinition } from "./plan-jobdefs.ts";
import { maskedEndpoint, resolveTargets } from "./plan-hooks.ts";
import { allTags, toTagList } from "./tags.ts";

/**
 * Runs a plan's operations in order, one AWS call (or two, for a rule's targets) each. Every call is
 * safe to repeat: the SDK retries throttling and connection faults, and an operation whose answer
 * was lost is seen as done (or as a conflict) when the reconcile loop reads AWS again.
 */
export interface ApplyState {
  /** The versions published by this run, by machine ARN, once they exist. */
  published?: Record<string, { arn: string; number: number }>;
  /** Revision of $LATEST written by this run, by machine ARN: publishing refuses if someone wrote it since. */
  revisionId?: Record<string, string>;
  /** API destinations created or updated by this run: name → ARN, for the rule targets that name them. */
  apiDestinations?: Record<string, string>;
}

/** The connection every flowc webhook calls through: EventBridge requires an authorization, and a webhook URL carries its own token. */
const HOOK_AUTH = { AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-flowc-notify", ApiKeyValue: "flowc" } } } as const;

function versionArn(machineArn: string, ref: VersionRef, state: ApplyState): { arn: string; number: number } {
  if (ref !== "new") return ref;
  const v = state.published?.[machineArn];
  if (!v) throw new Error(`no version of ${machineArn} was published before it was used (a flowc bug)`);
  return v;
}

/** A member of the family by name: the flow's own machine, or a child. */
function member(d: DesiredSfn, name: string): { machine: DesiredMachine; alias: { name: string; arn: string } } {
  if (name === d.machine.name) return d;
  const c = d.children.find((x) => x.machine.name === name);
  if (!c) throw new Error(`state machine ${name} is not part of ${d.flow} (a flowc bug)`);
  return c;
}

/** The definition as sent: each child reference pinned to the version the plan chose or this run published. */
function definitionText(d: DesiredSfn, m: DesiredMachine, refs: Record<string, VersionRef>, state: ApplyState): string {
  if (!m.children.length) return m.definitionText;
  const pins = new Map(Object.entries(refs).map(([arn, ref]) => [arn, versionArn(arn, ref, state).arn]));
  return toCompactJson(pinChildren(m.definition, childIntegration(d.sfn), pins));
}

export async function runOp(aws: AwsSession, d: DesiredSfn, op: Op, state: ApplyState, log: Logger): Promise<void> {
  const unit = "machine" in op && op.kind !== "deleteAlias" ? member(d, op.machine) : d;
  const m = unit.machine;
  switch (op.kind) {
    case "putObject": {
      const { c, m: s3 } = await aws.s3();
      try {
        await c.send(new s3.PutObjectCommand({ Bucket: op.object.bucket, Key: op.object.key, Body: op.object.body, ContentType: op.object.contentType }));
      } catch (e) {
        if (errorName(e) === "NoSuchBucket")
          throw new SfnError("DEPLOY_PRECONDITION", `the datastore bucket \`${op.object.bucket}\` does not exist`, `create it, or fix \`datastore\` for environment ${d.env} in flowc.config.yaml`, { cause: e });
        throw e;
      }
      log.info(`uploaded s3://${op.object.bucket}/${op.object.key}`);
      return;
    }
    case "putRolePolicy": {
      const { c, m: iam } = await aws.iam();
      try {
        await c.send(new iam.PutRolePolicyCommand({ RoleName: op.policy.roleName, PolicyName: op.policy.name, PolicyDocument: toCompactJson(op.policy.document) }));
      } catch (e) {
        if (isNotFound(e)) throw new SfnError("DEPLOY_PRECONDITION", `the role ${op.policy.roleArn} does not exist`, "create it, or fix sfn.stateMachineRoleArn in flowc.config.yaml", { cause: e });
        throw e;
      }
      log.info(`put inline policy ${op.policy.name} on role ${op.policy.roleName}`);
      return;
    }
    case "createMachine": {
      const { c, m: sfn } = await aws.sfn();
      const out = await c.send(
        new sfn.CreateStateMachineCommand({
          name: m.name,
          definition: definitionText(d, m, op.refs, state),
          roleArn: m.roleArn,
          type: m.type,
          ...(m.logging ? { loggingConfiguration: m.logging as never } : {}),
          tracingConfiguration: { enabled: m.tracing },
          tags: toTagList(allTags(m.tags)),
        }),
      );
      log.info(`created state machine ${out.stateMachineArn}`);
      return;
    }
    case "updateMachine": {
      const { c, m: sfn } = await aws.sfn();
      const out = await c.send(
        new sfn.UpdateStateMachineCommand({
          stateMachineArn: m.arn,
          ...(op.definition ? { definition: definitionText(d, m, op.refs, state), roleArn: m.roleArn } : {}),
          ...(op.config ? { loggingConfiguration: (m.logging ?? { level: "OFF" }) as never, tracingConfiguration: { enabled: m.tracing } } : {}),
        }),
      );
      if (out.revisionId) state.revisionId = { ...state.revisionId, [m.arn]: out.revisionId };
      log.info(`updated state machine ${m.name}${op.definition ? " (definition)" : ""}${op.config ? " (logging, tracing)" : ""}`);
      return;
    }
    case "tagMachine": {
      const { c, m: sfn } = await aws.sfn();
      if (Object.keys(op.set).length) await c.send(new sfn.TagResourceCommand({ resourceArn: m.arn, tags: toTagList(op.set) }));
      if (op.remove.length) await c.send(new sfn.UntagResourceCommand({ resourceArn: m.arn, tagKeys: op.remove }));
      log.info(`tagged state machine ${m.name}`);
      return;
    }
    case "publishVersion": {
      const { c, m: sfn } = await aws.sfn();
      // Idempotent on AWS: publishing an unchanged revision returns the version it already has.
      const revisionId = state.revisionId?.[m.arn];
      const out = await c.send(new sfn.PublishStateMachineVersionCommand({ stateMachineArn: m.arn, description: d.versionDescription, ...(revisionId ? { revisionId } : {}) }));
      const v = { arn: out.stateMachineVersionArn!, number: versionNumber(out.stateMachineVersionArn) ?? 0 };
      state.published = { ...state.published, [m.arn]: v };
      log.info(`published version ${v.number}${m === d.machine ? "" : ` of ${m.name}`}`);
      return;
    }
    case "setAlias": {
      const { c, m: sfn } = await aws.sfn();
      const v = versionArn(m.arn, op.to, state);
      const description = aliasDescription(d.flow, d.env, [v.number, ...op.history.filter((n) => n !== v.number)]);
      const routingConfiguration = [{ stateMachineVersionArn: v.arn, weight: 100 }];
      // CreateStateMachineAlias names the machine through the version's ARN.
      if (op.create) await c.send(new sfn.CreateStateMachineAliasCommand({ name: unit.alias.name, description, routingConfiguration }));
      else await c.send(new sfn.UpdateStateMachineAliasCommand({ stateMachineAliasArn: unit.alias.arn, description, routingConfiguration }));
      log.info(`alias ${m === d.machine ? unit.alias.name : `${m.name}:${unit.alias.name}`} → version ${v.number}`);
      return;
    }
    case "deleteAlias": {
      const { c, m: sfn } = await aws.sfn();
      try {
        await c.send(new sfn.DeleteStateMachineAliasCommand({ stateMachineAliasArn: op.arn }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      log.info(`deleted alias ${op.machine}:${d.alias.name} (the flow no longer runs that child machine)`);
      return;
    }
    case "putSchedule": {
      const { c, m: sch } = await aws.scheduler();
      const input = d.schedule!.input as never;
      if (op.create) await c.send(new sch.CreateScheduleCommand(input));
      else await c.send(new sch.UpdateScheduleCommand(input));
      log.info(`${op.create ? "created" : "updated"} schedule ${d.schedule!.group}/${d.schedule!.name}`);
      return;
    }
    case "deleteSchedule": {
      const { c, m: sch } = await aws.scheduler();
      try {
        await c.send(new sch.DeleteScheduleCommand({ Name: op.name, GroupName: op.group }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      log.info(`deleted schedule ${op.group}/${op.name}`);
      return;
    }
    case "putRule": {
      const { c, m: ev } = await aws.events();
      const r = op.rule;
      await c.send(
        new ev.PutRuleCommand({
          Name: r.name,
          EventBusName: r.bus,
          Description: r.description,
          EventPattern: toCompactJson(r.eventPattern),
          State: r.state as never,
          // PutRule applies tags only when it creates the rule; updates go through tagRule.
          ...(op.create ? { Tags: toTagList(allTags(r.tags), "Key", "Value") as never } : {}),
        }),
      );
      log.info(`${op.create ? "created" : "updated"} rule ${r.name}`);
      return;
    }
    case "tagRule": {
      const { c, m: ev } = await aws.events();
      if (Object.keys(op.set).length) await c.send(new ev.TagResourceCommand({ ResourceARN: op.arn, Tags: toTagList(op.set, "Key", "Value") as never }));
      if (op.remove.length) await c.send(new ev.UntagResourceCommand({ ResourceARN: op.arn, TagKeys: op.remove }));
      log.info(`tagged rule ${op.rule.name}`);
      return;
    }
    case "putTargets": {
      const { c, m: ev } = await aws.events();
      const r = resolveTargets(op.rule, new Map(Object.entries(state.apiDestinations ?? {})));
      const unresolved = r.targets.find((t) => typeof t.Arn === "string" && API_DESTINATION_REF.test(t.Arn));
      if (unresolved) throw new Error(`rule ${r.name} names ${String(unresolved.Arn)}, which this deploy neither found nor created (a flowc bug)`);
      const out = await c.send(new ev.PutTargetsCommand({ Rule: r.name, EventBusName: r.bus, Targets: r.targets as never }));
      if (out.FailedEntryCount) throw new SfnError("AWS_ERROR", `EventBridge refused the target of rule ${r.name}: ${out.FailedEntries?.map((f) => `${f.ErrorCode}: ${f.ErrorMessage}`).join("; ")}`, "check sfn.eventsRoleArn and the rule in the bundle");
      if (op.remove.length) await c.send(new ev.RemoveTargetsCommand({ Rule: r.name, EventBusName: r.bus, Ids: op.remove }));
      log.info(`set the target${r.targets.length === 1 ? "" : "s"} of rule ${r.name} → ${r.targets.map((t) => String(t.Arn)).join(", ")}`);
      return;
    }
    case "registerJobDefinition": {
      const { c, m: batch } = await aws.batch();
      // Not idempotent on AWS: a retried call whose first answer was lost registers one more revision
      // with the same body, which is harmless (the newest ACTIVE revision is what a name resolves to).
      const out = await c.send(new batch.RegisterJobDefinitionCommand({ ...(op.body as object), jobDefinitionName: op.name, tags: allTags(d.jobDefinitions!.tags) } as never));
      log.info(`registered job definition ${op.name}:${out.revision} (${describeDefinition(d, op.name)})`);
      return;
    }
    case "deregisterJobDefinition": {
      const { c, m: batch } = await aws.batch();
      for (const arn of op.arns) {
        try {
          await c.send(new batch.DeregisterJobDefinitionCommand({ jobDefinition: arn }));
        } catch (e) {
          if (!isNotFound(e) && !(errorName(e) === "ClientException" && /inactive|not found|does not exist/i.test((e as Error).message))) throw e;
        }
      }
      log.info(`deregistered job definition ${op.name}`);
      return;
    }
    case "createConnection": {
      const { c, m: ev } = await aws.events();
      try {
        await c.send(new ev.CreateConnectionCommand({ Name: op.hook.name, Description: op.hook.description, ...HOOK_AUTH }));
      } catch (e) {
        // An earlier deploy whose answer was lost created it.
        if (!/AlreadyExists/.test(errorName(e))) throw e;
      }
      log.info(`created connection ${op.hook.name}`);
      return;
    }
    case "putApiDestination": {
      const { c, m: ev } = await aws.events();
      const connection = await c.send(new ev.DescribeConnectionCommand({ Name: op.hook.name }));
      const input = {
        Name: op.hook.name,
        Description: op.hook.description,
        ConnectionArn: connection.ConnectionArn!,
        InvocationEndpoint: op.hook.endpoint,
        HttpMethod: "POST" as const,
        InvocationRateLimitPerSecond: op.hook.rateLimit,
      };
      let arn: string | undefined;
      try {
        arn = op.create ? (await c.send(new ev.CreateApiDestinationCommand(input))).ApiDestinationArn : (await c.send(new ev.UpdateApiDestinationCommand(input))).ApiDestinationArn;
      } catch (e) {
        if (!op.create || !/AlreadyExists/.test(errorName(e))) throw e;
        arn = (await c.send(new ev.UpdateApiDestinationCommand(input))).ApiDestinationArn;
      }
      state.apiDestinations = { ...state.apiDestinations, [op.hook.name]: arn ?? (await c.send(new ev.DescribeApiDestinationCommand({ Name: op.hook.name }))).ApiDestinationArn! };
      log.info(`${op.create ? "created" : "updated"} API destination ${op.hook.name} → ${maskedEndpoint(op.hook.endpoint)}`);
      return;
    }
    case "deleteApiDestination":
    case "deleteConnection": {
      const { c, m: ev } = await aws.events();
      try {
        if (op.kind === "deleteApiDestination") await c.send(new ev.DeleteApiDestinationCommand({ Name: op.name }));
        else await c.send(new ev.DeleteConnectionCommand({ Name: op.name }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      log.info(`deleted ${op.kind === "deleteApiDestination" ? "API destination" : "connection"} ${op.name}`);
      return;
    }
    case "deleteRule": {
      const { c, m: ev } = await aws.events();
      try {
        // A rule with targets cannot be deleted; targets first.
        if (op.targetIds.length) await c.send(new ev.RemoveTargetsCommand({ Rule: op.name, EventBusName: op.bus, Ids: op.targetIds }));
        await c.send(new ev.DeleteRuleCommand({ Name: op.name, EventBusName: op.bus }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      log.info(`deleted rule ${op.name}`);
      return;
    }
  }
}
