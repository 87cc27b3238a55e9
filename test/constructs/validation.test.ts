/**
 * Invalid props fail synthesis with the model's messages, every problem of every construct at once, and nothing
 * is written for Terraform to apply. Props are typed per service and task type.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ElasticsearchCluster, InferenceEndpoint, secret } from "../../lib";
import { synthStack } from "../helpers/synth";
import { tempDir } from "../helpers/stack";

const CANARY = "sk-CANARY-literal-7c1d-never-echoed";

function synthError(build: Parameters<typeof synthStack>[0]): { message: string; outdir: string } {
  const projectDir = tempDir("esinfer-invalid-");
  const outdir = join(projectDir, "cdktf.out");
  try {
    synthStack(build, { projectDir, outdir });
  } catch (e) {
    return { message: (e as Error).message, outdir };
  }
  throw new Error("synthesis succeeded");
}

test("every problem of every endpoint at once, with the endpoint, the field path, what is wrong and allowed", () => {
  const { message, outdir } = synthError((stack) => {
    const cluster = new ElasticsearchCluster(stack, "cluster", { url: "http://localhost:9200" });
    new InferenceEndpoint(stack, "bad-id", {
      cluster,
      inferenceId: "Bad Id",
      service: "openai",
      taskType: "text_embedding",
      serviceSettings: { modelId: "text-embedding-3-small", apiKey: secret.env("OPENAI_API_KEY") },
    });
    new InferenceEndpoint(stack, "bad-chunking", {
      cluster,
      inferenceId: "chunky",
      service: "openai",
      taskType: "text_embedding",
      serviceSettings: { modelId: "text-embedding-3-small", apiKey: secret.env("OPENAI_API_KEY") },
      chunkingSettings: { strategy: "word", maxChunkSize: 100, overlap: 60 },
      timeout: "soon",
    });
  });
  expect(message).toContain("[search/bad-id] Bad Id: inference_id: must be lowercase");
  expect(message).toContain(
    "[search/bad-chunking] chunky: chunking_settings.overlap: must be at most half of max_chunk_size (50), got 60",
  );
  expect(message).toContain('[search/bad-chunking] chunky: timeout: "soon" is not a duration (e.g. 30s, 2m)');
  // Synthesis stopped before writing anything Terraform could apply.
  expect(existsSync(join(outdir, "stacks", "search", "cdk.tf.json"))).toBe(false);
});

test("a literal secret is refused with how to reference it, and never echoed", () => {
  const { message } = synthError((stack) => {
    const cluster = new ElasticsearchCluster(stack, "cluster", { url: "http://localhost:9200" });
    new InferenceEndpoint(stack, "rerank", {
      cluster,
      inferenceId: "rerank",
      service: "cohere",
      taskType: "rerank",
      // A JavaScript caller can get past the types; the model still refuses.
      serviceSettings: { modelId: "rerank-v3.5", apiKey: CANARY as never },
    });
  });
  expect(message).toMatch(/rerank: service_settings\.api_key: .*secret\.env/);
  expect(message).not.toContain(CANARY);
});

test("cluster problems: connection, credentials, duplicates, tombstones of declared endpoints", () => {
  const { message } = synthError((stack) => {
    const cluster = new ElasticsearchCluster(stack, "cluster", {
      url: "http://localhost:9200",
      cloudId: "deployment:abc",
      auth: { apiKey: CANARY as never },
    });
    const declare = (id: string, inferenceId: string) =>
      new InferenceEndpoint(stack, id, {
        cluster,
        inferenceId,
        service: "elasticsearch",
        taskType: "sparse_embedding",
        serviceSettings: { modelId: ".elser_model_2", numThreads: 1, numAllocations: 1 },
      });
    declare("a", "elser");
    declare("b", "elser");
    cluster.declareAbsent("elser", "Not An Id");
  });
  expect(message).toContain("set only one of url, urls and cloud_id");
  expect(message).toContain(
    "cluster.api_key: is a literal credential, which esinfer never stores; declare a reference instead",
  );
  expect(message).toContain("elser: declared twice on this cluster (search/a and search/b)");
  expect(message).toContain("elser: is both declared (search/a) and declared absent");
  expect(message).toMatch(/Not An Id: absent\[1\]: .*lowercase/);
  expect(message).not.toContain(CANARY);
});

test("two clusters may not share an esinfer stack name (they would delete each other's endpoints)", () => {
  const { message } = synthError((stack) => {
    new ElasticsearchCluster(stack, "blue", { url: "http://blue:9200" });
    new ElasticsearchCluster(stack, "green", { url: "http://green:9200" });
  });
  expect(message).toContain('search/green also uses the esinfer stack name "search"');
  expect(message).toContain('search/blue also uses the esinfer stack name "search"');
  // With a stack name each, they synthesize.
  expect(() =>
    synthStack((stack) => {
      new ElasticsearchCluster(stack, "blue", { url: "http://blue:9200", stackName: "search-blue" });
      new ElasticsearchCluster(stack, "green", { url: "http://green:9200", stackName: "search-green" });
    }),
  ).not.toThrow();
});

test("a TerraformStack id that is no esinfer stack name needs an explicit stackName", () => {
  const projectDir = tempDir("esinfer-invalid-");
  expect(() =>
    synthStack((stack) => new ElasticsearchCluster(stack, "cluster", { url: "http://localhost:9200" }), {
      projectDir,
      stackId: "_internal",
    }),
  ).toThrow(`stackName "_internal" (the TerraformStack's id) is not a valid esinfer stack name`);
});

test("props are typed per service and task type", () => {
  const typed = (build: () => void) => build; // compiled, never run
  typed(() => {
    const cluster = undefined as unknown as ElasticsearchCluster;
    new InferenceEndpoint(undefined as never, "x", {
      cluster,
      inferenceId: "x",
      service: "openai",
      taskType: "text_embedding",
      // @ts-expect-error: `model` is mistral's and bedrock's field; openai's is modelId
      serviceSettings: { model: "text-embedding-3-small", apiKey: secret.env("K") },
    });
    new InferenceEndpoint(undefined as never, "y", {
      cluster,
      inferenceId: "y",
      service: "cohere",
      taskType: "rerank",
      serviceSettings: { modelId: "rerank-v3.5", apiKey: secret.env("K") },
      // @ts-expect-error: rerank endpoints take no chunking settings
      chunkingSettings: { strategy: "sentence", maxChunkSize: 250 },
    });
    // @ts-expect-error: auth takes references to environment variables, not literals
    new ElasticsearchCluster(undefined as never, "c", { auth: { apiKey: "literal" } });
  });
  expect(() => new InferenceEndpoint(undefined as never, "z", {} as never)).toThrow();
});
