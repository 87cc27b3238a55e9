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
