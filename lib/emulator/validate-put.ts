/**
 * Create (`PUT _inference/...`) in the server's check order: id valid → reserved id → task type resolution →
 * `service` present → service known at this version → id is not a trained-model deployment's → the service's
 * `parseRequestConfig` (service_settings
 * present → task type supported → chunking → service settings → task settings → secrets → cross-field rules →
 * unknown keys at top level, then service_settings, then task_settings). Live validation always "succeeds"; the
 * duplicate-id check belongs to the caller, after this (the server raises it only when storing).
 */
import { getService, INFERENCE_ID_PATTERN, isInClusterService, type RuleIssue, type TaskType } from "../catalogue";
import { parseChunking } from "./chunking";
import {
  defaultDimensions,
  defaultSimilarity,
  ELSER_MODEL_ID,
  EMBEDDING_TYPE_DEFAULTS,
  isEmbeddingTask,
  isPreconfigured,
} from "./defaults";
import { actionRequestValidation, classCast, EsError, msg, statusException, validationException } from "./errors";
import { isPlainObject } from "./json";
import { taskFields, type FieldSpec, type TaskFields } from "./schema";
import { availableFields, leftoverOf, parseScope, throwIfUnknown } from "./settings-parse";
import { digestSecrets, type StoredEndpoint } from "./store";
import { resolveTaskType, type TaskTypeOrAny } from "./task-types";
import type { Behavior } from "./versions";

/** `MlStrings.isValidId`: the pattern, and not `_all`. */
export function isValidInferenceId(id: string): boolean {
  return id !== "_all" && INFERENCE_ID_PATTERN.test(id);
}

export function checkInferenceId(id: string): void {
  if (!isValidInferenceId(id)) throw actionRequestValidation([msg.invalidId(id)]);
}

/** A parsed JSON body must be an object for the server's `parser.map()`. */
export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (isPlainObject(body)) return body;
  const token = Array.isArray(body) ? "START_ARRAY" : typeof body === "string" ? "VALUE_STRING" : "VALUE_NUMBER";
  throw new EsError(
    400,
    "parse_exception",
    `Failed to parse object: expecting token of type [START_OBJECT] but found [${token}]`,
  );
}

/**
 * Validates a create request; returns the endpoint to store (not yet stored). Throws the server's errors.
 * `trainedModelIds`: deployment and model ids of running trained-model deployments (an inference id may not equal
 * one), the cluster state the create checks consult.
 */
export function validateCreate(
  id: string,
  pathTaskType: TaskTypeOrAny,
  rawBody: unknown,
  behavior: Behavior,
  trainedModelIds: ReadonlySet<string>,
): StoredEndpoint {
  checkInferenceId(id);
  if (isPreconfigured(id, behavior)) throw statusException(msg.reservedId(id));
  const body = requireObjectBody(rawBody);
  const taskType = resolveTaskType(pathTaskType, body.task_type, behavior);
  const service = body.service;
  if (service === undefined || service === null) throw statusException(msg.missingService());
  if (typeof service !== "string") throw classCast(service, "String");
  const spec = getService(service);
  if (!spec || !behavior.at(spec.since)) throw statusException(msg.unknownService(service));
  if (trainedModelIds.has(id)) throw statusException(msg.idMatchesTrainedModel(id));
  return parseRequestConfig(id, taskType, service, body, behavior);
}

