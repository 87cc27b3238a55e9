/**
 * Whether Elasticsearch's `_update` really applies a change at a given version. An update is in place only when it
 * applies every changed field; otherwise the endpoint is replaced and the fields that force it are named. The
 * Elastic Terraform provider sends such changes to `_update` anyway, where Elasticsearch silently ignores them.
 */
import { MAIN_VERSION, formatSince, getTaskSpec, infoOf, isAtLeast } from "../catalogue";
import { shapeOf } from "../model/schema-walk";

export type ChangeKind = "add" | "change" | "remove";

/** Why `_update` cannot apply this change, or undefined when it can. */
export function replaceReason(
  service: string,
  taskType: string,
  path: string,
  kind: ChangeKind,
  version: string,
): string | undefined {
  const [section, key] = path.split(".");
  if (section === "task_settings") {
    return kind === "remove" ? "_update merges task settings: it cannot remove a key" : undefined;
  }
  if (section === "chunking_settings") {
    return isAtLeast(version, MAIN_VERSION)
      ? undefined
      : `_update accepts chunking_settings only from Elasticsearch ${MAIN_VERSION} (main); this cluster is ${version}`;
  }
  if (section === "service_settings" && key) {
    const facts = infoOf(shapeOf(getTaskSpec(service, taskType)?.serviceSettings)?.[key]);
    if (facts.secret) return kind === "remove" ? "_update replaces secrets but cannot remove one" : undefined;
    if (facts.updatableSince && isAtLeast(version, facts.updatableSince)) return undefined;
    if (facts.updatableSince)
      return `_update applies service_settings.${key} only from Elasticsearch ${formatSince(facts.updatableSince)}; this cluster is ${version}`;
    return `_update on Elasticsearch ${version} does not change service_settings.${key}`;
  }
  return `${path} cannot change in place`;
}

/** Services whose endpoints run a model deployment inside the cluster. */
const IN_CLUSTER_SERVICES: readonly string[] = ["elasticsearch", "elser"];

/**
 * Why no `_update` can reach this endpoint at all, or undefined when one can. For in-cluster endpoints the update
 * goes through the model deployment: it must be the endpoint's own (else 409), and before 9.1 the request must
 * carry an integer `num_allocations` (else 400 "Failed to parse [num_allocations]"), which an endpoint with
 * adaptive allocations does not have.
 */
export function updateBlocker(
  endpoint: {
    readonly inference_id: string;
    readonly service: string;
    readonly service_settings: Readonly<Record<string, unknown>>;
  },
  version: string,
): string | undefined {
  if (!IN_CLUSTER_SERVICES.includes(endpoint.service)) return undefined;
  const deployment = endpoint.service_settings.deployment_id;
  if (typeof deployment === "string" && deployment !== endpoint.inference_id)
    return `the endpoint uses deployment ${deployment}, which it did not create: _update answers 409`;
  if (
    updateNeedsNumAllocations(endpoint.service, version) &&
    typeof endpoint.service_settings.num_allocations !== "number"
  )
    return `_update on Elasticsearch ${version} needs num_allocations, and this endpoint has adaptive allocations`;
  return undefined;
}

/** Whether `_update` of this endpoint must repeat `num_allocations` (in-cluster, before 9.1). */
export function updateNeedsNumAllocations(service: string, version: string): boolean {
  return IN_CLUSTER_SERVICES.includes(service) && !isAtLeast(version, "9.1.0");
}
