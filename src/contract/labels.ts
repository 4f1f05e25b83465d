/**
 * Keys of the tags (AWS) and labels (Kubernetes) flowc puts on what it creates and on the runs those
 * start. The compilers write them into the bundle; deploy, `flowc runs` and `flowc trigger` find
 * resources and runs by them. Both sides import them from here, so neither depends on the other.
 */
export const LABEL = {
  managedBy: "flowc.dev/managed-by",
  flow: "flowc.dev/flow",
  env: "flowc.dev/env",
  /** A content hash: the first 40 hex digits on Kubernetes (a label value holds at most 63 characters). */
  hash: "flowc.dev/hash",
  version: "flowc.dev/flowc-version",
  owner: "flowc.dev/owner",
  /** How a run was started: schedule, after-<flow>, event, manual. */
  trigger: "flowc.dev/trigger",
  /** The run a Workflow belongs to when its name is not the run id (`flowc resume` names it <run>-r<n>). */
  runId: "flowc.dev/run-id",
} as const;

/** The full sha256 content hash of an Argo object's build (the `hash` label holds a prefix). */
export const CONTENT_HASH_ANNOTATION = "flowc.dev/content-hash";
