// The resources the Kubernetes API double serves: Argo's custom resources (argoproj.io/v1alpha1),
// and Deployments (apps/v1), read-only, for reading which Argo controller a cluster runs.

export const GROUP = "argoproj.io";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[];
  /** CRD declares `subresources: {status: {}}`: the main endpoint ignores status. */
  statusSubresource: boolean;
  /** Served for GET and LIST only (tests seed the objects); writes answer 405. */
  readOnly?: boolean;
}

const r = (plural: string, singular: string, kind: string, shortNames: string[], statusSubresource: boolean): ResourceType => ({
  group: GROUP,
  version: VERSION,
  plural,
  singular,
  kind,
  listKind: `${kind}List`,
  shortNames,
  statusSubresource,
});

/** Argo Workflows' CRDs declare no status subresource; Argo Events' Sensor CRD does. */
export const RESOURCES: ResourceType[] = [
  r("workflowtemplates", "workflowtemplate", "WorkflowTemplate", ["wftmpl"], false),
  r("cronworkflows", "cronworkflow", "CronWorkflow", ["cwf", "cronwf"], false),
  r("workflows", "workflow", "Workflow", ["wf"], false),
  r("sensors", "sensor", "Sensor", ["sn"], true),
  { group: "apps", version: "v1", plural: "deployments", singular: "deployment", kind: "Deployment", listKind: "DeploymentList", shortNames: ["deploy"], statusSubresource: true, readOnly: true },
];

/** Looks a resource up by plural, singular, kind or short name (case-insensitive). */
export function resourceFor(name: string): ResourceType | undefined {
  const n = name.toLowerCase();
  return RESOURCES.find(
    (t) => t.plural === n || t.singular === n || t.kind.toLowerCase() === n || t.shortNames.includes(n),
  );
}
