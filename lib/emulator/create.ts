/**
 * Create (`PUT _inference/...`) against the emulator's state: the request checks of validate-put, the checks that
 * need cluster state (the id must not name a trained-model deployment; since 2025, `semantic_text` mappings that
 * recorded model settings for the id must stay compatible), then the duplicate check, which the server meets only
 * when storing, i.e. after everything else passed.
 */
import { isInClusterService } from "../catalogue";
import { EsError, msg, statusException } from "./errors";
import { isEmbeddingTask, vectorElementType } from "./defaults";
import { recordedModelSettings } from "./semantic-text";
import type { Store, StoredEndpoint } from "./store";
import type { TaskTypeOrAny } from "./task-types";
import { validateCreate } from "./validate-put";
import type { Behavior } from "./versions";

/** Validates and stores a new endpoint; throws the server's errors. */
export function createInStore(
  store: Store,
  id: string,
  pathTaskType: TaskTypeOrAny,
  body: unknown,
  behavior: Behavior,
): StoredEndpoint {
  const endpoint = validateCreate(id, pathTaskType, body, behavior, {
    deployments: deploymentIds(store),
    eland: store.elandModels,
  });
  if (behavior.has("put.mapping_compatibility_check")) {
    const incompatible = incompatibleIndices(store, endpoint);
    if (incompatible.length > 0) throw statusException(msg.incompatibleMappings(id, incompatible));
  }
  if (store.endpoints.has(id)) throw new EsError(400, "resource_already_exists_exception", msg.alreadyExists(id));
  store.endpoints.set(id, endpoint);
  store.save();
  return endpoint;
}

/**
 * What `TrainedModelAssignmentUtils.modelAssignments(id)` would find: the deployments of in-cluster endpoints, by
 * deployment id and by model id.
 */
function deploymentIds(store: Store): Set<string> {
  const ids = new Set<string>();
  for (const e of store.endpoints.values()) {
    if (!isInClusterService(e.service)) continue;
    for (const key of ["deployment_id", "model_id"])
      if (typeof e.service_settings[key] === "string") ids.add(e.service_settings[key] as string);
  }
  return ids;
}

/** `MinimalServiceSettings.canMergeWith`: task type, dimensions, similarity and element type must all agree. */
interface Minimal {
  readonly taskType: string;
  readonly dimensions: number | undefined;
  readonly similarity: string | undefined;
  readonly elementType: string | undefined;
}

function minimalOf(e: StoredEndpoint): Minimal {
  const s = e.service_settings;
  if (!isEmbeddingTask(e.task_type))
    return { taskType: e.task_type, dimensions: undefined, similarity: undefined, elementType: undefined };
  return {
    taskType: e.task_type,
    dimensions: typeof s.dimensions === "number" ? s.dimensions : undefined,
    similarity: typeof s.similarity === "string" ? s.similarity.toLowerCase() : undefined,
    elementType: vectorElementType(s.element_type ?? s.embedding_type),
  };
}

function minimalOfMapping(m: Readonly<Record<string, unknown>>): Minimal {
  const taskType = String(m.task_type ?? "").toLowerCase();
  const dense = isEmbeddingTask(taskType);
  return {
    taskType,
    dimensions: typeof m.dimensions === "number" ? m.dimensions : undefined,
    similarity: typeof m.similarity === "string" ? m.similarity.toLowerCase() : undefined,
    // Dense vectors default to float when the mapping does not say (inferred).
    elementType: dense ? String(m.element_type ?? "float").toLowerCase() : undefined,
  };
}

/** Indices (creation order) whose `semantic_text` model settings for this id the new endpoint could not serve. */
function incompatibleIndices(store: Store, endpoint: StoredEndpoint): string[] {
  const wanted = minimalOf(endpoint);
  const same = (m: Minimal) =>
    m.taskType === wanted.taskType &&
    m.dimensions === wanted.dimensions &&
    m.similarity === wanted.similarity &&
    m.elementType === wanted.elementType;
  return [...store.indices.values()]
    .filter((index) =>
      recordedModelSettings(index.mappings, endpoint.inference_id).some((m) => !same(minimalOfMapping(m))),
    )
    .map((index) => index.name);
}
