/**
 * `_update` as TransportUpdateInferenceModelAction implements it, per version:
 * - body checks (`getContentAsSettings`): empty body, fields that cannot be updated, maps that are not maps;
 * - task type resolution (path + body; neither → "model is missing required setting [task_type]"), then the
 *   not-found check, then (main) the default-endpoint check, then the stored task type;
 * - 8.18–9.5: `service_settings` only replace the secrets (`newSecretSettings`: the service's secret parser, so a
 *   missing `api_key` is an error, ES #139651) and, for in-cluster endpoints, apply `num_allocations` (8.17+) and
 *   `adaptive_allocations` (9.1+); every other service setting is SILENTLY IGNORED. `task_settings` are merged.
 * - in-cluster endpoints: the deployment must belong to the endpoint (else 409); before 9.1 the update must carry an
 *   integer `num_allocations` (else 400 "Failed to parse [num_allocations] ...", quoting the raw body).
 * - main (2026): service and task settings are merged, unknown keys rejected, `chunking_settings` replaced.
 * - an update that changes nothing is a no-op returning the current configuration.
 */
import type { TaskType } from "../catalogue";
import { jsonEqual } from "../model/canonical";
import { parseChunking } from "./chunking";
import { IN_CLUSTER_SERVICES, isPreconfigured } from "./defaults";
import { classCast, EsError, msg, notFound, statusException, validationException } from "./errors";
import { isJavaIntExceptMin, javaMapToString } from "./java";
import { isPlainObject } from "./json";
import { taskFields, type FieldSpec } from "./schema";
import { availableFields, leftoverOf, parseScope, throwIfUnknown } from "./settings-parse";
import { digestSecrets, type StoredEndpoint } from "./store";
import { parseTaskType, resolveTaskType, type TaskTypeOrAny } from "./task-types";
import { checkInferenceId, crossFieldErrors } from "./validate-put";
import type { Behavior } from "./versions";

interface UpdateContent {
  taskType?: TaskTypeOrAny;
  serviceSettings?: Record<string, unknown>;
  taskSettings?: Record<string, unknown>;
  chunkingSettings?: Record<string, unknown>;
}

/** `UpdateInferenceModelAction.Request.getContentAsSettings`, plus `chunking_settings` on main (2026). */
function contentAsSettings(body: unknown, behavior: Behavior): UpdateContent {
  if (body === undefined) throw new EsError(400, "parse_exception", msg.requestBodyRequired());
  if (!isPlainObject(body) || Object.keys(body).length === 0) throw statusException(msg.updateBodyEmpty());
  const originalSize = Object.keys(body).length;
  const rest: Record<string, unknown> = { ...body };
  const content: UpdateContent = {};
  if ("task_type" in rest) {
    if (typeof rest.task_type !== "string")
      throw statusException(`Failed to parse [task_type] in update request [${javaMapToString(rest)}]`, 500);
    content.taskType = parseTaskType(rest.task_type, behavior);
    delete rest.task_type;
  }
  const takeMap = (key: string, label: string): Record<string, unknown> | undefined => {
    if (!(key in rest)) return undefined;
    const value = rest[key];
    if (!isPlainObject(value))
      throw statusException(`Unable to parse ${label} in the request [${javaMapToString(rest, originalSize)}]`);
    delete rest[key];
    return Object.keys(value).length > 0 ? value : undefined;
  };
  content.serviceSettings = takeMap("service_settings", "service settings");
  content.taskSettings = takeMap("task_settings", "task settings");
  if (behavior.updateChunking && "chunking_settings" in rest) {
    const value = rest.chunking_settings;
    if (!isPlainObject(value))
      throw statusException(
        `Unable to parse chunking settings in the request [${javaMapToString(rest, originalSize)}]`,
      );
    content.chunkingSettings = value;
    delete rest.chunking_settings;
  }
  if (Object.keys(rest).length > 0) throw statusException(msg.updateNotUpdatable(rest, originalSize));
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
  // Request validation runs first; main lets `.` ids through to answer with its own message after the lookup.
  if (!(behavior.defaultEndpointUpdateMessage && id.startsWith("."))) checkInferenceId(id);
  const content = contentAsSettings(body, behavior);
  const resolved = resolveTaskType(pathTaskType, content.taskType, behavior);
  const existing = lookup(id);
  if (!existing) throw notFound(msg.notFoundForUpdate(id));
  if (behavior.defaultEndpointUpdateMessage && (id.startsWith(".") || isPreconfigured(id, behavior)))
    throw statusException(msg.defaultEndpointUpdate(id));
  if (existing.task_type !== resolved) throw statusException(msg.updateTaskTypeMismatch());

  const fields = taskFields(existing.service, existing.task_type);
  if (!fields) throw statusException(`Service [${existing.service}] not found`, 500);
  const merged = behavior.updateMergesServiceSettings
    ? mergeMain(existing, content, fields.serviceSettings, fields.taskSettings, behavior)
    : mergeReleased(existing, content, fields.serviceSettings, fields.taskSettings, behavior);
  if (
    !behavior.updateMergesServiceSettings &&
    merged.service === existing.service &&
    IN_CLUSTER_SERVICES.includes(existing.service) === false &&
    content.serviceSettings
  ) {
    // Cross-field secret rules (e.g. Azure api_key | entra_id) apply to the new secret settings.
    const errors = secretRuleErrors(existing, content.serviceSettings, behavior);
    if (errors.length > 0) throw validationException(errors);
  }
  const changed =
    !jsonEqual(merged.service_settings, existing.service_settings) ||
    !jsonEqual(merged.task_settings, existing.task_settings) ||
    !jsonEqual(merged.chunking_settings, existing.chunking_settings) ||
    !jsonEqual(merged.secrets, existing.secrets);
  // From 9.1 an unchanged model returns before the deployment is touched; before, every update reaches it.
  if (IN_CLUSTER_SERVICES.includes(existing.service) && (changed || behavior.updateInClusterNeedsNumAllocations))
    checkInClusterUpdate(existing, content, behavior, lookup, rawBody);
  return { endpoint: changed ? merged : existing, changed };
}

