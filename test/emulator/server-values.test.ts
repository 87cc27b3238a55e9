/**
 * §2 response bodies: the values the server fills in (per-service rate limits of §8, embedding details, in-cluster
 * settings), what it leaves out (secrets, empty task settings), and the listing order.
 */
import { ALL_PAIRS } from "../helpers/minimal";
import { CANARY, openaiEmbedding, raw, requestFor, useEmulator } from "./helpers";

/** §8 default `rate_limit.requests_per_minute` per service and task type (undefined: the server renders none). */
const RATE_LIMITS: Readonly<Record<string, number | Readonly<Record<string, number>> | undefined>> = {
  ai21: 200,
  "alibabacloud-ai-search": 1000,
  amazonbedrock: 240,
  amazon_sagemaker: undefined,
  anthropic: 50,
  azureaistudio: 240,
  azureopenai: { text_embedding: 1440, completion: 120, chat_completion: 120 },
  cohere: 10000,
  contextualai: 1000,
  custom: undefined,
  deepseek: undefined,
  elasticsearch: undefined,
  elser: undefined,
  fireworksai: 6000,
  googleaistudio: 360,
  googlevertexai: 30000,
  groq: 1000,
  hugging_face: 3000,
  jinaai: 2000,
  llama: 3000,
  mistral: 240,
  nvidia: 3000,
  openai: { text_embedding: 3000, embedding: 3000, completion: 500, chat_completion: 500 },
  openshift_ai: 3000,
  // Not in §8 (newer): TencentCloudCommonServiceSettings (20), TencentCloudChatCompletionServiceSettings (5).
  tencentcloud: { text_embedding: 20, rerank: 20, completion: 5, chat_completion: 5 },
  voyageai: 2000,
  watsonxai: 120,
};

// EIS (`elastic`) is left out: its rate limit handling differs by version and it needs Elastic Cloud anyway.
const PAIRS = ALL_PAIRS.filter(([s]) => s !== "elastic");

