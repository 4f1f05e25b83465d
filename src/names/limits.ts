/** Service name limits, in characters. One table for both targets (names per target: docs/sfn-mapping.md and docs/argo-mapping.md, "Objects and names"). */
export const NAME_LIMITS = {
  sfnStateName: 80,
  sfnStateMachineName: 80,
  sfnAliasName: 80,
  eventBridgeRuleName: 64,
  eventBridgeApiDestinationName: 64,
  eventBridgeConnectionName: 64,
  schedulerScheduleName: 64,
  k8sName: 63,
  k8sLabelValue: 63,
  argoCronWorkflowName: 52,
} as const;
