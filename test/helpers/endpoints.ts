/**
 * Request-shaped declarations the engine and CLI tests share: OpenAI embeddings and Cohere rerank (keys from
 * OPENAI_API_KEY / COHERE_API_KEY), and ELSER in the cluster. Overrides replace whole top-level fields.
 */
type Overrides = Record<string, unknown>;

export const embeddings = (overrides: Overrides = {}) => ({
  inference_id: "emb",
  task_type: "text_embedding",
  service: "openai",
  service_settings: { model_id: "text-embedding-3-small", api_key: { env: "OPENAI_API_KEY" }, dimensions: 512 },
  task_settings: { user: "search" },
  ...overrides,
});

export const rerank = (overrides: Overrides = {}) => ({
  inference_id: "rerank",
  task_type: "rerank",
  service: "cohere",
  service_settings: { model_id: "rerank-v3.5", api_key: { env: "COHERE_API_KEY" } },
  task_settings: { top_n: 5 },
  ...overrides,
});

export const elser = (overrides: Overrides = {}) => ({
  inference_id: "elser",
  task_type: "sparse_embedding",
  service: "elasticsearch",
  service_settings: { model_id: ".elser_model_2", num_threads: 1, num_allocations: 1 },
  ...overrides,
});
