/**
 * Elasticsearch's error envelope and the exact texts of the errors the emulator raises. Message builders live here
 * so that every place that raises an error uses the server's wording.
 */
import { closeMatches, javaMapToString, javaSetToString, javaToString } from "./java";
import type { Behavior } from "./versions";

/** An error Elasticsearch would answer with: status, `type`, `reason`, and extra fields of the error object. */
export class EsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    /** Extra keys of the error object (e.g. `index` for `index_not_found_exception`). */
    readonly extra: Readonly<Record<string, unknown>> = {},
    /** Extra response headers (e.g. `WWW-Authenticate`). */
    readonly headers: Readonly<Record<string, string | string[]>> = {},
  ) {
    super(`[${status}] ${type}: ${reason}`);
    this.name = "EsError";
  }

  /** The exception alone, `{type, reason, ...extra}` (`generateThrowableXContent`: a bulk item's `error`). */
  exception(): Record<string, unknown> {
    return { type: this.type, reason: this.reason, ...this.extra };
  }

  /** The failure with its root cause, `{root_cause:[..], type, reason}` (`generateFailureXContent`: an mget item's `error`). */
  failure(): Record<string, unknown> {
    const cause = this.exception();
    return { root_cause: [cause], ...cause };
  }

  /** The standard body: `{"error":{"root_cause":[{type,reason}],type,reason},"status":N}`. */
  body(): Record<string, unknown> {
    return { error: this.failure(), status: this.status };
  }
}

/**
 * Errors Elasticsearch answers without the structured envelope (REST-layer rejections such as unknown routes):
 * `{"error":"<text>","status":N}`.
 */
export class EsPlainError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(text);
    this.name = "EsPlainError";
  }

  body(): Record<string, unknown> {
    return { error: this.text, status: this.status };
  }
}

/** A response that is not JSON or has no body (404 `{}` of a missing pipeline is JSON, so it uses this too). */
export class EsRawResponse extends Error {
  constructor(
    readonly status: number,
    readonly payload: unknown,
  ) {
    super(`raw response ${status}`);
  }
}

export const statusException = (reason: string, status = 400) => new EsError(status, "status_exception", reason);
export const illegalArgument = (reason: string) => new EsError(400, "illegal_argument_exception", reason);
export const notFound = (reason: string) => new EsError(404, "resource_not_found_exception", reason);

/** `ValidationException` / `ActionRequestValidationException` text: `Validation Failed: 1: a;2: b;`. */
export function validationText(errors: readonly string[]): string {
  return `Validation Failed: ${errors.map((e, i) => `${i + 1}: ${e};`).join("")}`;
}

export const validationException = (errors: readonly string[]) =>
  new EsError(400, "validation_exception", validationText(errors));

export const actionRequestValidation = (errors: readonly string[]) =>
  new EsError(400, "action_request_validation_exception", validationText(errors));

/**
 * A Java `ClassCastException` escaping a transport action (e.g. `service_settings` sent as a string): Elasticsearch
 * answers 500 with the JVM's message.
 */
export function classCast(value: unknown, target: "Map" | "String" | "Integer"): EsError {
  const from =
    typeof value === "string"
      ? "java.lang.String"
      : typeof value === "number"
        ? Number.isInteger(value)
          ? "java.lang.Integer"
          : "java.lang.Double"
        : typeof value === "boolean"
          ? "java.lang.Boolean"
          : Array.isArray(value)
            ? "java.util.ArrayList"
            : "java.util.HashMap";
  const to = target === "Map" ? "java.util.Map" : `java.lang.${target}`;
  return new EsError(
    500,
    "class_cast_exception",
    `class ${from} cannot be cast to class ${to} (${from} and ${to} are in module java.base of loader 'bootstrap')`,
  );
}

