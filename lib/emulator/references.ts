/**
 * What refers to an inference endpoint, as the delete action checks it: ingest pipelines with an `inference`
 * processor naming it (`InferenceProcessorInfoExtractor`) and index mappings with a `semantic_text` field whose
 * `inference_id` or `search_inference_id` is the endpoint.
 */
import { isPlainObject } from "./json";
import type { Store } from "./store";

/**
 * The endpoint a `semantic_text` field without `inference_id` uses. With no Elastic Inference Service (the
 * emulator has none) that is the in-cluster ELSER default.
 */
export const DEFAULT_SEMANTIC_TEXT_ENDPOINT = ".elser-2-elasticsearch";

export interface References {
  /** Pipeline ids, in creation order. */
  readonly pipelines: string[];
  /** Index names, in creation order. */
  readonly indexes: string[];
}

/** Endpoint ids used by the `inference` processors of a pipeline body (nested processors included). */
export function pipelineEndpointIds(pipeline: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isPlainObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        if (key === "inference" && isPlainObject(value) && typeof value.model_id === "string") ids.add(value.model_id);
        visit(value);
      }
    }
  };
  visit(isPlainObject(pipeline) ? [pipeline.processors, pipeline.on_failure] : undefined);
  return ids;
}

/**
 * The `semantic_text` field objects of a mapping (`properties` and multi-`fields`, at any depth), in visit order:
 * each field before its own `properties`, then its `fields`.
 */
function semanticTextFields(mappings: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const visitProperties = (properties: unknown) => {
    if (!isPlainObject(properties)) return;
    for (const field of Object.values(properties)) {
      if (!isPlainObject(field)) continue;
      if (field.type === "semantic_text") found.push(field);
      visitProperties(field.properties);
      visitProperties(field.fields);
    }
  };
  if (isPlainObject(mappings)) visitProperties(mappings.properties);
  return found;
}

/** Endpoint ids used by the `semantic_text` fields of a mapping (`properties` and multi-`fields`, at any depth). */
export function mappingEndpointIds(mappings: unknown): Set<string> {
  const ids = new Set<string>();
  for (const field of semanticTextFields(mappings)) {
    ids.add(typeof field.inference_id === "string" ? field.inference_id : DEFAULT_SEMANTIC_TEXT_ENDPOINT);
    if (typeof field.search_inference_id === "string") ids.add(field.search_inference_id);
  }
  return ids;
}

/** The `model_settings` recorded by `semantic_text` fields whose `inference_id` is `inferenceId` (any depth). */
export function mappingModelSettings(mappings: unknown, inferenceId: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  for (const field of semanticTextFields(mappings))
    if (field.inference_id === inferenceId && isPlainObject(field.model_settings)) found.push(field.model_settings);
  return found;
}

/** Everything in the store that refers to `inferenceId`. */
export function referencesTo(store: Store, inferenceId: string): References {
  const pipelines = [...store.pipelines.entries()]
    .filter(([, body]) => pipelineEndpointIds(body).has(inferenceId))
    .map(([id]) => id);
  const indexes = [...store.indices.values()]
    .filter((index) => mappingEndpointIds(index.mappings).has(inferenceId))
    .map((index) => index.name);
  return { pipelines, indexes };
}
