import type { StepIR } from "../../flow/ir.ts";
import type { PolicyInput, PolicyRule, Violation, Where } from "../types.ts";
import { stepOrigin } from "../where.ts";

/** A step's image and where it is written: the flow (step or defaults), or the environment's `image`. */
function imageOf(input: PolicyInput, step: StepIR): { image: string; where: Where } | undefined {
  if (step.image) return { image: step.image, where: stepOrigin(input, step, ["image"]) };
  if (input.env.image) return { image: input.env.image, where: { in: "config", path: ["environments", input.env.name, "image"] } };
  return undefined;
}

/** `repo:tag` → tag; none (→ latest) for `repo`; a digest (`@sha256:…`) pins the image whatever the tag. */
export function mutableTag(image: string): string | undefined {
  if (image.includes("@")) return undefined;
  const name = image.slice(image.lastIndexOf("/") + 1);
  const colon = name.lastIndexOf(":");
  const tag = colon < 0 ? "latest" : name.slice(colon + 1);
  return tag === "latest" ? tag : undefined;
}

/** images.allow: every image starts with an allowed prefix (a registry, or a registry and a repository). */
export const imageRegistry: PolicyRule = (input) => {
  const allow = input.policy.images?.allow;
  if (!allow) return [];
  const out: Violation[] = [];
  for (const step of input.ir.steps) {
    const img = imageOf(input, step);
    if (!img || allow.some((p) => img.image.startsWith(p))) continue;
    out.push({
      code: "POLICY_IMAGE_REGISTRY",
      message: `step \`${step.name}\` runs image ${img.image}, which is not from an allowed registry (${allow.join(", ")})`,
      hint: "push the image to an allowed registry and name it there",
      where: img.where,
      rule: ["images", "allow"],
    });
  }
  return out;
};

/** images.latest: forbid: no image without a tag, or tagged `latest` (what runs would change under the flow). */
export const imageLatest: PolicyRule = (input) => {
  if (input.policy.images?.latest !== "forbid") return [];
  const out: Violation[] = [];
  for (const step of input.ir.steps) {
    const img = imageOf(input, step);
    if (!img || !mutableTag(img.image)) continue;
    out.push({
      code: "POLICY_IMAGE_LATEST",
      message: `step \`${step.name}\` runs ${img.image}, which ${img.image.includes(":latest") ? "is tagged latest" : "names no tag (so latest)"}: what runs would change without the flow changing`,
      hint: "name a version tag (repo:1.4.2) or a digest (repo@sha256:…)",
      where: img.where,
      rule: ["images", "latest"],
    });
  }
  return out;
};
