/**
 * `semantic_text` fields as SemanticTextFieldMapper keeps them in an index mapping:
 * - a field declared without `inference_id` gets the default endpoint written into its mapping (the parameter is
 *   always serialized, so GET `_mapping` shows it);
 * - `model_settings` are not set when the mapping is created: the first document that gives the field a value
 *   records them through a mapping update, from the endpoint's minimal service settings
 *   (`MinimalServiceSettings.toXContent`: service, task_type, and for dense vectors dimensions, similarity and
 *   element_type). A value for a field whose endpoint does not exist fails that document with 404
 *   "Inference id [..] not found for field [..]" (ShardBulkInferenceActionFilter).
 * Those recorded settings are what the create action's mapping-compatibility check compares a new endpoint with.
 */
import { DEFAULT_SEMANTIC_TEXT_INFERENCE_ID } from "../catalogue";
import { defaultDimensions, defaultSimilarity, isEmbeddingTask, vectorElementType } from "./defaults";
import { EsError } from "./errors";
import { isPlainObject } from "./json";
import type { StoredEndpoint } from "./store";
import type { Behavior } from "./versions";

export interface SemanticTextField {
  /** Full field name: `body.text`, or `title.semantic` for a multi-field of `title`. */
  readonly name: string;
  /** Dotted path of the document value the field indexes (a multi-field reads its parent's value). */
  readonly sourcePath: string;
  /** The field's mapping object; `model_settings` are recorded into it. */
  readonly mapping: Record<string, unknown>;
}

/** Order in which the mapper serializes a semantic_text field's parameters. */
const PARAMETER_ORDER = [
  "type",
  "inference_id",
  "search_inference_id",
  "model_settings",
  "index_options",
  "chunking_settings",
];

/**
 * The `semantic_text` fields of a mapping (`properties` and multi-`fields`, at any depth), in visit order: each
 * field before its own `properties`, then its `fields`.
 */
export function semanticTextFields(mappings: unknown): SemanticTextField[] {
  const found: SemanticTextField[] = [];
  const visit = (properties: unknown, prefix: string, sourcePrefix: string | undefined) => {
    if (!isPlainObject(properties)) return;
    for (const [key, field] of Object.entries(properties)) {
      if (!isPlainObject(field)) continue;
      const name = prefix ? `${prefix}.${key}` : key;
      const sourcePath = sourcePrefix ?? name;
      if (field.type === "semantic_text") found.push({ name, sourcePath, mapping: field });
      visit(field.properties, name, undefined);
      // Multi-fields index their parent's value.
      visit(field.fields, name, sourcePath);
    }
  };
  if (isPlainObject(mappings)) visit(mappings.properties, "", undefined);
  return found;
}

/**
 * A mapping as the server stores it: every semantic_text field carries an `inference_id` (the default endpoint
 * when none was given) and its parameters in the mapper's order. Changes the mapping in place and returns it.
 */
export function withSemanticTextDefaults(mappings: Record<string, unknown>): Record<string, unknown> {
  for (const { mapping } of semanticTextFields(mappings)) {
    if (mapping.inference_id === undefined || mapping.inference_id === null)
      mapping.inference_id = DEFAULT_SEMANTIC_TEXT_INFERENCE_ID;
    const entries = Object.entries(mapping);
    for (const key of Object.keys(mapping)) delete mapping[key];
    const rank = (k: string) => (PARAMETER_ORDER.includes(k) ? PARAMETER_ORDER.indexOf(k) : PARAMETER_ORDER.length);
    entries.sort(([a], [b]) => rank(a) - rank(b));
    for (const [k, v] of entries)
      Object.defineProperty(mapping, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return mappings;
}

/** The `model_settings` a semantic_text field records from its endpoint (`MinimalServiceSettings(Model)`). */
export function modelSettingsOf(endpoint: StoredEndpoint, behavior: Behavior): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  if (behavior.has("semantic_text.model_settings_service")) settings.service = endpoint.service;
  settings.task_type = endpoint.task_type;
  if (isEmbeddingTask(endpoint.task_type)) {
    const s = endpoint.service_settings;
    settings.dimensions = typeof s.dimensions === "number" ? s.dimensions : defaultDimensions(endpoint.service, s);
    settings.similarity =
      typeof s.similarity === "string"
        ? s.similarity.toLowerCase()
        : defaultSimilarity(endpoint.service, s.embedding_type ?? s.element_type);
    settings.element_type = vectorElementType(s.element_type ?? s.embedding_type);
  }
  return settings;
}

/** Whether a document gives the dotted path a value (nested objects, dotted keys and arrays of objects alike). */
export function hasValueAt(source: unknown, path: string): boolean {
  if (path === "") return source !== undefined && source !== null;
  if (Array.isArray(source)) return source.some((item) => hasValueAt(item, path));
  if (!isPlainObject(source)) return false;
  const parts = path.split(".");
  for (let i = 1; i <= parts.length; i++) {
    const key = parts.slice(0, i).join(".");
    if (Object.hasOwn(source, key) && hasValueAt(source[key], parts.slice(i).join("."))) return true;
  }
  return false;
}

/**
 * The mapping update the first document with a value for a semantic_text field makes: records `model_settings` on
 * each such field that has none. Throws (changing nothing) when a field's endpoint does not exist. Returns whether
 * the mapping changed.
 */
export function recordModelSettings(
  mappings: Record<string, unknown>,
  source: unknown,
  lookup: (inferenceId: string) => StoredEndpoint | undefined,
  behavior: Behavior,
): boolean {
  const updates: { field: SemanticTextField; settings: Record<string, unknown> }[] = [];
  for (const field of semanticTextFields(mappings)) {
    if (isPlainObject(field.mapping.model_settings) || !hasValueAt(source, field.sourcePath)) continue;
    const id = String(field.mapping.inference_id ?? DEFAULT_SEMANTIC_TEXT_INFERENCE_ID);
    const endpoint = lookup(id);
    if (!endpoint)
      throw new EsError(
        404,
        "resource_not_found_exception",
        `Inference id [${id}] not found for field [${field.name}]`,
      );
    updates.push({ field, settings: modelSettingsOf(endpoint, behavior) });
  }
  for (const { field, settings } of updates) field.mapping.model_settings = settings;
  if (updates.length > 0) withSemanticTextDefaults(mappings);
  return updates.length > 0;
}

/** The `model_settings` recorded by `semantic_text` fields whose `inference_id` is `inferenceId` (any depth). */
export function recordedModelSettings(mappings: unknown, inferenceId: string): Record<string, unknown>[] {
  return semanticTextFields(mappings)
    .filter(({ mapping }) => mapping.inference_id === inferenceId && isPlainObject(mapping.model_settings))
    .map(({ mapping }) => mapping.model_settings as Record<string, unknown>);
}