/** Exact texts (newest wording unless a version switch is passed in). */
export const msg = {
  invalidId: (id: string) =>
    `Invalid inference_id; '${id}' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric`,
  reservedId: (id: string) =>
    `[${id}] is a reserved inference ID. Cannot create a new inference endpoint with a reserved ID.`,
  missingService: () => "Inference endpoint configuration is missing the [service] setting",
  unknownService: (name: string) => `Unknown service [${name}]`,
  unsupportedTaskType: (service: string, taskType: string) =>
    `The [${service}] service does not support task type [${taskType}]`,
  unknownTaskType: (raw: string) => `Unknown task_type [${raw}]`,
  missingTaskType: () => "model is missing required setting [task_type]",
  anyTaskType: () => "task_type [any] is not valid type for inference",
  conflictingTaskType: (url: string, body: string) =>
    `Cannot resolve conflicting task_type parameter in the request URL [${url}] and the request body [${body}]`,
  missingField: (field: string) => `Missing required field [${field}]`,
  unknownSettings: (behavior: Behavior, leftover: Record<string, unknown>, originalSize: number, service: string) =>
    `${behavior.has("errors.configuration_prefix") ? "Configuration" : "Model configuration"} contains settings [${javaMapToString(leftover, originalSize)}] unknown to the [${service}] service`,
  notFound: (id: string) => `Inference endpoint not found [${id}]`,
  /** `Messages.INFERENCE_ENTITY_NON_EXISTANT_NO_UPDATE` (text from the upstream constant; the reference omits it). */
  notFoundForUpdate: (id: string) => `The inference endpoint [${id}] does not exist and cannot be updated`,
  /** In-cluster update without an applicable `num_allocations` (8.17 to 9.0); `content` is the raw request body. */
  updateNumAllocationsUnparsed: (content: string) => `Failed to parse [num_allocations] of update request [${content}]`,
  /** `Messages.INFERENCE_REFERENCE_CANNOT_UPDATE_ANOTHER_ENDPOINT` (409). */
  updateDeploymentOfAnotherEndpoint: (id: string, deployment: string, owner: string) =>
    `Cannot update inference endpoint [${id}] for model deployment [${deployment}] as it was created by another inference endpoint. ` +
    `The model can only be updated using inference endpoint id [${owner}].`,
  /** `Messages.INFERENCE_CAN_ONLY_UPDATE_MODELS_IT_CREATED` (409). */
  updateDeploymentNotCreatedByEndpoint: (id: string, deployment: string) =>
    `Cannot update inference endpoint [${id}] using model deployment [${deployment}]. ` +
    "The model deployment must be updated through the trained models API.",
  /** `Messages.INFERENCE_ID_MATCHES_EXISTING_MODEL_IDS_BUT_MUST_NOT`. */
  idMatchesTrainedModel: (id: string) =>
    `Inference endpoint IDs must be unique. Requested inference endpoint ID [${id}] matches existing trained model ID(s) but must not.`,
  /** PUT of an id that `semantic_text` mappings use with other model settings (2025+). */
  incompatibleMappings: (id: string, indices: readonly string[]) =>
    `Inference endpoint [${id}] could not be created because the inference_id is being used in mappings with incompatible settings for indices: ${javaSetToString(indices)}. ` +
    "Please either use a different inference_id or update the index mappings to refer to a different inference_id.",
  alreadyExists: (id: string) => `Inference endpoint [${id}] already exists`,
  taskTypeMismatch: (requested: string, stored: string) =>
    `Requested task type [${requested}] does not match the inference endpoint's task type [${stored}]`,
  updateTaskTypeMismatch: () => "Task type must match the task type of the existing endpoint",
  updateBodyEmpty: () => "Request body is empty",
  updateNotUpdatable: (leftover: Record<string, unknown>, originalSize: number) =>
    `Request contained fields which cannot be updated, remove these fields and try again [${javaMapToString(leftover, originalSize)}]`,
  defaultEndpointUpdate: (id: string) => `Default endpoint [${id}] cannot be updated`,
  reservedDelete: (id: string) =>
    `[${id}] is a reserved inference endpoint. Use the force=true query parameter to delete the inference endpoint.`,
  inferenceTaskTypeMismatch: (requested: string, stored: string) =>
    `Incompatible task_type, the requested type [${requested}] does not match the model type [${stored}]`,
  useStreamUrl: (taskType: string, id: string) =>
    `The task type for the inference entity is ${taskType}, please use the _inference/${taskType}/${id}/_stream URL.`,
  requestBodyRequired: () => "request body is required",

  // Settings parsing (ServiceUtils / InferenceUtils)
  missingSetting: (scope: string, name: string) => `[${scope}] does not contain the required setting [${name}]`,
  missingOneOf: (scope: string, names: readonly string[]) =>
    `[${scope}] does not contain one of the required settings [${names.join(", ")}]`,
  invalidType: (name: string, value: unknown, type: string) =>
    `field [${name}] is not of the expected type. The value [${javaToString(value)}] cannot be converted to a [${type}]`,
  invalidTypes: (name: string, value: unknown, types: readonly string[]) =>
    `field [${name}] is not of one of the expected types. The value [${javaToString(value)}] cannot be converted to one of [${types.join(", ")}]`,
  emptyString: (scope: string, name: string) =>
    `[${scope}] Invalid value empty string. [${name}] must be a non-empty string`,
  emptyMap: (scope: string, name: string) => `[${scope}] Invalid value empty map. [${name}] must be a non-empty map`,
  notPositiveInt: (scope: string, name: string, value: number) =>
    `[${scope}] Invalid value [${javaToString(value)}]. [${name}] must be a positive integer`,
  notPositiveLong: (scope: string, name: string, value: number) =>
    `[${scope}] Invalid value [${javaToString(value)}]. [${name}] must be a positive long`,
  invalidEnum: (scope: string, name: string, raw: string, allowed: readonly string[]) =>
    `[${scope}] Invalid value [${raw}] received. [${name}] must be one of [${[...allowed]
      .map((a) => a.toLowerCase())
      .sort()
      .join(", ")}]`,
  notAllowedSetting: (scope: string, name: string) => `[${scope}] does not allow the setting [${name}]`,
  mapEntryNotString: (name: string, key: string, value: unknown) =>
    `Map field [${name}] has an entry that is not valid, [${key} => ${javaToString(value)}]. Value type of [${javaToString(value)}] is not one of [String].`,
  mapEntryNotStringCensored: (name: string) =>
    `Map field [${name}] has an entry that is not valid. Value type is not one of [String].`,

  // In-cluster allocation settings (AdaptiveAllocationsSettings.validate; wording inferred)
  adaptiveMinNegative: () => "[min_number_of_allocations] must be a non-negative integer",
  adaptiveMaxNotPositive: () => "[max_number_of_allocations] must be a positive integer",
  adaptiveMinAboveMax: () => "[min_number_of_allocations] must not be larger than [max_number_of_allocations]",

  // References
  referencedBy: (id: string, pipelines: readonly string[], indexes: readonly string[]) => {
    let text = "";
    if (pipelines.length > 0)
      text +=
        `Inference endpoint ${id} is referenced by pipelines: ${javaSetToString(pipelines)}. ` +
        "Ensure that no pipelines are using this inference endpoint, " +
        "or use force to ignore this warning and delete the inference endpoint.";
    if (indexes.length > 0)
      text +=
        ` Inference endpoint ${id} is being used in the mapping for indexes: ${javaSetToString(indexes)}. ` +
        "Ensure that no index mappings are using this inference endpoint, " +
        "or use force to ignore this warning and delete the inference endpoint.";
    return text;
  },

  // Documents
  docAlreadyExists: (id: string, version: number) =>
    `[${id}]: version conflict, document already exists (current version [${version}])`,
  docSeqNoConflict: (id: string, seqNo: number, term: number, current?: { seqNo: number; term: number }) =>
    `[${id}]: version conflict, required seqNo [${seqNo}], primary term [${term}].` +
    (current
      ? ` current document has seqNo [${current.seqNo}] and primary term [${current.term}]`
      : " but no document was found"),

  // REST layer
  missingAuth: (uri: string) => `missing authentication credentials for REST request [${uri}]`,
  badAuth: () =>
    "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
  noHandler: (uri: string, method: string) => `no handler found for uri [${uri}] and method [${method}]`,
  badMethod: (uri: string, method: string, allowed: readonly string[]) =>
    `Incorrect HTTP method for uri [${uri}] and method [${method}], allowed: [${allowed.join(", ")}]`,
  booleanParam: (value: string) => `Failed to parse value [${value}] as only [true] or [false] are allowed.`,
};

/**
 * An `ObjectParser` meeting a key it does not declare (`SuggestingErrorOnUnknown`): `[<parser>] unknown field [<key>]`
 * with " did you mean [..]?" / " did you mean any of [.., ..]?" for the declared names close to it
 * (`closeMatches`). `[0:0]`: the location a parser over a map (`MapXContentParser`) reports.
 */
export function unknownField(parser: string, key: string, declared: readonly string[]): EsError {
  const close = closeMatches(key, declared);
  const hint =
    close.length === 0
      ? ""
      : close.length === 1
        ? ` did you mean [${close[0]}]?`
        : ` did you mean any of [${close.join(", ")}]?`;
  return new EsError(400, "x_content_parse_exception", `[0:0] [${parser}] unknown field [${key}]${hint}`);
}

/** `index_not_found_exception` with the fields Elasticsearch adds. */
export function indexNotFound(index: string): EsError {
  return new EsError(404, "index_not_found_exception", `no such index [${index}]`, {
    "resource.type": "index_or_alias",
    "resource.id": index,
    index_uuid: "_na_",
    index,
  });
}