function parseRequestConfig(
  id: string,
  taskType: TaskType,
  service: string,
  body: Record<string, unknown>,
  behavior: Behavior,
): StoredEndpoint {
  const consumedTop = new Set(["task_type", "service", "service_settings", "task_settings"]);
  const ss = body.service_settings;
  if (ss === undefined || ss === null) throw statusException(msg.missingField("service_settings"));
  if (!isPlainObject(ss)) throw classCast(ss, "Map");
  const ts = body.task_settings ?? {};
  if (!isPlainObject(ts)) throw classCast(ts, "Map");

  const fields = taskFields(service, taskType);
  if (!fields || (fields.spec.since !== undefined && !behavior.at(fields.spec.since)))
    throw statusException(msg.unsupportedTaskType(service, taskType));

  let chunking: Record<string, unknown> | undefined;
  if (fields.spec.chunking) {
    chunking = parseChunking(body.chunking_settings, behavior);
    consumedTop.add("chunking_settings");
  }

  const scope = { behavior, service, requireRequired: true };
  const ssFields = fields.serviceSettings.filter((f) => !f.secret);
  const parsedService = parseScope(ss, ssFields, { ...scope, scope: "service_settings" });
  const inCluster = isInClusterService(service);
  if (inCluster) parsedService.errors.push(...inClusterErrors(service, ss));
  if (parsedService.errors.length > 0) throw validationException(parsedService.errors);

  const parsedTask = parseScope(ts, fields.taskSettings, { ...scope, scope: "task_settings" });
  if (parsedTask.errors.length > 0) throw validationException(parsedTask.errors);

  const parsedSecrets = parseScope(ss, secretFieldsFor(service, fields, behavior, true), {
    ...scope,
    scope: "secret_settings",
  });
  if (parsedSecrets.errors.length > 0) throw validationException(parsedSecrets.errors);

  if (!inCluster) {
    const ruleErrors = crossFieldErrors(service, taskType, fields, ss, ts, behavior);
    if (ruleErrors.length > 0) throw validationException(ruleErrors);
  }

  throwIfUnknown(leftoverOf(body, consumedTop), Object.keys(body).length, behavior, service);
  const consumedService = new Set([...parsedService.consumed, ...parsedSecrets.consumed]);
  throwIfUnknown(leftoverOf(ss, consumedService), Object.keys(ss).length, behavior, service);
  throwIfUnknown(leftoverOf(ts, parsedTask.consumed), Object.keys(ts).length, behavior, service);

  const serviceSettings = inCluster
    ? inClusterSettings(id, service, parsedService.values)
    : withServerDefaults(service, taskType, availableFields(ssFields, behavior), parsedService.values);
  return {
    inference_id: id,
    task_type: taskType,
    service,
    service_settings: serviceSettings,
    task_settings: parsedTask.values,
    ...(chunking ? { chunking_settings: chunking } : {}),
    secrets: digestSecrets(parsedSecrets.values),
  };
}

/** Whether the version knows the service's OAuth 2.0 client credentials (`client_secret` is one of its secrets). */
function hasClientSecret(fields: TaskFields, behavior: Behavior): boolean {
  return availableFields(fields.serviceSettings, behavior).some((f) => f.secret && f.name === "client_secret");
}

/**
 * The secret fields the service's secret parser reads at this version. `strict`: as on create, where a secret the
 * catalogue marks optional only because it is one of a group (OpenAI `api_key` | `client_secret`) is required
 * while the group has one member (DefaultSecretSettings); otherwise every secret is optional (an update).
 */
export function secretFieldsFor(service: string, fields: TaskFields, behavior: Behavior, strict: boolean): FieldSpec[] {
  const secrets = availableFields(fields.serviceSettings, behavior).filter((f) => f.secret);
  if (!strict) return secrets.map((f) => ({ ...f, required: false }));
  const apiKeyAlone = service === "openai" && !hasClientSecret(fields, behavior);
  return secrets.map((f) => (apiKeyAlone && f.name === "api_key" ? { ...f, required: true } : f));
}

/** ElasticsearchInternalServiceSettings.fromRequestMap's own requirements (beyond field types). */
function inClusterErrors(service: string, raw: Readonly<Record<string, unknown>>): string[] {
  const errors: string[] = [];
  const present = (k: string) => raw[k] !== undefined && raw[k] !== null;
  const usesDeployment = present("deployment_id");
  // elser's schema already requires num_threads; elasticsearch's only when no existing deployment is named.
  if (service === "elasticsearch" && !usesDeployment && !present("num_threads"))
    errors.push(msg.missingSetting("service_settings", "num_threads"));
  if (!usesDeployment && !present("num_allocations") && !present("adaptive_allocations"))
    errors.push(msg.missingOneOf("service_settings", ["num_allocations", "adaptive_allocations"]));
  if (service === "elasticsearch" && !usesDeployment && !present("model_id"))
    errors.push(msg.missingSetting("service_settings", "model_id"));
  return errors;
}

