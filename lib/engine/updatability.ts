/**
 * Whether Elasticsearch's `_update` really applies a change at a given version, as the catalogue's registry of
 * server behavior says (lib/catalogue/behaviors.ts). An update is in place only when it applies every changed
 * field; otherwise the endpoint is replaced and the fields that force it are named. The Elastic Terraform provider
 * sends such changes to `_update` anyway, where Elasticsearch ignores them.
 */
import {
  behaviorSince,
  formatSince,
  getTaskSpec,
  hasBehavior,
  infoOf,
  isInClusterService,
  updatableServiceSettings,
  updatableSince,
} from "../catalogue";
import { shapeOf } from "../model/schema-walk";

export type ChangeKind = "add" | "change" | "remove";

/** Why `_update` cannot apply this change, or undefined when it can. `path` is a field path (`service_settings.x.y`). */
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
    return hasBehavior("update.chunking_settings", version)
      ? undefined
      : `_update accepts chunking_settings only from Elasticsearch ${behaviorSince("update.chunking_settings")}; this cluster is ${version}`;
  }
  if (section === "service_settings" && key) {
    const shape = shapeOf(getTaskSpec(service, taskType)?.serviceSettings);
    const facts = infoOf(shape && Object.hasOwn(shape, key) ? shape[key] : undefined);
    if (facts.secret) return kind === "remove" ? "_update replaces secrets but cannot remove one" : undefined;
    if (updatableServiceSettings(service, taskType, version).has(key))
      return kind === "remove"
        ? `_update merges service settings: it cannot remove service_settings.${key}`
        : undefined;
    const since = updatableSince(service, taskType, key);
    if (since)
      return `_update applies service_settings.${key} only from Elasticsearch ${formatSince(since)}; this cluster is ${version}`;
    return `_update on Elasticsearch ${version} does not change service_settings.${key}`;
  }
  return `${path} cannot change in place`;
}

/**
 * Why no `_update` can reach this endpoint at all, or undefined when one can. For in-cluster endpoints the update
 * goes through the model deployment: it must be the endpoint's own (else 409), and on versions with
 * `update.in_cluster_requires_num_allocations` the request must carry an integer `num_allocations` (else 400), which
 * an endpoint with adaptive allocations does not have.
 */
export function updateBlocker(
  endpoint: {
    readonly inference_id: string;
    readonly service: string;
    readonly service_settings: Readonly<Record<string, unknown>>;
  },
  version: string,
): string | undefined {
  if (!isInClusterService(endpoint.service)) return undefined;
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
  return isInClusterService(service) && hasBehavior("update.in_cluster_requires_num_allocations", version);
}
