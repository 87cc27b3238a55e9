/** The official client against the emulator: create, get, update, delete, perform inference (§1, §2). */
import { esError, MAIN_VERSION, openaiEmbedding, useEmulator } from "./helpers";

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
    await client().inference.put({
      inference_id: "e1",
      task_type: "text_embedding",
      inference_config: openaiEmbedding() as any,
    });
    const byId = await client().inference.get({ inference_id: "e1" });
    const byType = await client().inference.get({ inference_id: "e1", task_type: "text_embedding" });
    expect(byId.endpoints.map((e) => e.inference_id)).toEqual(["e1"]);
    expect(byType).toEqual(byId);
  });

  it("lists all endpoints sorted by id, defaults included, and filters by task type", async () => {
    await client().inference.put({
      inference_id: "zz",
      task_type: "text_embedding",
      inference_config: openaiEmbedding() as any,
    });
    await client().inference.put({
      inference_id: "aa",
      task_type: "text_embedding",
      inference_config: openaiEmbedding() as any,
    });
    const all = await client().inference.get();
    expect(all.endpoints.map((e) => e.inference_id)).toEqual([
      ".elser-2-elasticsearch",
      ".multilingual-e5-small-elasticsearch",
      ".rerank-v1-elasticsearch",
      "aa",
      "zz",
    ]);
    const embeddings = await client().inference.get({ task_type: "text_embedding" });
    expect(embeddings.endpoints.map((e) => e.inference_id)).toEqual([
      ".multilingual-e5-small-elasticsearch",
      "aa",
      "zz",
    ]);
    const none = await client().inference.get({ task_type: "chat_completion" });
    expect(none).toEqual({ endpoints: [] });
  });

  it("updates task settings and answers with the updated configuration", async () => {
    await client().inference.put({
      inference_id: "e1",
      task_type: "text_embedding",
      inference_config: openaiEmbedding() as any,
    });
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
    await client().inference.put({
      inference_id: "e1",
      task_type: "text_embedding",
      inference_config: openaiEmbedding() as any,
    });
    expect(await client().inference.delete({ inference_id: "e1" })).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
    });
    const e = await esError(client().inference.get({ inference_id: "e1" }));
    expect(e).toMatchObject({
      status: 404,
      type: "resource_not_found_exception",
      reason: "Inference endpoint not found [e1]",
    });
  });

  it("performs inference through inference.inference and the typed task APIs", async () => {
    await client().inference.put({
      inference_id: "e1",
      task_type: "text_embedding",
      inference_config: openaiEmbedding() as any,
    });
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

/**
 * Success and error paths of the five operations through the official client, per emulated version: a call the
 * client accepts proves the wire format; a failure must arrive as a ResponseError carrying the server's status,
 * error type and reason.
 */
describe.each(["8.18.0", "9.1.0", MAIN_VERSION])("official client, success and error paths at %s", (version) => {
  const { client, em } = useEmulator({ esVersion: version });
  const hasPutTimeout = version !== "8.18.0";
  const put = (id: string, config: unknown = openaiEmbedding(), task_type: any = "text_embedding") =>
    client().inference.put({ inference_id: id, task_type, inference_config: config as any });

  it("inference.put: 200 with the stored configuration; errors as ResponseError with the server's body", async () => {
    expect((await put("e1")).inference_id).toBe("e1");
    const dup = await esError(put("e1"));
    expect(dup).toMatchObject({
      status: 400,
      type: "resource_already_exists_exception",
      reason: "Inference endpoint [e1] already exists",
    });
    expect(dup.body).toEqual({
      error: { root_cause: [{ type: dup.type, reason: dup.reason }], type: dup.type, reason: dup.reason },
      status: 400,
    });
    expect(await esError(put("e2", openaiEmbedding({ similarity: "foo" })))).toMatchObject({
      status: 400,
      type: "validation_exception",
      reason:
        "Validation Failed: 1: [service_settings] Invalid value [foo] received. [similarity] must be one of [cosine, dot_product, l2_norm];",
    });
    expect(await esError(put("Bad"))).toMatchObject({ status: 400, type: "action_request_validation_exception" });
  });

  it(`inference.put with timeout: ${hasPutTimeout ? "accepted" : "refused as an unrecognized parameter"}`, async () => {
    const call = client().inference.put({
      inference_id: "t1",
      task_type: "text_embedding",
      inference_config: openaiEmbedding() as any,
      timeout: "30s",
    });
    if (hasPutTimeout) expect((await call).inference_id).toBe("t1");
    else
      expect(await esError(call)).toMatchObject({
        status: 400,
        type: "illegal_argument_exception",
        reason: "request [/_inference/text_embedding/t1] contains unrecognized parameter: [timeout]",
      });
    expect(em().requests.list({ method: "PUT" })[0]!.query).toEqual({ timeout: "30s" });
  });

  it("inference.get: 404 for a missing id, 400 for another task type", async () => {
    await put("e1");
    expect(await esError(client().inference.get({ inference_id: "inference_to_get" }))).toMatchObject({
      status: 404,
      type: "resource_not_found_exception",
      reason: "Inference endpoint not found [inference_to_get]",
    });
    expect(await esError(client().inference.get({ inference_id: "e1", task_type: "rerank" }))).toMatchObject({
      status: 400,
      type: "status_exception",
      reason: "Requested task type [rerank] does not match the inference endpoint's task type [text_embedding]",
    });
  });

  it("inference.update: with the task type in the path or only in the body; 404, 400 errors", async () => {
    await put("e1");
    const inPath = await client().inference.update({
      inference_id: "e1",
      task_type: "text_embedding",
      inference_config: { task_settings: { user: "a" } } as any,
    });
    expect(inPath.task_settings).toEqual({ user: "a" });
    // The official client sends PUT _inference/{id}/_update here (the form 8.17 could not handle).
    const inBody = await client().inference.update({
      inference_id: "e1",
      inference_config: { task_type: "text_embedding", task_settings: { user: "b" } } as any,
    });
    expect(inBody.task_settings).toEqual({ user: "b" });
    expect(
      em()
        .requests.list({ method: "PUT" })
        .map((r) => r.path),
    ).toContain("/_inference/e1/_update");
    expect(
      await esError(
        client().inference.update({
          inference_id: "nope",
          task_type: "text_embedding",
          inference_config: { task_settings: { user: "a" } } as any,
        }),
      ),
    ).toMatchObject({
      status: 404,
      type: "resource_not_found_exception",
      reason: "The inference endpoint [nope] does not exist and cannot be updated",
    });
    expect(
      await esError(
        client().inference.update({
          inference_id: "e1",
          task_type: "rerank",
          inference_config: { task_settings: { user: "a" } } as any,
        }),
      ),
    ).toMatchObject({
      status: 400,
      type: "status_exception",
      reason: "Task type must match the task type of the existing endpoint",
    });
    expect(
      await esError(
        client().inference.update({
          inference_id: "e1",
          task_type: "text_embedding",
          inference_config: { service: "cohere" } as any,
        }),
      ),
    ).toMatchObject({
      status: 400,
      reason: "Request contained fields which cannot be updated, remove these fields and try again [{service=cohere}]",
    });
  });

  it("inference.delete: dry_run lists references, force deletes; 404 and reserved-endpoint errors", async () => {
    await put("e1");
    await client().ingest.putPipeline({
      id: "p1",
      processors: [{ inference: { model_id: "e1", input_output: [] } } as any],
    });
    expect(await client().inference.delete({ inference_id: "e1", dry_run: true })).toEqual({
      acknowledged: false,
      pipelines: ["p1"],
      indexes: [],
      error_message:
        "Inference endpoint e1 is referenced by pipelines: [p1]. Ensure that no pipelines are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.",
    });
    expect(await esError(client().inference.delete({ inference_id: "e1" }))).toMatchObject({
      status: 409,
      type: "status_exception",
    });
    expect(await client().inference.delete({ inference_id: "e1", task_type: "text_embedding", force: true })).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
    });
    expect(await esError(client().inference.delete({ inference_id: "e1" }))).toMatchObject({
      status: 404,
      reason: "Inference endpoint not found [e1]",
    });
    expect(await esError(client().inference.delete({ inference_id: ".elser-2-elasticsearch" }))).toMatchObject({
      status: 400,
      type: "status_exception",
      reason:
        "[.elser-2-elasticsearch] is a reserved inference endpoint. Use the force=true query parameter to delete the inference endpoint.",
    });
  });

  it("inference.inference and the typed task APIs: results and errors", async () => {
    await put("e1");
    await put("r1", { service: "cohere", service_settings: { api_key: "k", model_id: "rerank-v3.5" } }, "rerank");
    await put("c1", { service: "openai", service_settings: { api_key: "k", model_id: "gpt-4o" } }, "completion");
    const reranked = await client().inference.rerank({ inference_id: "r1", input: ["a dog", "a cat"], query: "dog" });
    expect(reranked.rerank.map((r) => r.index)).toEqual([0, 1]);
    const sparse = await client().inference.sparseEmbedding({
      inference_id: ".elser-2-elasticsearch",
      input: "hello world",
    });
    expect(Object.keys(sparse.sparse_embedding[0]!.embedding).sort()).toEqual(["hello", "world"]);
    const done = await client().inference.completion({ inference_id: "c1", input: "hi" });
    expect(done.completion[0]!.result).toContain("for: hi");
    expect(await esError(client().inference.inference({ inference_id: "missing", input: "x" }))).toMatchObject({
      status: 404,
      reason: "Inference endpoint not found [missing]",
    });
    expect(
      await esError(client().inference.inference({ inference_id: "e1", task_type: "completion", input: "x" })),
    ).toMatchObject({
      status: 400,
      type: "status_exception",
      reason: "Incompatible task_type, the requested type [completion] does not match the model type [text_embedding]",
    });
    expect(await esError(client().inference.rerank({ inference_id: "r1", input: ["a"] } as any))).toMatchObject({
      status: 400,
      type: "action_request_validation_exception",
      reason: "Validation Failed: 1: Field [query] cannot be null for task type [rerank];",
    });
  });
});
