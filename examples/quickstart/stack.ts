/**
 * The quickstart: three inference endpoints on one cluster, as CDK for Terraform constructs.
 *
 * - an in-cluster ELSER sparse embedding endpoint (the `elasticsearch` service, adaptive allocations);
 * - an OpenAI text embedding endpoint with custom chunking, its API key read from OPENAI_API_KEY when a request is
 *   sent (never written into the synthesized stack or any state);
 * - a Cohere rerank endpoint, its key from COHERE_API_KEY.
 *
 * In your own project, import from "esinfer" exactly as below.
 */
import { LocalBackend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { ElasticsearchCluster, InferenceEndpoint, secret } from "esinfer";

export interface QuickstartOptions {
  /** Cohere rerank `top_n` (the demo changes it to show an update in place). */
  readonly rerankTopN?: number;
}

export class QuickstartStack extends TerraformStack {
  constructor(scope: Construct, id: string, options: QuickstartOptions = {}) {
    super(scope, id);
    // Terraform's own state beside the synthesized stack (cdktf's default path is absolute, machine-specific).
    new LocalBackend(this, { path: "terraform.tfstate" });

    // No URL here: the connection comes from ELASTICSEARCH_URL (and ELASTICSEARCH_API_KEY, ...) when esinfer
    // runs, so the same stack works against the emulator, a laptop cluster or Elastic Cloud. The stack's state
    // (which endpoints it owns) is kept in the cluster itself.
    const cluster = new ElasticsearchCluster(this, "cluster", { state: { backend: "cluster" } });

    new InferenceEndpoint(this, "elser", {
      cluster,
      inferenceId: "quickstart-elser",
      service: "elasticsearch",
      taskType: "sparse_embedding",
      serviceSettings: {
        modelId: ".elser_model_2",
        numThreads: 1,
        adaptiveAllocations: { enabled: true, minNumberOfAllocations: 0, maxNumberOfAllocations: 4 },
      },
    });

    new InferenceEndpoint(this, "openai-embeddings", {
      cluster,
      inferenceId: "quickstart-openai-embeddings",
      service: "openai",
      taskType: "text_embedding",
      serviceSettings: {
        modelId: "text-embedding-3-small",
        apiKey: secret.env("OPENAI_API_KEY"),
        dimensions: 512,
      },
      taskSettings: { user: "quickstart" },
      chunkingSettings: { strategy: "word", maxChunkSize: 120, overlap: 40 },
    });

    new InferenceEndpoint(this, "cohere-rerank", {
      cluster,
      inferenceId: "quickstart-cohere-rerank",
      service: "cohere",
      taskType: "rerank",
      serviceSettings: { modelId: "rerank-v3.5", apiKey: secret.env("COHERE_API_KEY") },
      taskSettings: { topN: options.rerankTopN ?? 10, returnDocuments: true },
    });
  }
}
