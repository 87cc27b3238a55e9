/**
 * `_update` as TransportUpdateInferenceModelAction implements it, with every version switch read from the
 * catalogue's registry (lib/catalogue/behaviors.ts):
 * - body checks (`getContentAsSettings`): empty body, fields that cannot be updated, maps that are not maps (the
 *   wording and status of the last changed: `update.request_parse_errors_400`); `chunking_settings` is accepted
 *   from `update.chunking_settings`;
 * - task type resolution (path + body; neither → "model is missing required setting [task_type]"), then the
 *   not-found check, then the default-endpoint check (`update.default_endpoint_message`), then the stored task type;
 * - `service_settings`: the secrets are replaced through the service's secret parser (`newSecretSettings`, which
 *   requires them until `update.secret_settings_optional`), and exactly the service settings the registry's
 *   `UPDATABLE_SERVICE_SETTINGS` lists for the service at this version are merged; every other key is silently
 *   ignored, or rejected from `update.rejects_unknown_settings`;
 * - in-cluster endpoints: the deployment must belong to the endpoint (else 409); while
 *   `update.in_cluster_requires_num_allocations` the update must carry an integer `num_allocations`;
 * - `task_settings` are merged (a key can change, never go away); `chunking_settings` replace the stored ones;
 * - an update that changes nothing is a no-op returning the current configuration.
 */
import { isInClusterService, updatableServiceSettings, type TaskType } from "../catalogue";
import { jsonEqual } from "../model/canonical";
import { parseChunking } from "./chunking";
import { isPreconfigured } from "./defaults";
import { classCast, EsError, msg, notFound, statusException, validationException } from "./errors";
import { isJavaIntExceptMin, javaMapToString } from "./java";
import { isPlainObject } from "./json";
import { taskFields, type FieldSpec } from "./schema";
import { availableFields, leftoverOf, parseScope, throwIfUnknown } from "./settings-parse";
import { digestSecrets, type StoredEndpoint } from "./store";
import { parseTaskType, resolveTaskType, type TaskTypeOrAny } from "./task-types";
import { checkInferenceId, crossFieldErrors, secretFieldsFor } from "./validate-put";
import type { Behavior } from "./versions";

interface UpdateContent {
  taskType?: TaskTypeOrAny;
  serviceSettings?: Record<string, unknown>;
  taskSettings?: Record<string, unknown>;
  chunkingSettings?: Record<string, unknown>;
}

/** `UpdateInferenceModelAction.Request.getContentAsSettings` (CachedParsedSettings on main). */
function contentAsSettings(body: unknown, behavior: Behavior): UpdateContent {
  if (body === undefined) throw new EsError(400, "parse_exception", msg.requestBodyRequired());
  if (!isPlainObject(body) || Object.keys(body).length === 0) throw statusException(msg.updateBodyEmpty());
  const originalSize = Object.keys(body).length;
  const rest = new Map(Object.entries(body));
  const remaining = () => Object.fromEntries(rest);
  const current400 = behavior.has("update.request_parse_errors_400");
  const content: UpdateContent = {};
  if (rest.has("task_type")) {
    const raw = rest.get("task_type");
    if (typeof raw !== "string")
      throw statusException(
        `Failed to parse [task_type] in update request [${javaMapToString(remaining(), originalSize)}]`,
        current400 ? 400 : 500,
      );
    content.taskType = parseTaskType(raw, behavior);
    rest.delete("task_type");
  }
  const takeMap = (key: string, oldLabel: string): Record<string, unknown> | undefined => {
    if (!rest.has(key)) return undefined;
    const value = rest.get(key);
    if (!isPlainObject(value))
      throw statusException(
        `Unable to parse ${current400 ? `[${key}]` : oldLabel} in the request [${javaMapToString(remaining(), originalSize)}]`,
      );
    rest.delete(key);
    return Object.keys(value).length > 0 ? value : undefined;
  };
  content.serviceSettings = takeMap("service_settings", "service settings");
  content.taskSettings = takeMap("task_settings", "task settings");
  if (behavior.has("update.chunking_settings"))
    content.chunkingSettings = takeMap("chunking_settings", "chunking settings");
  if (rest.size > 0) throw statusException(msg.updateNotUpdatable(remaining(), originalSize));
  return content;
}

export interface UpdateResult {
  readonly endpoint: StoredEndpoint;
  /** False for a no-op update (nothing to store). */
  readonly changed: boolean;
}

/**
 * Validates and applies an update; `lookup` finds a stored (or default) endpoint; `rawBody` is the request body as
 * sent (quoted by one error). Throws the server's errors.
 */