/** The stored in-cluster settings, in the server's `toXContent` order. */
function inClusterSettings(
  id: string,
  service: string,
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const usesDeployment = values.deployment_id !== undefined;
  if (values.num_allocations !== undefined) out.num_allocations = values.num_allocations;
  else if (usesDeployment && values.adaptive_allocations === undefined) out.num_allocations = 1; // from the deployment (inferred)
  out.num_threads = values.num_threads ?? 1;
  out.model_id = values.model_id ?? (service === "elser" ? ELSER_MODEL_ID : values.deployment_id);
  if (values.adaptive_allocations !== undefined) out.adaptive_allocations = values.adaptive_allocations;
  out.deployment_id = values.deployment_id ?? id;
  for (const extra of ["long_document_strategy", "max_chunks_per_doc"])
    if (values[extra] !== undefined) out[extra] = values[extra];
  return out;
}

/** Values the server fills in: rate limit, embedding type, dimensions and similarity of embedding endpoints. */
export function withServerDefaults(
  service: string,
  taskType: TaskType,
  fields: readonly FieldSpec[],
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  const has = (name: string) => fields.find((f) => f.name === name);
  const rate = has("rate_limit");
  const rateDefault = rate?.serverDefault as { requests_per_minute?: number } | undefined;
  if (rate && rateDefault?.requests_per_minute !== undefined) {
    const given = out.rate_limit as { requests_per_minute?: number } | undefined;
    out.rate_limit = { requests_per_minute: given?.requests_per_minute ?? rateDefault.requests_per_minute };
  }
  if (isEmbeddingTask(taskType)) {
    if (has("embedding_type") && out.embedding_type === undefined && EMBEDDING_TYPE_DEFAULTS[service])
      out.embedding_type = EMBEDDING_TYPE_DEFAULTS[service];
    if (has("dimensions") && out.dimensions === undefined) out.dimensions = defaultDimensions(service, out);
    if (has("similarity") && out.similarity === undefined)
      out.similarity = defaultSimilarity(service, out.embedding_type);
  }
  return out;
}

/**
 * The catalogue's cross-field rules, worded like the server where its text is known (Azure OpenAI secrets,
 * OpenAI's `api_key`, Bedrock providers); otherwise `[scope] [field] <catalogue message>` (emulator wording).
 */
export function crossFieldErrors(
  service: string,
  taskType: TaskType,
  fields: TaskFields,
  ss: Readonly<Record<string, unknown>>,
  ts: Readonly<Record<string, unknown>>,
  behavior: Behavior,
): string[] {
  // Rules see only the keys this version knows (newer fields are reported as unknown settings instead).
  const only = (input: Readonly<Record<string, unknown>>, specs: readonly FieldSpec[]) => {
    const names = new Set(availableFields(specs, behavior).map((f) => f.name));
    return Object.fromEntries(Object.entries(input).filter(([k]) => names.has(k)));
  };
  const input = {
    task_type: taskType,
    service_settings: only(ss, fields.serviceSettings),
    task_settings: only(ts, fields.taskSettings),
  };
  const errors: string[] = [];
  for (const rule of fields.spec.rules)
    for (const issue of rule.check(input))
      errors.push(serverWording(service, taskType, issue, input, fields, behavior));
  return errors;
}

function serverWording(
  service: string,
  taskType: TaskType,
  issue: RuleIssue,
  input: { service_settings: Record<string, unknown> },
  fields: TaskFields,
  behavior: Behavior,
): string {
  if (service === "azureopenai" && /one of/.test(issue.message)) {
    const names = hasClientSecret(fields, behavior)
      ? "[api_key], [entra_id] or [client_secret]"
      : "[api_key] or the [entra_id]";
    return issue.message.startsWith("only")
      ? `[secret_settings] must have only one of the ${names} key set`
      : `[secret_settings] must have either the ${names} key set`;
  }
  if (service === "openai" && !hasClientSecret(fields, behavior) && /one of/.test(issue.message))
    return msg.missingSetting("secret_settings", "api_key");
  if (issue.path === "service_settings.provider" && (service === "amazonbedrock" || service === "azureaistudio"))
    return `The [${taskType}] task type for provider [${String(input.service_settings.provider)}] is not available`;
  const [scope, ...rest] = issue.path.split(".");
  return `[${scope}] ${rest.length > 0 ? `[${rest.join(".")}] ` : ""}${issue.message}`;
}
