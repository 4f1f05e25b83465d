import { flowHash } from "../flow/hash.ts";
import { sha256 } from "../render/serialize.ts";
import type { CompileInput, Manifest, TargetName } from "./types.ts";

/**
 * flowHash(ir) without serializing the IR a second time: the spec's canonical text embeds the IR's
 * canonical text verbatim (`{"apiVersion":…,"flow":<IR>[,"package":…]}`). Falls back to flowHash when
 * the text is not laid out that way. Saves ~30 ms on a 1,000-step flow, in every compile.
 */
export function contentHash(input: CompileInput): string {
  const { text, spec } = input.spec;
  const head = `{"apiVersion":${JSON.stringify(spec.apiVersion)},"flow":`;
  const tail = spec.package !== undefined ? `,"package":${JSON.stringify(spec.package)}}` : "}";
  if (spec.flow === input.ir && text.startsWith(head) && text.endsWith(tail)) return sha256(text.slice(head.length, text.length - tail.length));
  return flowHash(input.ir);
}

/**
 * The manifest every target writes beside its documents: what was compiled (flow, environment,
 * content hash, spec), by which flowc, what each file becomes, and figures for review and limit checks.
 * No clock and no host: two compiles of the same input give the same bytes. Target-neutral.
 */
export function buildManifest(
  input: CompileInput,
  target: TargetName,
  resources: Manifest["resources"],
  stats: Manifest["stats"],
  extra: Record<string, unknown> = {},
): Manifest {
  return {
    apiVersion: "flowc.manifest/v1",
    flow: input.ir.name,
    env: input.env.name,
    target,
    contentHash: contentHash(input),
    flowcVersion: input.flowcVersion,
    spec: { key: input.spec.key, sha256: input.spec.sha256 },
    ...(input.spec.spec.package ? { package: { key: input.spec.spec.package } } : {}),
    resources,
    stats,
    ...extra,
  };
}

/** The manifest's fixed file name in a bundle. */
export const manifestFile = (flow: string) => `${flow}.manifest.json`;
