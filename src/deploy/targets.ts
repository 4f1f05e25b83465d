import type { TargetName } from "../compile/types.ts";
import type { DeployTarget } from "./target.ts";

/**
 * Targets are imported lazily: the AWS SDK and the Kubernetes client cost hundreds of milliseconds to
 * load, and `flowc compile`/`validate` must not pay for them.
 */
export async function deployTarget(name: TargetName): Promise<DeployTarget> {
  switch (name) {
    case "sfn":
      return (await import("./sfn/index.ts")).sfnTarget;
    case "argo":
      return (await import("./argo/index.ts")).argoTarget;
  }
}