/** `updateInClusterEndpoint`: the deployment must be this endpoint's own; before 9.1, `num_allocations` is required. */
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
  if (behavior.updateInClusterNeedsNumAllocations && !isJavaIntExceptMin(content.serviceSettings?.num_allocations))
    throw statusException(msg.updateNumAllocationsUnparsed(rawBody));
}

const scopeOptions = (e: StoredEndpoint, behavior: Behavior, scope: string) => ({
  scope,
  behavior,
  service: e.service,
  requireRequired: false,
});

/** Task settings: parsed like on create, then merged over the stored ones (a key can change, never go away). */
function mergeTaskSettings(
  e: StoredEndpoint,
  update: Record<string, unknown> | undefined,
  taskFieldsList: readonly FieldSpec[],
  behavior: Behavior,
  rejectUnknown: boolean,
): Record<string, unknown> {
  if (!update) return e.task_settings;
  const parsed = parseScope(update, taskFieldsList, scopeOptions(e, behavior, "task_settings"));
  if (parsed.errors.length > 0) throw validationException(parsed.errors);
  if (rejectUnknown)
    throwIfUnknown(leftoverOf(update, parsed.consumed), Object.keys(update).length, behavior, e.service);
  return { ...e.task_settings, ...parsed.values };
}

/** The secret parser of the service applied to the update's service settings (`newSecretSettings`). */
function newSecrets(
  e: StoredEndpoint,
  update: Record<string, unknown>,
  secretFields: readonly FieldSpec[],
  behavior: Behavior,
  required: boolean,
): Record<string, unknown> {
  const specs = secretFields.map((f) =>
    e.service === "openai" && f.name === "api_key" && !behavior.main ? { ...f, required: true } : f,
  );
  const parsed = parseScope(update, specs, {
    ...scopeOptions(e, behavior, "secret_settings"),
    requireRequired: required,
  });
  if (parsed.errors.length > 0) throw validationException(parsed.errors);
  return parsed.values;
}

function mergeReleased(
  e: StoredEndpoint,
  content: UpdateContent,
  serviceFields: readonly FieldSpec[],
  taskFieldsList: readonly FieldSpec[],
  behavior: Behavior,
): StoredEndpoint {
  let serviceSettings = e.service_settings;
  let secrets = e.secrets;
  if (content.serviceSettings) {
    if (IN_CLUSTER_SERVICES.includes(e.service)) {
      serviceSettings = mergeAllocations(e, content.serviceSettings, serviceFields, behavior);
    } else {
      const secretFields = availableFields(serviceFields, behavior).filter((f) => f.secret);
      // Services without secret settings keep none; the others replace them from the update (required ones too).
      if (secretFields.length > 0)
        secrets = digestSecrets(newSecrets(e, content.serviceSettings, secretFields, behavior, true));
    }
  }
  const taskSettings = mergeTaskSettings(e, content.taskSettings, taskFieldsList, behavior, false);
  return { ...e, service_settings: serviceSettings, task_settings: taskSettings, secrets };
}

