/**
 * Server-side facts the catalogue does not hold, because only a running cluster produces them: the default
 * (preconfigured) endpoints' full configurations, the similarity a service picks when none is given, and the
 * dimensions a validation call would detect. Values marked (inferred) are not in the reference material.
 */
import { PRECONFIGURED_ENDPOINTS } from "../catalogue";
import { defaultChunking } from "./chunking";
import type { EndpointConfig } from "./store";
import type { Behavior } from "./versions";

/** Settings of the in-cluster default endpoints (DefaultEndPointsIT), keyed by inference id. */
const PRECONFIGURED_MODELS: Readonly<Record<string, { modelId: string; taskSettings?: Record<string, unknown> }>> = {
  ".elser-2-elasticsearch": { modelId: ".elser_model_2" },
  ".multilingual-e5-small-elasticsearch": { modelId: ".multilingual-e5-small" },
  ".rerank-v1-elasticsearch": { modelId: ".rerank-v1", taskSettings: { return_documents: true } },
};

/** The default endpoints the emulated version lists, as GET renders them (sorted by id). */
export function preconfiguredEndpoints(behavior: Behavior): EndpointConfig[] {
  return PRECONFIGURED_ENDPOINTS.filter((p) => behavior.at(p.since))
    .filter((p) => p.inferenceId !== ".rerank-v1-elasticsearch" || behavior.has("defaults.rerank_endpoint"))
    .map((p) => {
      const model = PRECONFIGURED_MODELS[p.inferenceId];
      const config: EndpointConfig = {
        inference_id: p.inferenceId,
        task_type: p.taskType,
        service: p.service,
        service_settings: {
          num_threads: 1,
          model_id: model?.modelId ?? p.inferenceId,
          adaptive_allocations: {
            enabled: true,
            min_number_of_allocations: 0,
            max_number_of_allocations: behavior.value("defaults.max_allocations_32") ?? 8,
          },
        },
      };
      if (model?.taskSettings) config.task_settings = { ...model.taskSettings };
      if (p.taskType === "sparse_embedding" || p.taskType === "text_embedding")
        config.chunking_settings = defaultChunking();
      return config;
    })
    .sort((a, b) => (a.inference_id < b.inference_id ? -1 : a.inference_id > b.inference_id ? 1 : 0));
}

/** Whether `id` is one of the emulated version's default endpoints. */
export function isPreconfigured(id: string, behavior: Behavior): boolean {
  return preconfiguredEndpoints(behavior).some((e) => e.inference_id === id);
}

/**
 * Similarity a service stores for an embedding endpoint created without one (`updateModelWithEmbeddingDetails`).
 * Services not listed use dot_product, the most common server default. (bedrock, hugging_face, elasticsearch:
 * inferred.)
 */
const SIMILARITY_DEFAULTS: Readonly<Record<string, string>> = {
  amazonbedrock: "cosine",
  fireworksai: "cosine",
  hugging_face: "cosine",
  elasticsearch: "cosine",
};

/** A table's own entry for a name (service or model names come from requests: `constructor` is no entry). */
export function ownEntry<T>(table: Readonly<Record<string, T>>, name: unknown): T | undefined {
  return typeof name === "string" && Object.hasOwn(table, name) ? table[name] : undefined;
}

/** The similarity stored when none was given; `embeddingType` matters for cohere and jinaai (bit/binary: l2_norm). */
export function defaultSimilarity(service: string, embeddingType?: unknown): string {
  if ((service === "cohere" || service === "jinaai") && (embeddingType === "bit" || embeddingType === "binary"))
    return "l2_norm";
  return ownEntry(SIMILARITY_DEFAULTS, service) ?? "dot_product";
}

/** Output sizes of well-known embedding models (what the validation call would detect). */
const MODEL_DIMENSIONS: Readonly<Record<string, number>> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
  "embed-english-v3.0": 1024,
  "embed-multilingual-v3.0": 1024,
  "embed-english-light-v3.0": 384,
  "embed-multilingual-light-v3.0": 384,
  "embed-v4.0": 1536,
  "amazon.titan-embed-text-v1": 1536,
  "amazon.titan-embed-text-v2:0": 1024,
  "cohere.embed-english-v3": 1024,
  "cohere.embed-multilingual-v3": 1024,
  "text-embedding-004": 768,
  "text-embedding-005": 768,
  "text-multilingual-embedding-002": 768,
  "gemini-embedding-001": 3072,
  "mistral-embed": 1024,
  "jina-embeddings-v2-base-en": 768,
  "jina-embeddings-v3": 1024,
  "jina-embeddings-v4": 2048,
  "jina-clip-v2": 1024,
  "voyage-3": 1024,
  "voyage-3-large": 1024,
  "voyage-3-lite": 512,
  "voyage-3.5": 1024,
  "voyage-3.5-lite": 1024,
  "voyage-code-3": 1024,
  ".multilingual-e5-small": 384,
  "multilingual-e5-small": 384,
  // BAAI bge-m3, the embeddings model TencentCloudService.Configuration names (dense output: 1024).
  "bge-m3": 1024,
};

/** Fallback dimensions per service when the model is unknown (384/768/1024/1536 by typical model family). */
const SERVICE_DIMENSIONS: Readonly<Record<string, number>> = {
  openai: 1536,
  azureopenai: 1536,
  azureaistudio: 1536,
  cohere: 1024,
  amazonbedrock: 1024,
  mistral: 1024,
  jinaai: 1024,
  voyageai: 1024,
  "alibabacloud-ai-search": 1024,
  elastic: 1024,
  llama: 1024,
  nvidia: 1024,
  tencentcloud: 1024, // (inferred) the gateway's bge-m3
  googleaistudio: 768,
  googlevertexai: 768,
  hugging_face: 768,
  watsonxai: 768,
  openshift_ai: 768,
  fireworksai: 768,
  elasticsearch: 384,
  custom: 384,
  amazon_sagemaker: 384,
};

/** Dimensions of an embedding endpoint's vectors when the request did not set them. */
export function defaultDimensions(service: string, serviceSettings: Readonly<Record<string, unknown>>): number {
  const model = serviceSettings.model_id ?? serviceSettings.model;
  return ownEntry(MODEL_DIMENSIONS, model) ?? ownEntry(SERVICE_DIMENSIONS, service) ?? 768;
}

/** Embedding types the server stores when none is given (cohere, jinaai: float; inferred for jinaai). */
export const EMBEDDING_TYPE_DEFAULTS: Readonly<Record<string, string>> = { cohere: "float", jinaai: "float" };

/**
 * The vector element type an embedding endpoint produces, from its `element_type` / `embedding_type` setting
 * (callers pick which of the two wins): `byte`/`int8` → byte, `bit`/`binary` → bit, anything else or none → float.
 */
export function vectorElementType(raw: unknown): "float" | "byte" | "bit" {
  const type = String(raw ?? "float").toLowerCase();
  if (type === "byte" || type === "int8") return "byte";
  if (type === "bit" || type === "binary") return "bit";
  return "float";
}

/** Dense-vector task types (`text_embedding`, `embedding`); takes any string (a mapping's recorded task type too). */
export function isEmbeddingTask(taskType: string): boolean {
  return taskType === "text_embedding" || taskType === "embedding";
}
