import { declarationToRequest, requestToDeclaration, validateDeclaration, secret } from "../../lib/model";

test("camelCase declarations convert exactly to request shape; free-form maps keep their keys", () => {
  const request = declarationToRequest({
    inferenceId: "custom-emb",
    taskType: "text_embedding",
    service: "custom",
    serviceSettings: {
      url: "https://api.example/v1/embeddings",
      headers: { Authorization: "Bearer ${apiKey}", "Content-Type": "application/json" },
      request: '{"input": ${input}}',
      response: { jsonParser: { text_embeddings: "$.data[*].embedding[*]" } },
      secretParameters: { apiKey: secret.env("CUSTOM_KEY") },
      inputType: { translation: { ingest: "document" }, default: "query" },
      queryParameters: [["apiVersion", "2"]],
    },
    taskSettings: { parameters: { topK: 3 } },
    chunkingSettings: { strategy: "sentence", maxChunkSize: 100, sentenceOverlap: 0 },
  });
  expect(request).toEqual({
    inference_id: "custom-emb",
    task_type: "text_embedding",
    service: "custom",
    service_settings: {
      url: "https://api.example/v1/embeddings",
      headers: { Authorization: "Bearer ${apiKey}", "Content-Type": "application/json" },
      request: '{"input": ${input}}',
      response: { json_parser: { text_embeddings: "$.data[*].embedding[*]" } },
      secret_parameters: { apiKey: { env: "CUSTOM_KEY" } },
      input_type: { translation: { ingest: "document" }, default: "query" },
      query_parameters: [["apiVersion", "2"]],
    },
    task_settings: { parameters: { topK: 3 } },
    chunking_settings: { strategy: "sentence", max_chunk_size: 100, sentence_overlap: 0 },
  });
});

test("request shape converts back to camelCase for generated code", () => {
  expect(
    requestToDeclaration({
      inference_id: "e",
      task_type: "sparse_embedding",
      service: "elasticsearch",
      service_settings: {
        model_id: ".elser_model_2",
        num_threads: 1,
        adaptive_allocations: { enabled: true, max_number_of_allocations: 4 },
      },
      task_settings: {},
      chunking_settings: { strategy: "word", max_chunk_size: 100, overlap: 10 },
    }),
  ).toEqual({
    inferenceId: "e",
    taskType: "sparse_embedding",
    service: "elasticsearch",
    serviceSettings: {
      modelId: ".elser_model_2",
      numThreads: 1,
      adaptiveAllocations: { enabled: true, maxNumberOfAllocations: 4 },
    },
    chunkingSettings: { strategy: "word", maxChunkSize: 100, overlap: 10 },
  });
});

test("declaration errors name request-shape paths and suggest TypeScript references", () => {
  const result = validateDeclaration({
    inferenceId: "e",
    taskType: "text_embedding",
    service: "openai",
    serviceSettings: { modelId: "m", apiKey: "sk-literal", dimenssions: 5 },
  });
  expect(result.issues).toEqual([
    expect.objectContaining({
      path: "service_settings.api_key",
      message: expect.stringContaining("literal secret"),
      allowed: 'secret.env("OPENAI_API_KEY") (or secret.file(path))',
    }),
    expect.objectContaining({ path: "service_settings.dimenssions", hint: 'did you mean "dimensions"?' }),
  ]);
});
