// Types for the vendored validators (scripts/vendor-argo-models.mjs): only what test/k8s uses.
/** A @kubernetes-models model: validate() throws an error with ajv's `errors` on the first invalid document. */
declare class ArgoModel {
  constructor(data?: object);
  validate(): void;
}
export declare class CronWorkflow extends ArgoModel {}
export declare class Workflow extends ArgoModel {}
export declare class WorkflowTemplate extends ArgoModel {}
export declare class Parameter extends ArgoModel {}