describe("values the server fills in (main)", () => {
  const { em } = useEmulator();

  it.each(PAIRS)("%s %s: the default rate limit of §8", async (service, taskType) => {
    const { id, body } = requestFor(service, taskType);
    const res = await raw(em(), "PUT", `/_inference/${taskType}/${id}`, body);
    expect(res.status).toBe(200);
    const row = RATE_LIMITS[service];
    const expected = typeof row === "object" ? row[taskType] : row;
    if (expected === undefined) expect(res.json.service_settings).not.toHaveProperty("rate_limit");
    else expect(res.json.service_settings.rate_limit).toEqual({ requests_per_minute: expected });
  });

  it.each(PAIRS)("%s %s: secrets are accepted but never returned", async (service, taskType) => {
    const { id, body } = requestFor(service, taskType);
    const put = await raw(em(), "PUT", `/_inference/${taskType}/${id}`, body);
    const get = await raw(em(), "GET", `/_inference/${id}`);
    const all = await raw(em(), "GET", "/_inference/_all");
    for (const text of [put.text, get.text, all.text]) expect(text).not.toContain(CANARY);
    expect(put.json).toEqual(get.json.endpoints[0]);
  });

  it("keeps a rate limit the request set", async () => {
    const res = await raw(em(), "PUT", "/_inference/completion/c1", {
      service: "openai",
      service_settings: { api_key: "k", model_id: "gpt-4o", rate_limit: { requests_per_minute: 7 } },
    });
    expect(res.json.service_settings.rate_limit).toEqual({ requests_per_minute: 7 });
  });

  it("renders the spec's Azure OpenAI embedding example: defaults after the given settings, no api_key", async () => {
    const res = await raw(em(), "PUT", "/_inference/text_embedding/azure-emb", {
      service: "azureopenai",
      service_settings: { api_key: "k", resource_name: "r", deployment_id: "d", api_version: "2024-02-01" },
    });
    expect(JSON.stringify(res.json)).toBe(
      JSON.stringify({
        inference_id: "azure-emb",
        task_type: "text_embedding",
        service: "azureopenai",
        service_settings: {
          resource_name: "r",
          deployment_id: "d",
          api_version: "2024-02-01",
          rate_limit: { requests_per_minute: 1440 },
          dimensions: 1536,
          similarity: "dot_product",
        },
        chunking_settings: { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 },
      }),
    );
  });

  it("keeps user-set dimensions and similarity, and fills only what is missing", async () => {
    const res = await raw(
      em(),
      "PUT",
      "/_inference/text_embedding/e1",
      openaiEmbedding({ dimensions: 256, similarity: "cosine" }),
    );
    expect(res.json.service_settings).toEqual({
      model_id: "text-embedding-3-small",
      dimensions: 256,
      similarity: "cosine",
      rate_limit: { requests_per_minute: 3000 },
    });
  });

  it("tencentcloud text_embedding: the default region, and the dimensions and similarity of the validation call", async () => {
    // TencentCloudUtils.DEFAULT_REGION; updateModelWithEmbeddingDetails (dot_product when none is given); bge-m3: 1024.
    const res = await raw(em(), "PUT", "/_inference/text_embedding/tc", {
      service: "tencentcloud",
      service_settings: { api_key: "sk-k", model_id: "bge-m3" },
    });
    expect(res.json.service_settings).toEqual({
      model_id: "bge-m3",
      region: "bj",
      rate_limit: { requests_per_minute: 20 },
      dimensions: 1024,
      similarity: "dot_product",
    });
    const given = await raw(em(), "PUT", "/_inference/text_embedding/tc2", {
      service: "tencentcloud",
      service_settings: { api_key: "sk-k", model_id: "bge-m3", region: "gz", similarity: "cosine" },
    });
    expect(given.json.service_settings).toMatchObject({ region: "gz", similarity: "cosine" });
  });

  it("fills the in-cluster settings (num_threads, model_id, deployment_id) in toXContent order", async () => {
    const es = await raw(em(), "PUT", "/_inference/text_embedding/e5", {
      service: "elasticsearch",
      service_settings: { model_id: ".multilingual-e5-small", num_allocations: 2, num_threads: 1 },
    });
    expect(JSON.stringify(es.json.service_settings)).toBe(
      JSON.stringify({ num_allocations: 2, num_threads: 1, model_id: ".multilingual-e5-small", deployment_id: "e5" }),
    );
    const elser = await raw(em(), "PUT", "/_inference/sparse_embedding/my-elser", {
      service: "elser",
      service_settings: {
        num_threads: 1,
        adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 4 },
      },
    });
    expect(elser.json.service_settings).toEqual({
      num_threads: 1,
      model_id: ".elser_model_2",
      adaptive_allocations: { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 4 },
      deployment_id: "my-elser",
    });
    expect(elser.json.chunking_settings).toEqual({ strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 });
  });

  it("returns task_settings only when not empty, and only what was sent (no provider defaults)", async () => {
    const none = await raw(em(), "PUT", "/_inference/completion/c1", { ...openaiEmbedding(), task_settings: {} });
    expect(Object.keys(none.json)).toEqual(["inference_id", "task_type", "service", "service_settings"]);
    const some = await raw(em(), "PUT", "/_inference/completion/c2", {
      ...openaiEmbedding(),
      task_settings: { user: "u" },
    });
    expect(Object.keys(some.json)).toEqual([
      "inference_id",
      "task_type",
      "service",
      "service_settings",
      "task_settings",
    ]);
    expect(some.json.task_settings).toEqual({ user: "u" });
  });

  it("lists user and default endpoints together, sorted by id as Java compares strings", async () => {
    for (const id of ["a_b", "a.b", "0a", "a-b"])
      await raw(em(), "PUT", `/_inference/text_embedding/${id}`, openaiEmbedding());
    const ids = (await raw(em(), "GET", "/_inference")).json.endpoints.map(
      (e: { inference_id: string }) => e.inference_id,
    );
    expect(ids).toEqual([
      ".elser-2-elasticsearch",
      ".multilingual-e5-small-elasticsearch",
      ".rerank-v1-elasticsearch",
      "0a",
      "a-b",
      "a.b",
      "a_b",
    ]);
  });
});
