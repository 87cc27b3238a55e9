/**
 * Ported from elastic/elasticsearch
 * x-pack/plugin/inference/qa/inference-service-tests/src/javaRestTest/java/org/elasticsearch/xpack/inference/InferenceCrudIT.java
 * and x-pack/plugin/src/yamlRestTest/resources/rest-api-spec/test/inference/inference_crud.yml, against the
 * emulator at main. The internal mock services are replaced by real services of the same shape (helpers.ts).
 *
 * Skipped, and why:
 * - InferenceCrudIT.testSkipValidationAndStart's cluster setting (`xpack.inference.skip_validate_and_start`): the
 *   emulator never validates live; the request it sends (openai with the legacy `task_settings.model`) is ported.
 * - InferenceCrudIT.testSupportedStream / testUnifiedCompletionInference's exact payloads: they are the mock
 *   service's echo (upper-cased input, one event per input); the stream's shape is ported instead.
 */
import {
  errorOf,
  events,
  mockCompletionServiceModelConfig,
  mockDenseServiceModelConfig,
  mockSparseServiceModelConfig,
  raw,
  useConformanceEmulator,
} from "./helpers";

describe("InferenceCrudIT", () => {
  const em = useConformanceEmulator();
  const put = (id: string, body: unknown, taskType?: string) =>
    raw(em(), "PUT", taskType ? `/_inference/${taskType}/${id}` : `/_inference/${id}`, body);

  it("InferenceCrudIT.testCRUD: list by task type with the defaults, update secrets and task settings, delete", async () => {
    for (let i = 0; i < 5; i++)
      expect((await put(`se_model_${i}`, mockSparseServiceModelConfig(), "sparse_embedding")).status).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await put(`te_model_${i}`, mockDenseServiceModelConfig(), "text_embedding")).status).toBe(200);
    expect((await raw(em(), "GET", "/_inference/_all")).json.endpoints).toHaveLength(12);
    const sparse = (await raw(em(), "GET", "/_inference/sparse_embedding/_all")).json.endpoints;
    expect(sparse).toHaveLength(6);
    for (const e of sparse) expect(e.task_type).toBe("sparse_embedding");
    const dense = (await raw(em(), "GET", "/_inference/text_embedding/_all")).json.endpoints;
    expect(dense).toHaveLength(5);
    for (const e of dense) expect(e.task_type).toBe("text_embedding");
    const single = (await raw(em(), "GET", "/_inference/sparse_embedding/se_model_1")).json.endpoints;
    expect(single.map((e: any) => e.inference_id)).toEqual(["se_model_1"]);
    expect(single[0].service_settings).not.toHaveProperty("api_key");
    const updated = await raw(em(), "PUT", "/_inference/sparse_embedding/se_model_1/_update", {
      task_type: "sparse_embedding",
      service_settings: { api_key: "new-api-key" },
      task_settings: { return_token: true },
    });
    expect(updated.json.task_settings.return_token).toBe(true);
    expect((await raw(em(), "GET", "/_inference/sparse_embedding/se_model_1")).json.endpoints[0]).toEqual(updated.json);
    for (let i = 0; i < 5; i++)
      expect((await raw(em(), "DELETE", `/_inference/sparse_embedding/se_model_${i}`)).status).toBe(200);
    for (let i = 0; i < 4; i++)
      expect((await raw(em(), "DELETE", `/_inference/text_embedding/te_model_${i}`)).status).toBe(200);
    expect((await raw(em(), "GET", "/_inference/_all")).json.endpoints).toHaveLength(3);
  });

  it("InferenceCrudIT.testGetModelWithWrongTaskType", async () => {
    await put("sparse_embedding_model", mockSparseServiceModelConfig(), "sparse_embedding");
    expect(errorOf(await raw(em(), "GET", "/_inference/text_embedding/sparse_embedding_model")).reason).toBe(
      "Requested task type [text_embedding] does not match the inference endpoint's task type [sparse_embedding]",
    );
  });

  it("InferenceCrudIT.testDeleteModelWithWrongTaskType", async () => {
    await put("sparse_embedding_model", mockSparseServiceModelConfig(), "sparse_embedding");
    expect(errorOf(await raw(em(), "DELETE", "/_inference/text_embedding/sparse_embedding_model")).reason).toBe(
      "Requested task type [text_embedding] does not match the inference endpoint's task type [sparse_embedding]",
    );
  });

  it("InferenceCrudIT.testGetModelWithAnyTaskType", async () => {
    await put("sparse_embedding_model", mockSparseServiceModelConfig(), "sparse_embedding");
    const got = (await raw(em(), "GET", "/_inference/any/sparse_embedding_model")).json.endpoints[0];
    expect([got.inference_id, got.task_type]).toEqual(["sparse_embedding_model", "sparse_embedding"]);
  });

  it("InferenceCrudIT.testApisWithoutTaskType: create, get, infer and delete by id alone", async () => {
    const id = "no_task_type_in_url";
    expect((await put(id, { ...mockSparseServiceModelConfig(), task_type: "sparse_embedding" })).status).toBe(200);
    const got = (await raw(em(), "GET", `/_inference/${id}`)).json.endpoints[0];
    expect([got.inference_id, got.task_type]).toEqual([id, "sparse_embedding"]);
    const inference = (await raw(em(), "POST", `/_inference/${id}`, { input: ["abcdefghij"] })).json;
    expect(inference.sparse_embedding).toHaveLength(1);
    expect(Object.keys(inference.sparse_embedding[0].embedding).length).toBeGreaterThan(0);
    expect((await raw(em(), "DELETE", `/_inference/${id}`)).status).toBe(200);
  });

  it("InferenceCrudIT.testSkipValidationAndStart: openai's legacy task_settings.model becomes service_settings.model_id", async () => {
    const res = await put(
      "unvalidated",
      {
        service: "openai",
        service_settings: { api_key: "XXXX", dimensions: 128, similarity: "cosine" },
        task_settings: { model: "text-embedding-ada-002" },
      },
      "text_embedding",
    );
    expect(res.status).toBe(200);
    expect(res.json.service_settings.model_id).toBe("text-embedding-ada-002");
    expect(res.json).not.toHaveProperty("task_settings");
  });

  it("InferenceCrudIT.testDeleteEndpointWhileReferencedByPipeline", async () => {
    const endpointId = "endpoint_referenced_by_pipeline";
    await put(endpointId, mockSparseServiceModelConfig(), "sparse_embedding");
    await raw(em(), "PUT", "/_ingest/pipeline/pipeline_referencing_model", {
      processors: [{ inference: { model_id: endpointId, input_output: { input_field: "a", output_field: "b" } } }],
    });
    expect(errorOf(await raw(em(), "DELETE", `/_inference/${endpointId}`)).reason).toContain(
      `Inference endpoint ${endpointId} is referenced by pipelines: [pipeline_referencing_model]. Ensure that no pipelines are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.`,
    );
    const dry = await raw(em(), "DELETE", `/_inference/${endpointId}?dry_run=true`);
    expect(dry.text).toContain("pipeline_referencing_model");
    expect(dry.text).toContain('"acknowledged":false');
    expect((await raw(em(), "DELETE", `/_inference/${endpointId}?force=true`)).text).toContain('"acknowledged":true');
  });

  it("InferenceCrudIT.testDeleteEndpointWhileReferencedBySemanticText (inference_id and search_inference_id)", async () => {
    const endpointId = "endpoint_referenced_by_semantic_text";
    const searchEndpointId = "search_endpoint_referenced_by_semantic_text";
    const indexName = "qwertyuiop";
    const message = (id: string) =>
      ` Inference endpoint ${id} is being used in the mapping for indexes: [${indexName}]. Ensure that no index mappings are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.`;
    await put(endpointId, mockSparseServiceModelConfig(), "sparse_embedding");
    await raw(em(), "PUT", `/${indexName}`, {
      mappings: { properties: { inference_field: { type: "semantic_text", inference_id: endpointId } } },
    });
    expect(errorOf(await raw(em(), "DELETE", `/_inference/${endpointId}`)).reason).toContain(message(endpointId));
    const dry = await raw(em(), "DELETE", `/_inference/${endpointId}?dry_run=true`);
    for (const s of ['"acknowledged":false', indexName, endpointId]) expect(dry.text).toContain(s);
    expect((await raw(em(), "DELETE", `/_inference/${endpointId}?force=true`)).text).toContain('"acknowledged":true');
    await raw(em(), "DELETE", `/${indexName}`);

    await put(searchEndpointId, mockSparseServiceModelConfig(), "sparse_embedding");
    await raw(em(), "PUT", `/${indexName}`, {
      mappings: {
        properties: {
          inference_field: { type: "semantic_text", inference_id: endpointId, search_inference_id: searchEndpointId },
        },
      },
    });
    expect(errorOf(await raw(em(), "DELETE", `/_inference/${searchEndpointId}`)).reason).toContain(
      message(searchEndpointId),
    );
    const dry2 = await raw(em(), "DELETE", `/_inference/${searchEndpointId}?dry_run=true`);
    for (const s of ['"acknowledged":false', indexName, searchEndpointId]) expect(dry2.text).toContain(s);
    expect((await raw(em(), "DELETE", `/_inference/${searchEndpointId}?force=true`)).text).toContain(
      '"acknowledged":true',
    );
  });

  it("InferenceCrudIT.testDeleteEndpointWhileReferencedBySemanticTextAndPipeline", async () => {
    const endpointId = "endpoint_referenced_by_semantic_text";
    const indexName = "asdfghjkl";
    await put(endpointId, mockSparseServiceModelConfig(), "sparse_embedding");
    await raw(em(), "PUT", `/${indexName}`, {
      mappings: { properties: { inference_field: { type: "semantic_text", inference_id: endpointId } } },
    });
    await raw(em(), "PUT", "/_ingest/pipeline/pipeline_referencing_model", {
      processors: [{ inference: { model_id: endpointId } }],
    });
    expect(errorOf(await raw(em(), "DELETE", `/_inference/${endpointId}`)).reason).toContain(
      `Inference endpoint ${endpointId} is referenced by pipelines: [pipeline_referencing_model]. Ensure that no pipelines are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint. Inference endpoint ${endpointId} is being used in the mapping for indexes: [${indexName}]. Ensure that no index mappings are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.`,
    );
    const dry = await raw(em(), "DELETE", `/_inference/${endpointId}?dry_run=true`);
    for (const s of ['"acknowledged":false', indexName, "pipeline_referencing_model", endpointId])
      expect(dry.text).toContain(s);
    expect((await raw(em(), "DELETE", `/_inference/${endpointId}?force=true`)).text).toContain('"acknowledged":true');
  });

  it("InferenceCrudIT.testUnsupportedStream: one error event naming the service and task", async () => {
    await put("streaming", mockSparseServiceModelConfig(), "sparse_embedding");
    const res = await raw(em(), "POST", "/_inference/sparse_embedding/streaming/_stream", { input: ["x"] });
    const evs = events(res.text);
    expect(evs).toHaveLength(1);
    expect(evs[0]!.type).toBe("error");
    expect(evs[0]!.data).toContain(
      "Streaming is not allowed for service [alibabacloud-ai-search] and task [sparse_embedding]",
    );
  });

  it("InferenceCrudIT.testSupportedStream: completion events end with [DONE], with the product header", async () => {
    await put("streaming", mockCompletionServiceModelConfig(), "completion");
    const res = await raw(em(), "POST", "/_inference/completion/streaming/_stream", { input: ["abcde", "fghij"] });
    expect(res.headers.get("x-elastic-product")).toBe("Elasticsearch");
    const evs = events(res.text);
    expect(evs.every((e) => e.type === "message")).toBe(true);
    expect(evs.at(-1)!.data).toBe("[DONE]");
    expect(JSON.parse(evs[0]!.data).completion[0]).toHaveProperty("delta");
  });

  it("InferenceCrudIT.testUnifiedCompletionInference: chat completion chunks, then [DONE]", async () => {
    await put("streaming", mockCompletionServiceModelConfig(), "chat_completion");
    const res = await raw(em(), "POST", "/_inference/chat_completion/streaming/_stream", {
      messages: [{ role: "user", content: "abcde" }],
    });
    expect(res.headers.get("x-elastic-product")).toBe("Elasticsearch");
    const evs = events(res.text);
    expect(evs.at(-1)!.data).toBe("[DONE]");
    const chunk = JSON.parse(evs[0]!.data);
    expect(chunk.object).toBe("chat.completion.chunk");
    expect(chunk.choices[0].delta.content).toEqual(expect.any(String));
  });

  const updateConfig = (taskType: string | undefined, temperature: boolean) => ({
    ...(taskType ? { task_type: taskType } : {}),
    service_settings: { api_key: "new-key" },
    task_settings: { return_token: temperature },
  });

  it("InferenceCrudIT.testUpdateEndpointWithWrongTaskTypeInURL", async () => {
    await put("sparse_embedding_model", mockSparseServiceModelConfig(), "sparse_embedding");
    const res = await raw(
      em(),
      "PUT",
      "/_inference/text_embedding/sparse_embedding_model/_update",
      updateConfig(undefined, true),
    );
    expect(errorOf(res).reason).toBe("Task type must match the task type of the existing endpoint");
  });

  it("InferenceCrudIT.testUpdateEndpointWithWrongTaskTypeInBody", async () => {
    await put("sparse_embedding_model", mockSparseServiceModelConfig(), "sparse_embedding");
    const res = await raw(
      em(),
      "PUT",
      "/_inference/sparse_embedding_model/_update",
      updateConfig("text_embedding", true),
    );
    expect(errorOf(res).reason).toBe("Task type must match the task type of the existing endpoint");
  });

  it.each([
    ["InferenceCrudIT.testUpdateEndpointWithTaskTypeInURL", false, true],
    ["InferenceCrudIT.testUpdateEndpointWithTaskTypeInBody", true, false],
    ["InferenceCrudIT.testUpdateEndpointWithTaskTypeInBodyAndURL", true, true],
  ])("%s", async (_name, inBody, inUrl) => {
    await put("sparse_embedding_model", mockSparseServiceModelConfig(), "sparse_embedding");
    const path = inUrl
      ? "/_inference/sparse_embedding/sparse_embedding_model/_update"
      : "/_inference/sparse_embedding_model/_update";
    const res = await raw(em(), "PUT", path, updateConfig(inBody ? "sparse_embedding" : undefined, true));
    expect(res.status).toBe(200);
    expect(res.json.task_settings.return_token).toBe(true);
  });

  it("InferenceCrudIT.testGetZeroModels", async () => {
    expect((await raw(em(), "GET", "/_inference/completion/_all")).json).toEqual({ endpoints: [] });
  });
});

describe("inference_crud.yml", () => {
  const em = useConformanceEmulator();

  it("inference_crud.yml: Test get missing model", async () => {
    const res = await raw(em(), "GET", "/_inference/inference_to_get");
    expect(errorOf(res)).toEqual({
      status: 404,
      type: "resource_not_found_exception",
      reason: "Inference endpoint not found [inference_to_get]",
    });
  });

  it("inference_crud.yml: Test put model with bad task type", async () => {
    const res = await raw(em(), "PUT", "/_inference/elser_model", {
      task_type: "bad",
      service: "elser",
      service_settings: { num_allocations: 1, num_threads: 1 },
      task_settings: {},
    });
    expect(errorOf(res)).toEqual({ status: 400, type: "status_exception", reason: "Unknown task_type [bad]" });
  });
});
