/**
 * What refers to an inference endpoint, as the delete action checks it: ingest pipelines with an `inference`
 * processor naming it (`InferenceProcessorInfoExtractor`) and index mappings with a `semantic_text` field whose
 * `inference_id` or `search_inference_id` is the endpoint.
 */
import { DEFAULT_SEMANTIC_TEXT_INFERENCE_ID } from "../catalogue";
import { isPlainObject } from "./json";
import { semanticTextFields } from "./semantic-text";
import type { Store } from "./store";

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

/** Endpoint ids used by the `semantic_text` fields of a mapping (`properties` and multi-`fields`, at any depth). */
export function mappingEndpointIds(mappings: unknown): Set<string> {
  const ids = new Set<string>();
  for (const { mapping } of semanticTextFields(mappings)) {
    // Mappings stored before the default was written in (older state files) still mean the default.
    ids.add(typeof mapping.inference_id === "string" ? mapping.inference_id : DEFAULT_SEMANTIC_TEXT_INFERENCE_ID);
    if (typeof mapping.search_inference_id === "string") ids.add(mapping.search_inference_id);
  }
  return ids;
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
