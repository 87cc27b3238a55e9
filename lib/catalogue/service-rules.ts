/**
 * Rules of particular services that are not a field's type: the in-cluster services and their built-in models,
 * ELSER's chunk size window, and the id an in-cluster endpoint may not take. Validation, the planner and the
 * emulator ask these functions instead of naming services themselves.
 */
import { BEHAVIORS } from "./behaviors";
import { ELSER_MAX_CHUNK_SIZE } from "./chunking";
import { hasBehavior } from "./server-behavior";
import type { TaskType } from "./task-types";
import type { Version } from "./version";

/** Services whose endpoints run a trained model deployment inside the cluster. */
export const IN_CLUSTER_SERVICES: readonly string[] = ["elasticsearch", "elser"];

export function isInClusterService(service: string): boolean {
  return IN_CLUSTER_SERVICES.includes(service);
}

export interface BuiltInModel {
  /** The model ids the server accepts for it on create: the portable id and the platform-specific variants. */
  readonly ids: readonly string[];
  /**
   * Ids the server still reads from stored endpoints but refuses on create, with "model id does not match any
   * models available on this platform. Was [..]. You may need to use a platform agnostic model." (elserCase).
   */
  readonly retiredIds?: readonly string[];
  readonly taskTypes: readonly TaskType[];
}

/**
 * The trained models the elasticsearch service knows without an Eland upload (ElserModels,
 * ElasticsearchInternalService.MULTILINGUAL_E5_SMALL_VALID_IDS and RERANKER_ID). Any other model_id must name a
 * model uploaded to the cluster, else the create fails ("model id does not match any models available on this
 * platform").
 */
export const BUILT_IN_MODELS = {
  elser: {
    ids: [".elser_model_2", ".elser_model_2_linux-x86_64"],
    retiredIds: [".elser_model_1"],
    taskTypes: ["sparse_embedding"],
  },
  e5: { ids: [".multilingual-e5-small", ".multilingual-e5-small_linux-x86_64"], taskTypes: ["text_embedding"] },
  rerank: { ids: [".rerank-v1"], taskTypes: ["rerank"] },
} as const satisfies Record<string, BuiltInModel>;

export type BuiltInModelName = keyof typeof BUILT_IN_MODELS;

/** Which built-in model a model_id names (exact id, platform variants and retired ids included), if any. */
export function builtInModelOf(modelId: unknown): BuiltInModelName | undefined {
  if (typeof modelId !== "string") return undefined;
  for (const [name, model] of Object.entries(BUILT_IN_MODELS) as [BuiltInModelName, BuiltInModel][])
    if (model.ids.includes(modelId) || model.retiredIds?.includes(modelId)) return name;
  return undefined;
}

/** Whether a model_id is a built-in model the server refuses on create (see BuiltInModel.retiredIds). */
export function isRetiredBuiltInModel(modelId: unknown): boolean {
  if (typeof modelId !== "string") return false;
  return (Object.values(BUILT_IN_MODELS) as BuiltInModel[]).some((m) => m.retiredIds?.includes(modelId) ?? false);
}

/** Whether an endpoint runs ELSER: the deprecated `elser` service, or the elasticsearch service with an ELSER model. */
export function runsElser(service: string, serviceSettings: Readonly<Record<string, unknown>> | undefined): boolean {
  if (service === "elser") return true;
  if (!isInClusterService(service) || !serviceSettings || !Object.hasOwn(serviceSettings, "model_id")) return false;
  const modelId = serviceSettings.model_id;
  return typeof modelId === "string" && modelId.startsWith(".elser_model");
}

/** The largest `max_chunk_size` an endpoint may declare, and why; undefined when nothing limits it. */
export function maxChunkSizeLimit(
  service: string,
  serviceSettings: Readonly<Record<string, unknown>> | undefined,
  version: string | Version | undefined,
): { readonly max: number; readonly reason: string } | undefined {
  if (runsElser(service, serviceSettings)) return { max: ELSER_MAX_CHUNK_SIZE, reason: "for ELSER models" };
  const cap = BEHAVIORS["chunking.max_chunk_size_cap"];
  if (version !== undefined && hasBehavior("chunking.max_chunk_size_cap", version))
    return { max: cap.value, reason: `before Elasticsearch ${cap.until}` };
  return undefined;
}

/**
 * Why an in-cluster endpoint may not take this inference_id, or undefined: Elasticsearch requires endpoint ids to
 * differ from trained model ids (TransportPutInferenceModelAction). (`deployment_id` is left out: the server stores
 * the endpoint's own id there.)
 */
export function inferenceIdConflict(
  service: string,
  inferenceId: string,
  serviceSettings: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  if (!isInClusterService(service) || !serviceSettings) return undefined;
  return Object.hasOwn(serviceSettings, "model_id") && serviceSettings.model_id === inferenceId
    ? "must differ from service_settings.model_id (Elasticsearch requires endpoint ids to differ from trained model ids)"
    : undefined;
}

/**
 * Task-settings keys a service moves into `service_settings.model_id` when the request has none there, in the order
 * it looks for them (OpenAiService.moveModelFromTaskToServiceSettings: the legacy `model`, then `model_id`).
 * Accepted by the server for old requests; esinfer's own declarations use `service_settings.model_id`.
 */
export function legacyModelIdKeys(service: string): readonly string[] {
  return service === "openai" ? ["model", "model_id"] : [];
}
