import type { AwsSession } from "../../aws/clients.ts";
import { errorName, isNotFound } from "../../aws/errors.ts";
import { toCompactJson } from "../../render/serialize.ts";
import type { Logger } from "../target.ts";
import type { DesiredSfn } from "./desired.ts";
import { SfnError } from "./errors.ts";
import { versionNumber } from "./live.ts";
import { aliasDescription } from "./alias.ts";
import type { Op, VersionRef } from "./ops.ts";
import { describeDefinition } from "./plan-jobdefs.ts";
import { allTags, toTagList } from "./tags.ts";

/**
 * Runs a plan's operations in order, one AWS call (or two, for a rule's targets) each. Every call is
 * safe to repeat: the SDK retries throttling and connection faults, and an operation whose answer
 * was lost is seen as done (or as a conflict) when the reconcile loop reads AWS again.
 */
export interface ApplyState {
  /** The version published by this run, once it exists. */
  published?: { arn: string; number: number };
  /** Revision of $LATEST written by this run: publishing refuses if someone wrote it since. */
  revisionId?: string;
}

function versionArn(ref: VersionRef, state: ApplyState): { arn: string; number: number } {
  if (ref !== "new") return ref;
  if (!state.published) throw new Error("no version was published before the alias was set (a flowc bug)");
  return state.published;
}

export async function runOp(aws: AwsSession, d: DesiredSfn, op: Op, state: ApplyState, log: Logger): Promise<void> {
  const m = d.machine;
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
          definition: m.definitionText,
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
          ...(op.definition ? { definition: m.definitionText, roleArn: m.roleArn } : {}),
          ...(op.config ? { loggingConfiguration: (m.logging ?? { level: "OFF" }) as never, tracingConfiguration: { enabled: m.tracing } } : {}),
        }),
      );
      if (out.revisionId) state.revisionId = out.revisionId;
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
      const out = await c.send(new sfn.PublishStateMachineVersionCommand({ stateMachineArn: m.arn, description: d.versionDescription, ...(state.revisionId ? { revisionId: state.revisionId } : {}) }));
      state.published = { arn: out.stateMachineVersionArn!, number: versionNumber(out.stateMachineVersionArn) ?? 0 };
      log.info(`published version ${state.published.number}`);
      return;
    }
    case "setAlias": {
      const { c, m: sfn } = await aws.sfn();
      const v = versionArn(op.to, state);
      const description = aliasDescription(d.flow, d.env, [v.number, ...op.history.filter((n) => n !== v.number)]);
      const routingConfiguration = [{ stateMachineVersionArn: v.arn, weight: 100 }];
      if (op.create) await c.send(new sfn.CreateStateMachineAliasCommand({ name: d.alias.name, description, routingConfiguration }));
      else await c.send(new sfn.UpdateStateMachineAliasCommand({ stateMachineAliasArn: d.alias.arn, description, routingConfiguration }));
      log.info(`alias ${d.alias.name} → version ${v.number}`);
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
      const r = op.rule;
      const out = await c.send(new ev.PutTargetsCommand({ Rule: r.name, EventBusName: r.bus, Targets: r.targets as never }));
      if (out.FailedEntryCount) throw new SfnError("AWS_ERROR", `EventBridge refused the target of rule ${r.name}: ${out.FailedEntries?.map((f) => `${f.ErrorCode}: ${f.ErrorMessage}`).join("; ")}`, "check sfn.eventsRoleArn and the rule in the bundle");
      if (op.remove.length) await c.send(new ev.RemoveTargetsCommand({ Rule: r.name, EventBusName: r.bus, Ids: op.remove }));
      log.info(`set the target of rule ${r.name} → ${d.alias.arn}`);
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
