/**
 * Whether a replaced endpoint can be re-created under its id, given the `semantic_text` fields that use it. Once a
 * document is indexed into such a field, its mapping records the endpoint's `model_settings` (task type, and for
 * dense vectors dimensions, similarity and element type); Elasticsearch then refuses to create an endpoint under
 * that id whose settings differ (`MinimalServiceSettings.canMergeWith`, PR #137055), and before that check existed
 * the fields stopped working. A replace deletes first: without this check, `--allow-in-use` would delete the
 * endpoint and fail to bring it back.
 */
import type { InferenceEndpoint } from "../client";
import { isPlainObject } from "../model/schema-walk";
import type { EndpointPlan } from "./plan-types";

/** One field that would not accept the re-created endpoint. */
export interface MappingConflict {
  readonly index: string;
  /** Dotted path of the `semantic_text` field. */
  readonly field: string;
  /** What does not match, e.g. `dimensions 1536 recorded, the new endpoint would have 3072`. */
  readonly reason: string;
}

interface SemanticTextField {
  readonly path: string;
  readonly inferenceId: unknown;
  readonly modelSettings: Readonly<Record<string, unknown>> | undefined;
}

/** Every `semantic_text` field of a mapping (`properties` and multi-`fields`, at any depth). */
function semanticTextFields(mappings: unknown, prefix = ""): SemanticTextField[] {
  const found: SemanticTextField[] = [];
  if (!isPlainObject(mappings)) return found;
  for (const container of ["properties", "fields"]) {
    const children = mappings[container];
    if (!isPlainObject(children)) continue;
    for (const name of Object.keys(children)) {
      const field = children[name];
      if (!isPlainObject(field)) continue;
      const path = prefix ? `${prefix}.${name}` : name;
      if (field.type === "semantic_text")
        found.push({
          path,
          inferenceId: field.inference_id,
          modelSettings: isPlainObject(field.model_settings) ? field.model_settings : undefined,
        });
      found.push(...semanticTextFields(field, path));
    }
  }
  return found;
}

const DENSE = new Set(["text_embedding", "embedding"]);
const lower = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);

/**
 * What the endpoint would be once re-created: the declared values, else (same service and model) what the live
 * endpoint has, else unknown. Element type: float unless declared otherwise (what services produce by default).
 */
function predicted(e: EndpointPlan, live: InferenceEndpoint | undefined) {
  const declared = (e.declared?.service_settings ?? {}) as Record<string, unknown>;
  const same =
    live !== undefined &&
    live.service === e.declared?.service &&
    live.service_settings.model_id === declared.model_id &&
    live.task_type === e.declared?.task_type;
  const from = (key: string) => declared[key] ?? (same ? live!.service_settings[key] : undefined);
  return {
    taskType: e.declared?.task_type ?? e.task_type,
    dimensions: from("dimensions"),
    similarity: lower(from("similarity")),
    elementType: lower(from("element_type") ?? from("embedding_type")) ?? "float",
  };
}

/**
 * The fields of `mappings` (index name to mapping) that use `e`'s endpoint and would not accept it re-created as
 * declared. Fields without recorded model settings (nothing indexed yet) accept any endpoint.
 */
export function recreateConflicts(
  e: EndpointPlan,
  live: InferenceEndpoint | undefined,
  mappings: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
): MappingConflict[] {
  const conflicts: MappingConflict[] = [];
  const next = predicted(e, live);
  for (const [index, mapping] of mappings) {
    for (const field of semanticTextFields(mapping)) {
      if (field.inferenceId !== e.inference_id || !field.modelSettings) continue;
      const recorded = field.modelSettings;
      const add = (reason: string) => conflicts.push({ index, field: field.path, reason });
      const taskType = lower(recorded.task_type);
      if (taskType !== next.taskType) {
        add(`task type ${String(recorded.task_type)} recorded, the new endpoint would be ${next.taskType}`);
        continue;
      }
      if (!DENSE.has(taskType)) continue;
      const compare = (what: string, have: unknown, want: unknown, declareAs: string) => {
        if (have === undefined) return;
        if (want === undefined)
          add(
            `${what} ${String(have)} recorded, and the new endpoint's is not known before it exists: declare ${declareAs}`,
          );
        else if (have !== want) add(`${what} ${String(have)} recorded, the new endpoint would have ${String(want)}`);
      };
      compare("dimensions", recorded.dimensions, next.dimensions, "service_settings.dimensions");
      compare("similarity", lower(recorded.similarity), next.similarity, "service_settings.similarity");
      compare("element type", lower(recorded.element_type) ?? "float", next.elementType, "its element type");
    }
  }
  return conflicts;
}
