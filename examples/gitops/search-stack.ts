/**
 * The search platform's inference endpoints, one definition instantiated per environment. A change here is a pull
 * request: CI posts the plan of each environment (and how dev and prod differ) as comments, and applies it when
 * the pull request is merged.
 */
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { ElasticsearchCluster, InferenceEndpoint, secret } from "esinfer";
import type { Environment } from "./environments";

export class SearchStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: Environment) {
    super(scope, id);
    // The connection comes from ELASTICSEARCH_URL / ELASTICSEARCH_API_KEY when esinfer runs. The stack's state
    // (which endpoints it owns) is kept in the cluster itself: CI runners keep nothing between runs.
    const cluster = new ElasticsearchCluster(this, "cluster", { state: { backend: "cluster" } });

    new InferenceEndpoint(this, "elser", {
      cluster,
      inferenceId: "search-elser",
      service: "elasticsearch",
      taskType: "sparse_embedding",
      serviceSettings: {
        modelId: ".elser_model_2",
        numThreads: 1,
        ...("fixed" in env.elser
          ? { numAllocations: env.elser.fixed }
          : {
              adaptiveAllocations: {
                enabled: true,
                minNumberOfAllocations: env.elser.min,
                maxNumberOfAllocations: env.elser.max,
              },
            }),
      },
    });

    new InferenceEndpoint(this, "embeddings", {
      cluster,
      inferenceId: "search-embeddings",
      service: "openai",
      taskType: "text_embedding",
      serviceSettings: {
        modelId: env.embeddingModel,
        dimensions: env.dimensions,
        apiKey: secret.env("OPENAI_API_KEY"),
      },
      chunkingSettings: { strategy: "sentence", maxChunkSize: 200, sentenceOverlap: 1 },
    });

    new InferenceEndpoint(this, "rerank", {
      cluster,
      inferenceId: "search-rerank",
      service: "cohere",
      taskType: "rerank",
      serviceSettings: { modelId: "rerank-v3.5", apiKey: secret.env("COHERE_API_KEY") },
      taskSettings: { topN: env.rerankTopN, returnDocuments: false },
    });
  }
}
