/**
 * The one definition of the search platform's inference endpoints, instantiated once per environment (dev,
 * staging, prod): promotion is a pull request that changes this file, reviewed as three plans.
 */
import { LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { ElasticsearchCluster, InferenceEndpoint, secret } from "esinfer";
import type { Environment } from "./environments";

export class SearchStack extends TerraformStack {
  constructor(scope: Construct, id: string, env: Environment) {
    super(scope, id);
    new LocalBackend(this, { path: "terraform.tfstate" });
    const cluster = new ElasticsearchCluster(this, "cluster", env.cluster);

    new InferenceEndpoint(this, "elser", {
      cluster,
      inferenceId: "search-elser",
      service: "elasticsearch",
      taskType: "sparse_embedding",
      serviceSettings: {
        modelId: ".elser_model_2_linux-x86_64",
        numThreads: 1,
        ...("numAllocations" in env.elser
          ? { numAllocations: env.elser.numAllocations }
          : {
              adaptiveAllocations: {
                enabled: true,
                minNumberOfAllocations: env.elser.minAllocations,
                maxNumberOfAllocations: env.elser.maxAllocations,
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
        apiKey: secret.env(env.openaiKeyEnv),
      },
      chunkingSettings: { strategy: "sentence", maxChunkSize: 200, sentenceOverlap: 1 },
    });

    new InferenceEndpoint(this, "rerank", {
      cluster,
      inferenceId: "search-rerank",
      service: "cohere",
      taskType: "rerank",
      serviceSettings: { modelId: "rerank-v3.5", apiKey: secret.env(env.cohereKeyEnv) },
      taskSettings: { topN: env.rerankTopN, returnDocuments: false },
    });
  }
}
