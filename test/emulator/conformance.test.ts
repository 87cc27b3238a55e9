/** The official client against the emulator: create, get, update, delete, perform inference (§1, §2). */
import { esError, openaiEmbedding, useEmulator } from "./helpers";

describe("inference management API through the official client (main)", () => {
  const { client } = useEmulator();

  it("creates with the task type in the path and returns the stored configuration in §2 order", async () => {
    const res = await client().inference.put({
      inference_id: "openai-emb",
      task_type: "text_embedding",
      inference_config: openaiEmbedding() as any,
    });
    expect(Object.keys(res)).toEqual(["inference_id", "task_type", "service", "service_settings", "chunking_settings"]);
    expect(res).toEqual({
      inference_id: "openai-emb",
      task_type: "text_embedding",
      service: "openai",
      service_settings: {
        model_id: "text-embedding-3-small",
        rate_limit: { requests_per_minute: 3000 },
        dimensions: 1536,
        similarity: "dot_product",
      },
      chunking_settings: { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 },
    });
  });

  it("creates with the task type only in the body", async () => {
    const res = await client().inference.put({
      inference_id: "chat",
      inference_config: {
        task_type: "completion",
        service: "anthropic",
        service_settings: { api_key: "k", model_id: "claude-3-5-haiku" },
        task_settings: { max_tokens: 100 },
      } as any,
    });
    expect(res).toEqual({
      inference_id: "chat",
      task_type: "completion",
      service: "anthropic",
      service_settings: { model_id: "claude-3-5-haiku", rate_limit: { requests_per_minute: 50 } },
      task_settings: { max_tokens: 100 },
    });
  });

  it("uses the typed put_openai API", async () => {
    const res = await client().inference.putOpenai({
      task_type: "completion",
      openai_inference_id: "gpt",
      service: "openai",
      service_settings: { api_key: "k", model_id: "gpt-4o-mini" },
    });
    expect(res.service_settings).toEqual({ model_id: "gpt-4o-mini", rate_limit: { requests_per_minute: 500 } });
  });

  it("gets one endpoint, by id and by task type and id, as a one-element list", async () => {
    await client().inference.put({ inference_id: "e1", task_type: "text_embedding", inference_config: openaiEmbedding() as any });
    const byId = await client().inference.get({ inference_id: "e1" });
    const byType = await client().inference.get({ inference_id: "e1", task_type: "text_embedding" });
    expect(byId.endpoints.map((e) => e.inference_id)).toEqual(["e1"]);
    expect(byType).toEqual(byId);
  });

  it("lists all endpoints sorted by id, defaults included, and filters by task type", async () => {
    await client().inference.put({ inference_id: "zz", task_type: "text_embedding", inference_config: openaiEmbedding() as any });
    await client().inference.put({ inference_id: "aa", task_type: "text_embedding", inference_config: openaiEmbedding() as any });
    const all = await client().inference.get();
    expect(all.endpoints.map((e) => e.inference_id)).toEqual([
      ".elser-2-elasticsearch",
      ".multilingual-e5-small-elasticsearch",
      ".rerank-v1-elasticsearch",
      "aa",
      "zz",
    ]);
    const embeddings = await client().inference.get({ task_type: "text_embedding" });
    expect(embeddings.endpoints.map((e) => e.inference_id)).toEqual([".multilingual-e5-small-elasticsearch", "aa", "zz"]);
    const none = await client().inference.get({ task_type: "chat_completion" });
    expect(none).toEqual({ endpoints: [] });
  });

  it("updates task settings and answers with the updated configuration", async () => {
    await client().inference.put({ inference_id: "e1", task_type: "text_embedding", inference_config: openaiEmbedding() as any });
    const res = await client().inference.update({
      inference_id: "e1",
      task_type: "text_embedding",
      inference_config: { task_settings: { user: "alice" } } as any,
    });
    expect(res.task_settings).toEqual({ user: "alice" });
    const got = await client().inference.get({ inference_id: "e1" });
    expect(got.endpoints[0]!.task_settings).toEqual({ user: "alice" });
  });

  it("deletes, then answers 404", async () => {
    await client().inference.put({ inference_id: "e1", task_type: "text_embedding", inference_config: openaiEmbedding() as any });
    expect(await client().inference.delete({ inference_id: "e1" })).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
    });
    const e = await esError(client().inference.get({ inference_id: "e1" }));
    expect(e).toMatchObject({ status: 404, type: "resource_not_found_exception", reason: "Inference endpoint not found [e1]" });
  });

  it("performs inference through inference.inference and the typed task APIs", async () => {
    await client().inference.put({ inference_id: "e1", task_type: "text_embedding", inference_config: openaiEmbedding() as any });
    const res = (await client().inference.inference({ inference_id: "e1", input: ["a", "b"] })) as any;
    expect(res.text_embedding).toHaveLength(2);
    expect(res.text_embedding[0].embedding).toHaveLength(1536);
    const typed = (await client().inference.textEmbedding({ inference_id: "e1", input: "a" })) as any;
    expect(typed.text_embedding[0].embedding).toEqual(res.text_embedding[0].embedding);
  });

  it("never returns secrets", async () => {
    await client().inference.put({
      inference_id: "e1",
      task_type: "text_embedding",
      inference_config: openaiEmbedding({ api_key: "sk-canary-123" }) as any,
    });
    const all = JSON.stringify(await client().inference.get());
    expect(all).not.toContain("sk-canary-123");
    expect(all).not.toContain("api_key");
  });
});

describe("inference management API through the official client (8.18)", () => {
  const { client } = useEmulator({ esVersion: "8.18.0" });

  it("lists only the 8.16 defaults", async () => {
    const all = await client().inference.get();
    expect(all.endpoints.map((e) => e.inference_id)).toEqual([
      ".elser-2-elasticsearch",
      ".multilingual-e5-small-elasticsearch",
    ]);
    expect(all.endpoints[0]!.service_settings).toEqual({
      num_threads: 1,
      model_id: ".elser_model_2",
      adaptive_allocations: { enabled: true, min_number_of_allocations: 0, max_number_of_allocations: 8 },
    });
  });

  it("reports its version in GET /", async () => {
    const info = await client().info();
    expect(info.version.number).toBe("8.18.0");
    expect(info.version.build_flavor).toBe("default");
    expect(info.tagline).toBe("You Know, for Search");
  });
});
