/**
 * Create (`PUT _inference/...`) in the server's check order: id valid → reserved id → task type resolution →
 * `service` present → service known at this version → id is not a trained-model deployment's → the service's
 * `parseRequestConfig` (service_settings
 * present → task type supported → chunking → service settings → task settings → secrets → cross-field rules →
 * unknown keys at top level, then service_settings, then task_settings). Live validation always "succeeds"; the
 * duplicate-id check belongs to the caller, after this (the server raises it only when storing).
 */
import {
  getService,
  INFERENCE_ID_PATTERN,
  isInClusterService,
  legacyModelIdKeys,
  type RuleIssue,
  type TaskType,
} from "../catalogue";
import { parseChunking } from "./chunking";
import {
  defaultDimensions,
  defaultSimilarity,
  EMBEDDING_TYPE_DEFAULTS,
  isEmbeddingTask,
  isPreconfigured,
  ownEntry,
} from "./defaults";
import {
  actionRequestValidation,
  classCast,
  EsError,
  msg,
  statusException,
  unknownField,
  validationException,
} from "./errors";
import { isPlainObject } from "./json";
import { taskFields, type FieldSpec, type TaskFields } from "./schema";
import { availableFields, leftoverOf, parseScope, throwIfUnknown } from "./settings-parse";
import { digestSecrets, type StoredEndpoint } from "./store";
import { resolveTaskType, type TaskTypeOrAny } from "./task-types";
import {
  checkInClusterModel,
  checkModelVariant,
  inClusterErrors,
  inClusterSettings,
  refusesUnknownTaskSettings,
} from "./in-cluster";
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

/** The trained models of the emulated cluster the create checks consult. */
export interface ClusterModels {
  /** Deployment and model ids of running deployments (in-cluster endpoints' own included). */
  readonly deployments: ReadonlySet<string>;
  /** Models uploaded with Eland: what an elasticsearch endpoint may name besides the built-in ones. */
  readonly eland: ReadonlySet<string>;
}

/**
 * `PutInferenceModelAction.Request.getContent`: `parameters` is the newer name of `task_settings`; both at once is
 * refused.
 */
function requestContent(body: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(body, "parameters")) return body;
  if (Object.hasOwn(body, "task_settings"))
    throw statusException("Request cannot contain both [task_settings] and [parameters], use only [parameters]");
  const content = new Map(Object.entries(body));
  content.set("task_settings", content.get("parameters"));
  content.delete("parameters");
  return Object.fromEntries(content);
}

/**
 * OpenAiService.parseRequestConfig's migration: without `service_settings.model_id`, a model named in the task
 * settings (legacy `model`, or `model_id`) moves there. Changes `ss` (a request copy) and `ts` in place.
 */
function moveLegacyModelId(service: string, ss: Record<string, unknown>, ts: Record<string, unknown>): void {
  const keys = legacyModelIdKeys(service);
  if (keys.length === 0 || Object.hasOwn(ss, "model_id")) return;
  for (const key of keys)
    if (Object.hasOwn(ts, key)) {
      ss.model_id = ts[key];
      delete ts[key];
      return;
    }
}

/**
 * Validates a create request; returns the endpoint to store (not yet stored). Throws the server's errors.
 */
export function validateCreate(
  id: string,
  pathTaskType: TaskTypeOrAny,
  rawBody: unknown,
  behavior: Behavior,
  models: ClusterModels,
): StoredEndpoint {
  checkInferenceId(id);
  if (isPreconfigured(id, behavior)) throw statusException(msg.reservedId(id));
  const body = requestContent(requireObjectBody(rawBody));
  const taskType = resolveTaskType(pathTaskType, body.task_type, behavior);
  const service = body.service;
  if (service === undefined || service === null) throw statusException(msg.missingService());
  if (typeof service !== "string") throw classCast(service, "String");
  const spec = getService(service);
  if (!spec || !behavior.at(spec.since)) throw statusException(msg.unknownService(service));
  // TrainedModelAssignmentUtils.modelAssignments: deployments only (an uploaded model that is not deployed is not one).
  if (models.deployments.has(id)) throw statusException(msg.idMatchesTrainedModel(id));
  return parseRequestConfig(id, taskType, service, body, behavior, models);
}