export function applyUpdate(
  id: string,
  pathTaskType: TaskTypeOrAny,
  body: unknown,
  behavior: Behavior,
  lookup: (id: string) => StoredEndpoint | undefined,
  rawBody: string,
): UpdateResult {
  const defaultMessage = behavior.has("update.default_endpoint_message");
  // Request validation runs first; from `update.default_endpoint_message` `.` ids get their own message later.
  if (!(defaultMessage && id.startsWith("."))) checkInferenceId(id);
  const content = contentAsSettings(body, behavior);
  const resolved = resolveTaskType(pathTaskType, content.taskType, behavior);
  const existing = lookup(id);
  if (!existing) throw notFound(msg.notFoundForUpdate(id));
  if (defaultMessage && (id.startsWith(".") || isPreconfigured(id, behavior)))
    throw statusException(msg.defaultEndpointUpdate(id));
  if (existing.task_type !== resolved) throw statusException(msg.updateTaskTypeMismatch());

  const fields = taskFields(existing.service, existing.task_type);
  if (!fields) throw statusException(`Service [${existing.service}] not found`, 500);
  const inCluster = isInClusterService(existing.service);
  let serviceSettings = existing.service_settings;
  let secrets = existing.secrets;
  if (content.serviceSettings) {
    if (inCluster)
      serviceSettings = mergeAllocations(existing, content.serviceSettings, fields.serviceSettings, behavior);
    else ({ serviceSettings, secrets } = mergeServiceSettings(existing, content.serviceSettings, behavior));
  }
  const merged: StoredEndpoint = {
    ...existing,
    service_settings: serviceSettings,
    task_settings: mergeTaskSettings(existing, content.taskSettings, fields.taskSettings, behavior),
    chunking_settings: content.chunkingSettings
      ? replaceChunking(existing, content.chunkingSettings, behavior)
      : existing.chunking_settings,
    secrets,
  };
  const changed =
    !jsonEqual(merged.service_settings, existing.service_settings) ||
    !jsonEqual(merged.task_settings, existing.task_settings) ||
    !jsonEqual(merged.chunking_settings, existing.chunking_settings) ||
    !jsonEqual(merged.secrets, existing.secrets);
  // From 9.1 an unchanged model returns before the deployment is touched; before, every update reaches it.
  if (inCluster && (changed || behavior.has("update.in_cluster_requires_num_allocations")))
    checkInClusterUpdate(existing, content, behavior, lookup, rawBody);
  return { endpoint: changed ? merged : existing, changed };
}

/** `updateInClusterEndpoint`: the deployment must be this endpoint's own; the num_allocations requirement. */
function checkInClusterUpdate(
  e: StoredEndpoint,
  content: UpdateContent,
  behavior: Behavior,
  lookup: (id: string) => StoredEndpoint | undefined,
  rawBody: string,
): void {
  const deployment =
    typeof e.service_settings.deployment_id === "string" ? e.service_settings.deployment_id : e.inference_id;
  if (deployment !== e.inference_id) {
    const owner = lookup(deployment);
    throw statusException(
      owner
        ? msg.updateDeploymentOfAnotherEndpoint(e.inference_id, deployment, owner.inference_id)
        : msg.updateDeploymentNotCreatedByEndpoint(e.inference_id, deployment),
      409,
    );
  }
  if (
    behavior.has("update.in_cluster_requires_num_allocations") &&
    !isJavaIntExceptMin(content.serviceSettings?.num_allocations)
  )
    throw statusException(msg.updateNumAllocationsUnparsed(rawBody));
}

const scopeOptions = (e: StoredEndpoint, behavior: Behavior, scope: string) => ({
  scope,
  behavior,
  service: e.service,
  requireRequired: false,
});

/** Task settings: parsed like on create, then merged over the stored ones. */
function mergeTaskSettings(
  e: StoredEndpoint,
  update: Record<string, unknown> | undefined,
  taskFieldsList: readonly FieldSpec[],
  behavior: Behavior,
): Record<string, unknown> {
  if (!update) return e.task_settings;
  const parsed = parseScope(update, taskFieldsList, scopeOptions(e, behavior, "task_settings"));
  if (parsed.errors.length > 0) throw validationException(parsed.errors);
  if (behavior.has("update.rejects_unknown_settings"))
    throwIfUnknown(leftoverOf(update, parsed.consumed), Object.keys(update).length, behavior, e.service);
  return { ...e.task_settings, ...parsed.values };
}

/** `ChunkingSettingsBuilder.fromMap` of the update, replacing the stored chunking settings. */
function replaceChunking(e: StoredEndpoint, update: Record<string, unknown>, behavior: Behavior) {
  // A task type without chunking keeps the key in the config map: the unknown-settings error.
  if (e.chunking_settings === undefined) throwIfUnknown({ chunking_settings: update }, 1, behavior, e.service);
  return parseChunking(update, behavior);
}

/**
 * Third-party services: the secrets through `newSecretSettings`, the service's mutable settings at this version
 * merged (a nested object such as `rate_limit` replaced as a whole), the rest ignored or rejected.
 */
