/**
 * What differs between environments: the cluster (and its credentials), the models, how many ML allocations the
 * in-cluster model gets, and the names of the secrets. Everything else is the one definition in search-stack.ts.
 */
import { secret, type ElasticsearchClusterProps } from "esinfer";

export interface Environment {
  /** How to reach the environment's cluster (credentials as environment variable names). */
  readonly cluster: ElasticsearchClusterProps;
  /** OpenAI embedding model and its output size. */
  readonly embeddingModel: string;
  readonly dimensions: number;
  /** ELSER allocations: a fixed number in dev, adaptive elsewhere. */
  readonly elser:
    { readonly numAllocations: number } | { readonly minAllocations: number; readonly maxAllocations: number };
  /** Environment variables holding the provider keys in this environment's pipeline. */
  readonly openaiKeyEnv: string;
  readonly cohereKeyEnv: string;
  /** How many reranked hits the application asks for. */
  readonly rerankTopN: number;
}

export const ENVIRONMENTS = {
  dev: {
    cluster: { url: "http://localhost:9200" },
    embeddingModel: "text-embedding-3-small",
    dimensions: 512,
    elser: { numAllocations: 1 },
    openaiKeyEnv: "OPENAI_API_KEY_DEV",
    cohereKeyEnv: "COHERE_API_KEY_DEV",
    rerankTopN: 5,
  },
  staging: {
    cluster: { url: "https://search.staging.example.com:9243", auth: { apiKey: secret.env("ES_API_KEY_STAGING") } },
    embeddingModel: "text-embedding-3-large",
    dimensions: 1024,
    elser: { minAllocations: 0, maxAllocations: 4 },
    openaiKeyEnv: "OPENAI_API_KEY_STAGING",
    cohereKeyEnv: "COHERE_API_KEY_STAGING",
    rerankTopN: 10,
  },
  prod: {
    cluster: {
      cloudId: "search-prod:ZXVyb3BlLXdlc3QxLmdjcC5jbG91ZC5lcy5pbyRhYmMxMjMkZGVmNDU2",
      auth: { apiKey: secret.env("ES_API_KEY_PROD") },
      // Applied from several CI runners: keep the stack's state in the cluster.
      state: { backend: "cluster" },
    },
    embeddingModel: "text-embedding-3-large",
    dimensions: 1024,
    elser: { minAllocations: 2, maxAllocations: 16 },
    openaiKeyEnv: "OPENAI_API_KEY_PROD",
    cohereKeyEnv: "COHERE_API_KEY_PROD",
    rerankTopN: 10,
  },
} satisfies Record<string, Environment>;

export type EnvironmentName = keyof typeof ENVIRONMENTS;