function parseRequestConfig(
  id: string,
  taskType: TaskType,
  service: string,
  body: Record<string, unknown>,
  behavior: Behavior,
  models: ClusterModels,
): StoredEndpoint {
  const consumedTop = new Set(["task_type", "service", "service_settings", "task_settings"]);
  const rawSs = body.service_settings;
  if (rawSs === undefined || rawSs === null) throw statusException(msg.missingField("service_settings"));
  if (!isPlainObject(rawSs)) throw classCast(rawSs, "Map");
  const ss = { ...rawSs };
  const rawTs = body.task_settings ?? {};
  if (!isPlainObject(rawTs)) throw classCast(rawTs, "Map");
  const ts = { ...rawTs };

  const fields = taskFields(service, taskType);
  if (!fields || (fields.spec.since !== undefined && !behavior.at(fields.spec.since)))
    throw statusException(msg.unsupportedTaskType(service, taskType));

  let chunking: Record<string, unknown> | undefined;
  if (fields.spec.chunking) {
    chunking = parseChunking(body.chunking_settings, behavior);
    consumedTop.add("chunking_settings");
  }
  const inCluster = isInClusterService(service);
  if (inCluster) {
    throwIfUnknown(leftoverOf(body, consumedTop), Object.keys(body).length, behavior, service);
    checkInClusterModel(service, ss, models.eland);
  }
  moveLegacyModelId(service, ss, ts);
  throwIfParserUnknown(service, ss, fields, behavior);

  const scope = { behavior, service, requireRequired: true };
  const ssFields = fields.serviceSettings.filter((f) => !f.secret);
  const parsedService = parseScope(ss, ssFields, { ...scope, scope: "service_settings" });
  if (inCluster) parsedService.errors.push(...inClusterErrors(service, ss));
  if (service === "elastic" && Object.hasOwn(ss, "rate_limit") && behavior.has("settings.elastic_rejects_rate_limit")) {
    parsedService.errors.push(
      `[service_settings] rate limit settings are not permitted for service [elastic] and task type [${taskType}]`,
    );
    parsedService.consumed.add("rate_limit");
  }
  if (parsedService.errors.length > 0) throw validationException(parsedService.errors);
  if (inCluster) checkModelVariant(ss);

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
  if (!inCluster || refusesUnknownTaskSettings(ss))
    throwIfUnknown(leftoverOf(ts, parsedTask.consumed), Object.keys(ts).length, behavior, service);

  const serviceSettings = inCluster
    ? inClusterSettings(id, service, parsedService.values)
    : withServerDefaults(
        service,
        taskType,
        availableFields(ssFields, behavior),
        parsedService.values,
        fields.spec.readOnly,
      );
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

/**
 * `settings.service_settings_object_parser`: the service's request parser declares the service settings and the
 * `api_key` it lets through (as a no-op, for the secret parser); the first other key, in map order, fails at once.
 */
function throwIfParserUnknown(
  service: string,
  ss: Readonly<Record<string, unknown>>,
  fields: TaskFields,
  behavior: Behavior,
): void {
  const services: readonly string[] = behavior.value("settings.service_settings_object_parser") ?? [];
  if (!services.includes(service)) return;
  const declared = availableFields(fields.serviceSettings, behavior).map((f) => f.name);
  const unknown = Object.keys(ss).find((k) => !declared.includes(k));
  if (unknown !== undefined) throw unknownField("service_settings", unknown, declared);
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

/**
 * Values the server fills in: the catalogue's fixed defaults (rate limit, a region), embedding type, dimensions and
 * similarity of embedding endpoints. `readOnly`: keys the server stores although no request may set them (dimensions
 * the validation call detects where the request parser does not know the key: tencentcloud).
 */
export function withServerDefaults(
  service: string,
  taskType: TaskType,
  fields: readonly FieldSpec[],
  values: Readonly<Record<string, unknown>>,
  readOnly: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  const has = (name: string) => fields.find((f) => f.name === name);
  const rate = has("rate_limit");
  const rateDefault = rate?.serverDefault as { requests_per_minute?: number } | undefined;
  if (rate && rateDefault?.requests_per_minute !== undefined) {
    const given = out.rate_limit as { requests_per_minute?: number } | undefined;
    out.rate_limit = { requests_per_minute: given?.requests_per_minute ?? rateDefault.requests_per_minute };
  }
  for (const f of fields) {
    const fixed = f.name !== "rate_limit" && typeof f.serverDefault === "string" && f.serverDefault !== "computed";
    if (fixed && out[f.name] === undefined) out[f.name] = f.serverDefault;
  }
  if (isEmbeddingTask(taskType)) {
    const embeddingType = ownEntry(EMBEDDING_TYPE_DEFAULTS, service);
    if (has("embedding_type") && out.embedding_type === undefined && embeddingType) out.embedding_type = embeddingType;
    if ((has("dimensions") || readOnly.includes("dimensions")) && out.dimensions === undefined)
      out.dimensions = defaultDimensions(service, out);
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
  // These two the services check after parsing, throwing a status exception at once (not a validation error).
  if (issue.path === "service_settings.provider" && (service === "amazonbedrock" || service === "azureaistudio"))
    throw statusException(
      `The [${taskType}] task type for provider [${String(input.service_settings.provider)}] is not available`,
    );
  if (issue.path === "task_settings.truncate" && service === "amazonbedrock")
    throw statusException(
      `The [${taskType}] task type for provider [${String(input.service_settings.provider).toLowerCase()}] does not allow [truncate] field`,
    );
  const [scope, ...rest] = issue.path.split(".");
  return `[${scope}] ${rest.length > 0 ? `[${rest.join(".")}] ` : ""}${issue.message}`;
}
