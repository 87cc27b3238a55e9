/**
 * The CDK for Terraform app the Terraform tests synthesize, in a child process as `cdktf synth` runs an app (the
 * drift lookup is a synchronous child process of synthesis: an emulator in the test's own process could not answer
 * it while synthesis waits). Its shape comes as JSON in argv: `node --import tsx test/terraform/app.ts '{...}'`.
 */
import type { Construct } from "constructs";
import { ElasticsearchCluster, InferenceEndpoint, secret } from "../../lib";

export interface AppShape {
  readonly runtime?: "cdktf" | "cdktn";
  readonly resourceType?: "terraform_data" | "null_resource";
  /** The cluster's URL. */
  readonly url: string;
  /** false: no drift lookup when synthesizing (default: the construct's, on). */
  readonly lookup?: boolean;
  readonly allowInUse?: boolean;
  /** The rerank endpoint's top_n (default 10), service (default cohere), or no rerank endpoint. */
  readonly topN?: number;
  readonly rerankService?: "cohere" | "jinaai";
  readonly withRerank?: boolean;
  readonly withElser?: boolean;
  readonly withEmbeddings?: boolean;
  /** The embeddings' model (default text-embedding-3-small), and their own allowInUse. */
  readonly embeddingModel?: string;
  readonly embeddingsAllowInUse?: boolean;
  /** The embeddings' server-side create timeout. */
  readonly embeddingsTimeout?: string;
  /** This many more Cohere rerank endpoints, `bulk-00000`..., with task setting `top_n` = bulkTopN (default 5). */
  readonly bulk?: number;
  readonly bulkTopN?: number;
  readonly absent?: readonly string[];
}

export interface AppRequest {
  readonly outdir: string;
  readonly projectDir: string;
  readonly stackId?: string;
  readonly shape: AppShape;
}

export function searchStack(stack: Construct, shape: AppShape): void {
  const cluster = new ElasticsearchCluster(stack, "cluster", {
    url: shape.url,
    ...(shape.resourceType ? { resourceType: shape.resourceType } : {}),
    ...(shape.lookup === false ? { lookup: false } : {}),
    ...(shape.allowInUse ? { allowInUse: true } : {}),
  });
  if (shape.withElser !== false)
    new InferenceEndpoint(stack, "elser", {
      cluster,
      inferenceId: "e2e-elser",
      service: "elasticsearch",
      taskType: "sparse_embedding",
      serviceSettings: { modelId: ".elser_model_2", numThreads: 1, numAllocations: 1 },
    });
  if (shape.withEmbeddings !== false)
    new InferenceEndpoint(stack, "embeddings", {
      cluster,
      inferenceId: "e2e-embeddings",
      service: "openai",
      taskType: "text_embedding",
      serviceSettings: {
        modelId: shape.embeddingModel ?? "text-embedding-3-small",
        apiKey: secret.env("OPENAI_API_KEY"),
        dimensions: 256,
      },
      chunkingSettings: { strategy: "word", maxChunkSize: 120, overlap: 40 },
      ...(shape.embeddingsAllowInUse ? { allowInUse: true } : {}),
      ...(shape.embeddingsTimeout ? { timeout: shape.embeddingsTimeout } : {}),
    });
  if (shape.withRerank !== false) {
    const common = { cluster, inferenceId: "e2e-rerank", taskType: "rerank" as const };
    if (shape.rerankService === "jinaai")
      new InferenceEndpoint(stack, "rerank", {
        ...common,
        service: "jinaai",
        serviceSettings: { modelId: "jina-reranker-v2-base-multilingual", apiKey: secret.env("OPENAI_API_KEY") },
        taskSettings: { topN: shape.topN ?? 10 },
      });
    else
      new InferenceEndpoint(stack, "rerank", {
        ...common,
        service: "cohere",
        serviceSettings: { modelId: "rerank-v3.5", apiKey: secret.env("OPENAI_API_KEY") },
        taskSettings: { topN: shape.topN ?? 10 },
      });
  }
  for (let i = 0; i < (shape.bulk ?? 0); i++) {
    const id = `bulk-${String(i).padStart(5, "0")}`;
    new InferenceEndpoint(stack, id, {
      cluster,
      inferenceId: id,
      service: "cohere",
      taskType: "rerank",
      serviceSettings: { modelId: "rerank-v3.5", apiKey: secret.env("OPENAI_API_KEY") },
      taskSettings: { topN: shape.bulkTopN ?? 5 },
    });
  }
  if (shape.absent) cluster.declareAbsent(...shape.absent);
}

if (require.main === module) {
  const request = JSON.parse(process.argv[2] ?? "") as AppRequest;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdk = require(request.shape.runtime ?? "cdktf") as typeof import("cdktf");
  const app = new cdk.App({ outdir: request.outdir, context: { "esinfer:projectDir": request.projectDir } });
  const stack = new cdk.TerraformStack(app, request.stackId ?? "search");
  // Terraform's state beside the stack (cdktf's default is a file in the working directory, shared by runs).
  new cdk.LocalBackend(stack, { path: "terraform.tfstate" });
  searchStack(stack, request.shape);
  app.synth();
}