function mergeServiceSettings(
  e: StoredEndpoint,
  update: Record<string, unknown>,
  behavior: Behavior,
): { serviceSettings: Record<string, unknown>; secrets: StoredEndpoint["secrets"] } {
  const fields = taskFields(e.service, e.task_type)!;
  const secretFields = secretFieldsFor(e.service, fields, behavior, !behavior.has("update.secret_settings_optional"));
  let secrets = e.secrets;
  if (secretFields.length > 0) {
    const parsed = parseScope(update, secretFields, {
      ...scopeOptions(e, behavior, "secret_settings"),
      requireRequired: true,
    });
    if (parsed.errors.length > 0) throw validationException(parsed.errors);
    const ruleErrors = secretRuleErrors(e, update, behavior);
    if (ruleErrors.length > 0) throw validationException(ruleErrors);
    const given = digestSecrets(parsed.values);
    // Before `update.secret_settings_optional` the parsed secrets replace the stored ones as a whole.
    secrets = behavior.has("update.secret_settings_optional") ? { ...e.secrets, ...given } : given;
  }
  const mutable = updatableServiceSettings(e.service, e.task_type, behavior.version);
  const mutableFields = availableFields(fields.serviceSettings, behavior).filter(
    (f) => !f.secret && mutable.has(f.name),
  );
  const parsed = parseScope(update, mutableFields, scopeOptions(e, behavior, "service_settings"));
  if (parsed.errors.length > 0) throw validationException(parsed.errors);
  const serviceSettings = { ...e.service_settings };
  for (const [k, v] of Object.entries(parsed.values)) serviceSettings[k] = v;
  if (parsed.consumed.size > 0) {
    const ruleErrors = crossFieldErrors(
      e.service,
      e.task_type,
      fields,
      { ...serviceSettings, ...secretsPresence(secrets) },
      {},
      behavior,
    );
    if (ruleErrors.length > 0) throw validationException(ruleErrors);
  }
  if (behavior.has("update.rejects_unknown_settings")) {
    const consumed = new Set([...parsed.consumed, ...secretFields.map((f) => f.name)]);
    throwIfUnknown(leftoverOf(update, consumed), Object.keys(update).length, behavior, e.service);
  }
  return { serviceSettings, secrets };
}

/**
 * In-cluster endpoints: the allocation settings the registry lists for this version, applied to the deployment.
 * While `update.in_cluster_requires_num_allocations` the server casts the value with `(Integer)`: anything else
 * escapes as a ClassCastException (500).
 */
function mergeAllocations(
  e: StoredEndpoint,
  update: Record<string, unknown>,
  serviceFields: readonly FieldSpec[],
  behavior: Behavior,
): Record<string, unknown> {
  const names = updatableServiceSettings(e.service, e.task_type, behavior.version);
  const n = update.num_allocations;
  if (
    behavior.has("update.in_cluster_requires_num_allocations") &&
    n !== undefined &&
    n !== null &&
    !isJavaIntExceptMin(n)
  )
    throw classCast(n, "Integer");
  const specs = serviceFields.filter((f) => names.has(f.name));
  const parsed = parseScope(update, specs, scopeOptions(e, behavior, "service_settings"));
  if (parsed.errors.length > 0) throw validationException(parsed.errors);
  if (behavior.has("update.rejects_unknown_settings"))
    throwIfUnknown(leftoverOf(update, parsed.consumed), Object.keys(update).length, behavior, e.service);
  const out = { ...e.service_settings };
  for (const [k, v] of Object.entries(parsed.values)) out[k] = v;
  return reorderInCluster(out);
}

/** Keeps the in-cluster `toXContent` order after merging. */
function reorderInCluster(s: Record<string, unknown>): Record<string, unknown> {
  const order = ["num_allocations", "num_threads", "model_id", "adaptive_allocations", "deployment_id"];
  const out: Record<string, unknown> = {};
  for (const k of order) if (s[k] !== undefined) out[k] = s[k];
  for (const [k, v] of Object.entries(s)) if (!order.includes(k)) out[k] = v;
  return out;
}

/** Stand-in values so cross-field rules can tell which secrets an endpoint has (the values are digests). */
function secretsPresence(secrets: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(secrets).map((k) => [k, "(secret)"]));
}

/** Cross-field rules that concern the secrets an update replaces (Azure OpenAI: api_key | entra_id | ...). */
function secretRuleErrors(e: StoredEndpoint, update: Record<string, unknown>, behavior: Behavior): string[] {
  if (e.service !== "azureopenai" || behavior.has("update.secret_settings_optional")) return [];
  const fields = taskFields(e.service, e.task_type)!;
  const secretNames = availableFields(fields.serviceSettings, behavior)
    .filter((f) => f.secret)
    .map((f) => f.name);
  const onlySecrets = Object.fromEntries(Object.entries(update).filter(([k]) => secretNames.includes(k)));
  return crossFieldErrors(e.service, e.task_type as TaskType, fields, onlySecrets, {}, behavior).filter((m) =>
    m.startsWith("[secret_settings]"),
  );
}
