import type { AwsSession } from "../../aws/clients.ts";
import type { CompiledFlow } from "../../compile/pipeline.ts";
import { sfnNames } from "../../names/sfn.ts";
import type { VersionInfo } from "../target.ts";
import { SfnError } from "./errors.ts";
import { listAliases, listVersions, readMachine, readVersion, type LiveAlias } from "./live.ts";
import { aliasHistory } from "./alias.ts";

export interface MachineRef {
  name: string;
  arn: string;
  alias: string;
  aliasArn: string;
}

/** The machine and alias an environment's deploy uses, from the configuration alone. */
export function machineRef(compiled: CompiledFlow): MachineRef {
  const sfn = compiled.env.sfn!;
  const names = sfnNames(compiled.flow.ir.name, compiled.env);
  const arn = `arn:${sfn.partition}:states:${sfn.region}:${sfn.account}:stateMachine:${names.stateMachine}`;
  return { name: names.stateMachine, arn, alias: names.alias, aliasArn: `${arn}:${names.alias}` };
}

export function notDeployed(compiled: CompiledFlow, what: string): SfnError {
  return new SfnError(
    "NOT_DEPLOYED",
    `${what}: flow \`${compiled.flow.ir.name}\` is not deployed to environment \`${compiled.env.name}\` (${machineRef(compiled).aliasArn} does not exist)`,
    `deploy it first: flowc deploy ${compiled.flow.loaded.file} --target sfn --env ${compiled.env.name}`,
  );
}

/**
 * Published versions, newest first, each with the aliases (environments) that point at it now and
 * those whose history lists it (what `rollback` can go back to).
 */
export async function versions(aws: AwsSession, compiled: CompiledFlow, limit = 20): Promise<VersionInfo[]> {
  const ref = machineRef(compiled);
  if (!(await readMachine(aws, ref.arn))) throw notDeployed(compiled, "no versions");
  const [all, aliases] = await Promise.all([listVersions(aws, ref.arn), listAliases(aws, ref.arn)]);
  const out: VersionInfo[] = [];
  for (const v of all.slice(0, limit)) {
    const d = await readVersion(aws, v.arn);
    out.push({
      version: String(v.number),
      ...(v.createdAt ?? d?.createdAt ? { createdAt: v.createdAt ?? d?.createdAt } : {}),
      ...(d?.description ? { description: d.description } : {}),
      aliases: aliases.filter((a) => a.version === v.number).map((a) => a.name),
      previouslyIn: aliases.filter((a) => a.version !== v.number && history(a).includes(v.number)).map((a) => a.name),
    });
  }
  return out;
}

export const history = (a: LiveAlias): number[] => aliasHistory(a.description, a.version);