/** In-cluster endpoints: only `num_allocations` (8.17+) and `adaptive_allocations` (9.1+) are applied. */
function mergeAllocations(
  e: StoredEndpoint,
  update: Record<string, unknown>,
  serviceFields: readonly FieldSpec[],
  behavior: Behavior,
): Record<string, unknown> {
  const names = [
    ...(behavior.updateNumAllocations ? ["num_allocations"] : []),
    ...(behavior.updateAdaptiveAllocations ? ["adaptive_allocations"] : []),
  ];
  // Before 9.1 the server casts the value with `(Integer)`: anything else escapes as a ClassCastException (500).
  const n = update.num_allocations;
  if (behavior.updateInClusterNeedsNumAllocations && n !== undefined && n !== null && !isJavaIntExceptMin(n))
    throw classCast(n, "Integer");
  const specs = serviceFields.filter((f) => names.includes(f.name));
  const parsed = parseScope(update, specs, scopeOptions(e, behavior, "service_settings"));
  if (parsed.errors.length > 0) throw validationException(parsed.errors);
  if (behavior.updateMergesServiceSettings)
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

function mergeMain(
  e: StoredEndpoint,
  content: UpdateContent,
  serviceFields: readonly FieldSpec[],
  taskFieldsList: readonly FieldSpec[],
  behavior: Behavior,
): StoredEndpoint {
  let serviceSettings = e.service_settings;
  let secrets = e.secrets;
  let chunking = e.chunking_settings;
  if (content.serviceSettings) {
    const update = content.serviceSettings;
    if (IN_CLUSTER_SERVICES.includes(e.service)) {
      serviceSettings = mergeAllocations(e, update, serviceFields, behavior);
    } else {
      const plain = serviceFields.filter((f) => !f.secret);
      const parsed = parseScope(update, plain, scopeOptions(e, behavior, "service_settings"));
      if (parsed.errors.length > 0) throw validationException(parsed.errors);
      const secretFields = availableFields(serviceFields, behavior).filter((f) => f.secret);
      const given = newSecrets(e, update, secretFields, behavior, false);
      const secretConsumed = new Set(secretFields.map((f) => f.name).filter((n) => n in update));
      serviceSettings = { ...e.service_settings };
      for (const [k, v] of Object.entries(parsed.values))
        serviceSettings[k] =
          isPlainObject(v) && isPlainObject(serviceSettings[k]) ? { ...serviceSettings[k], ...v } : v;
      secrets = { ...e.secrets, ...digestSecrets(given) };
      const fields = taskFields(e.service, e.task_type)!;
      const ruleErrors = crossFieldErrors(
        e.service,
        e.task_type,
        fields,
        { ...serviceSettings, ...secretsPresence(secrets) },
        {},
        behavior,
      );
      if (ruleErrors.length > 0) throw validationException(ruleErrors);
      throwIfUnknown(
        leftoverOf(update, new Set([...parsed.consumed, ...secretConsumed])),
        Object.keys(update).length,
        behavior,
        e.service,
      );
    }
  }
  const taskSettings = mergeTaskSettings(e, content.taskSettings, taskFieldsList, behavior, true);
  if (content.chunkingSettings) {
    if (e.chunking_settings === undefined)
      throwIfUnknown({ chunking_settings: content.chunkingSettings }, 1, behavior, e.service);
    chunking = parseChunking(content.chunkingSettings, behavior);
  }
  return { ...e, service_settings: serviceSettings, task_settings: taskSettings, chunking_settings: chunking, secrets };
}

/** Stand-in values so cross-field rules can tell which secrets an endpoint has (the values are digests). */
function secretsPresence(secrets: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(secrets).map((k) => [k, "(secret)"]));
}

/** Cross-field rules that concern the secrets replaced by a released-version update (Azure OpenAI). */
function secretRuleErrors(e: StoredEndpoint, update: Record<string, unknown>, behavior: Behavior): string[] {
  if (e.service !== "azureopenai") return [];
  const fields = taskFields(e.service, e.task_type)!;
  const secretNames = availableFields(fields.serviceSettings, behavior)
    .filter((f) => f.secret)
    .map((f) => f.name);
  const onlySecrets = Object.fromEntries(Object.entries(update).filter(([k]) => secretNames.includes(k)));
  return crossFieldErrors(e.service, e.task_type as TaskType, fields, onlySecrets, {}, behavior).filter((m) =>
    m.startsWith("[secret_settings]"),
  );
}
