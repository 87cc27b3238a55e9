/**
 * What differs between the environments: the models, the in-cluster model's allocations and how many reranked hits
 * the application asks for. Everything else is the one definition in search-stack.ts.
 *
 * No cluster URL or credential here: the pipeline that runs esinfer for an environment sets ELASTICSEARCH_URL and
 * ELASTICSEARCH_API_KEY (and the provider keys) from that environment's secrets, so the same code is planned and
 * applied against each cluster, and no address or key is in the repository.
 */
export interface Environment {
  /** OpenAI embedding model and its output size. */
  readonly embeddingModel: string;
  readonly dimensions: number;
  /** ELSER allocations: a fixed number, or adaptive between two bounds. */
  readonly elser: { readonly fixed: number } | { readonly min: number; readonly max: number };
  /** How many reranked hits the application asks for. */
  readonly rerankTopN: number;
}

export const ENVIRONMENTS = {
  dev: {
    embeddingModel: "text-embedding-3-small",
    dimensions: 512,
    elser: { fixed: 1 },
    rerankTopN: 5,
  },
  prod: {
    embeddingModel: "text-embedding-3-large",
    dimensions: 1024,
    elser: { min: 1, max: 8 },
    rerankTopN: 10,
  },
} satisfies Record<string, Environment>;
