/**
 * Every management-API error row of §3, with the exact `type` and `reason`, for each emulated version (the
 * expected text is a function of the version where the wording or the availability differs).
 */
import { errorOf, MAIN_VERSION, openaiEmbedding, raw, VERSIONS, useEmulatorPerVersion, type Version } from "./helpers";

interface Row {
  readonly name: string;
  /** Requests run first (must succeed). */
  readonly setup?: readonly [method: string, path: string, body?: unknown][];
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly status: number | ((v: Version) => number);
  readonly type: string | ((v: Version) => string);
  readonly reason: string | ((v: Version) => string);
  /** Versions the row applies to (default: all). */
  readonly versions?: readonly Version[];
}

const main = (v: Version) => v === MAIN_VERSION;
const unknownPrefix = (v: Version) => (main(v) ? "Configuration" : "Model configuration");
const invalidId = (id: string) =>
  `Validation Failed: 1: Invalid inference_id; '${id}' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric;`;
const emb = openaiEmbedding();
const createE1: [string, string, unknown] = ["PUT", "/_inference/text_embedding/e1", emb];

// prettier-ignore -- one row per line reads as the table it is
const ROWS: readonly Row[] = [
  // Ids (validated on PUT and _update only)
  {
    name: "upper-case id",
    method: "PUT",
    path: "/_inference/text_embedding/My-Id",
    body: emb,
    status: 400,
    type: "action_request_validation_exception",
    reason: invalidId("My-Id"),
  },
  {
    name: "id starting with -",
    method: "PUT",
    path: "/_inference/text_embedding/-x",
    body: emb,
    status: 400,
    type: "action_request_validation_exception",
    reason: invalidId("-x"),
  },
  {
    name: "id _all",
    method: "PUT",
    path: "/_inference/text_embedding/_all",
    body: emb,
    status: 400,
    type: "action_request_validation_exception",
    reason: invalidId("_all"),
  },
  {
    name: "a default endpoint id cannot be created (fails the id pattern before the reserved check)",
    method: "PUT",
    path: "/_inference/sparse_embedding/.elser-2-elasticsearch",
    body: {
      service: "elasticsearch",
      service_settings: { model_id: ".elser_model_2", num_threads: 1, num_allocations: 1 },
    },
    status: 400,
    type: "action_request_validation_exception",
    reason: invalidId(".elser-2-elasticsearch"),
  },
  // Task type resolution
  {
    name: "unknown task type in the path",
    method: "PUT",
    path: "/_inference/bad/x",
    body: emb,
    status: 400,
    type: "status_exception",
    reason: "Unknown task_type [bad]",
  },
  {
    name: "unknown task type in the body",
    method: "PUT",
    path: "/_inference/x",
    body: { ...emb, task_type: "bad" },
    status: 400,
    type: "status_exception",
    reason: "Unknown task_type [bad]",
  },
  {
    name: "embedding task type before 9.4",
    method: "PUT",
    path: "/_inference/embedding/x",
    body: emb,
    status: (v) => (main(v) ? 200 : 400),
    type: (v) => (main(v) ? "" : "status_exception"),
    reason: (v) => (main(v) ? "" : "Unknown task_type [embedding]"),
  },
  {
    name: "no task type anywhere",
    method: "PUT",
    path: "/_inference/x",
    body: emb,
    status: 400,
    type: "status_exception",
    reason: "model is missing required setting [task_type]",
  },
  {
    name: "path task type any",
    method: "PUT",
    path: "/_inference/any/x",
    body: emb,
    status: 400,
    type: "status_exception",
    reason: "model is missing required setting [task_type]",
  },
  {
    name: "body task type any",
    method: "PUT",
    path: "/_inference/x",
    body: { ...emb, task_type: "any" },
    status: 400,
    type: "status_exception",
    reason: "task_type [any] is not valid type for inference",
  },
  {
    name: "path and body task types differ",
    method: "PUT",
    path: "/_inference/sparse_embedding/x",
    body: { ...emb, task_type: "Text_Embedding" },
    status: 400,
    type: "status_exception",
    reason:
      "Cannot resolve conflicting task_type parameter in the request URL [sparse_embedding] and the request body [Text_Embedding]",
  },
  // Service
  {
    name: "service missing",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service_settings: {} },
    status: 400,
    type: "status_exception",
    reason: "Inference endpoint configuration is missing the [service] setting",
  },
  {
    name: "unknown service",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "nope", service_settings: {} },
    status: 400,
    type: "status_exception",
    reason: "Unknown service [nope]",
  },
  {
    name: "service newer than the version (llama, 9.2)",
    method: "PUT",
    path: "/_inference/completion/x",
    body: { service: "llama", service_settings: { url: "http://l", model_id: "m" } },
    status: (v) => (v === "9.2.0" || main(v) ? 200 : 400),
    type: (v) => (v === "9.2.0" || main(v) ? "" : "status_exception"),
    reason: (v) => (v === "9.2.0" || main(v) ? "" : "Unknown service [llama]"),
  },
  {
    name: "service of 8.19 / 9.1 (custom)",
    method: "PUT",
    path: "/_inference/completion/x",
    body: {
      service: "custom",
      service_settings: {
        request: "{}",
        response: { json_parser: { completion_result: "$.r" } },
        secret_parameters: { k: "v" },
      },
    },
    status: (v) => (v === "8.18.0" || v === "9.0.0" ? 400 : 200),
    type: (v) => (v === "8.18.0" || v === "9.0.0" ? "status_exception" : ""),
    reason: (v) => (v === "8.18.0" || v === "9.0.0" ? "Unknown service [custom]" : ""),
  },
  {
    name: "task type the service does not support",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "anthropic", service_settings: { api_key: "k", model_id: "m" } },
    status: 400,
    type: "status_exception",
    reason: "The [anthropic] service does not support task type [text_embedding]",
  },
  {
    // #148539 (changelog 9.5.0) added chat_completion to the anthropic service.
    name: "task type newer than the version (anthropic chat_completion, 9.5)",
    method: "PUT",
    path: "/_inference/chat_completion/x",
    body: {
      service: "anthropic",
      service_settings: { api_key: "k", model_id: "m" },
      task_settings: { max_tokens: 10 },
    },
    status: (v) => (v === MAIN_VERSION ? 200 : 400),
    type: (v) => (v === MAIN_VERSION ? "" : "status_exception"),
    reason: (v) => (v === MAIN_VERSION ? "" : "The [anthropic] service does not support task type [chat_completion]"),
  },
  // Settings
  {
    name: "service_settings missing",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "openai" },
    status: 400,
    type: "status_exception",
    reason: "Missing required field [service_settings]",
  },
  {
    name: "required setting missing",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "openai", service_settings: { api_key: "k" } },
    status: 400,
    type: "validation_exception",
    reason: "Validation Failed: 1: [service_settings] does not contain the required setting [model_id];",
  },
  {
    name: "required secret missing",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "cohere", service_settings: { model_id: "embed-english-v3.0" } },
    status: 400,
    type: "validation_exception",
    reason: "Validation Failed: 1: [secret_settings] does not contain the required setting [api_key];",
  },
  {
    name: "several errors are numbered",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "watsonxai", service_settings: { api_key: "k", url: "http://w", dimensions: 3 } },
    status: 400,
    type: "validation_exception",
    reason:
      "Validation Failed: 1: [service_settings] does not contain the required setting [api_version];2: [service_settings] does not contain the required setting [model_id];3: [service_settings] does not contain the required setting [project_id];",
  },
  {
    name: "wrong type",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: openaiEmbedding({ dimensions: "abc" }),
    status: 400,
    type: "validation_exception",
    reason:
      "Validation Failed: 1: field [dimensions] is not of the expected type. The value [abc] cannot be converted to a [Integer];",
  },
  {
    name: "empty string",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: openaiEmbedding({ model_id: "" }),
    status: 400,
    type: "validation_exception",
    reason:
      "Validation Failed: 1: [service_settings] Invalid value empty string. [model_id] must be a non-empty string;",
  },
  {
    name: "non-positive integer",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: openaiEmbedding({ dimensions: 0 }),
    status: 400,
    type: "validation_exception",
    reason: "Validation Failed: 1: [service_settings] Invalid value [0]. [dimensions] must be a positive integer;",
  },
  {
    name: "invalid enum",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: openaiEmbedding({ similarity: "foo" }),
    status: 400,
    type: "validation_exception",
    reason:
      "Validation Failed: 1: [service_settings] Invalid value [foo] received. [similarity] must be one of [cosine, dot_product, l2_norm];",
  },
  {
    name: "unknown top-level key (checked before service_settings)",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { ...openaiEmbedding({ extra: 1 }), nope: { a: 1 } },
    status: 400,
    type: "status_exception",
    reason: (v) => `${unknownPrefix(v)} contains settings [{nope={a=1}}] unknown to the [openai] service`,
  },
  {
    name: "unknown service_settings key",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { ...openaiEmbedding({ extra: true }), task_settings: { more: "x" } },
    status: 400,
    type: "status_exception",
    reason: (v) => `${unknownPrefix(v)} contains settings [{extra=true}] unknown to the [openai] service`,
  },
  {
    name: "unknown task_settings key",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { ...openaiEmbedding(), task_settings: { user: "u", temperature: 0.5 } },
    status: 400,
    type: "status_exception",
    reason: (v) => `${unknownPrefix(v)} contains settings [{temperature=0.5}] unknown to the [openai] service`,
  },
  {
    name: "chunking_settings for a task type without chunking stay in the top-level map",
    method: "PUT",
    path: "/_inference/completion/x",
    body: {
      service: "openai",
      service_settings: { api_key: "k", model_id: "gpt-4o" },
      chunking_settings: { strategy: "word", max_chunk_size: 100, overlap: 10 },
    },
    status: 400,
    type: "status_exception",
    reason: (v) =>
      `${unknownPrefix(v)} contains settings [{chunking_settings={overlap=10, max_chunk_size=100, strategy=word}}] unknown to the [openai] service`,
  },
  {
    name: "unknown keys print in Java HashMap order",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: openaiEmbedding({ one: 1, two: 2, three: 3, four: 4, five: 5 }),
    status: 400,
    type: "status_exception",
    reason: (v) =>
      `${unknownPrefix(v)} contains settings [{four=4, one=1, two=2, three=3, five=5}] unknown to the [openai] service`,
  },
  {
    name: "a field newer than the version is an unknown setting (openai client_id, main)",
    method: "PUT",
    path: "/_inference/completion/x",
    body: { service: "openai", service_settings: { api_key: "k", model_id: "m", client_id: "c" } },
    status: 400,
    type: (v) => (main(v) ? "validation_exception" : "status_exception"),
    reason: (v) =>
      main(v)
        ? // emulator wording for catalogue rules whose server text is not recorded
          "Validation Failed: 1: [service_settings] [scopes] is required when [client_id] is set;2: [service_settings] [token_url] is required when [client_id] is set;3: [service_settings] [client_secret] is required when [client_id] is set;"
        : "Model configuration contains settings [{client_id=c}] unknown to the [openai] service",
  },
  // Body
  {
    name: "PUT without a body",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    status: 400,
    type: "parse_exception",
    reason: "request body is required",
  },
  {
    name: "duplicate id (after validation)",
    setup: [createE1],
    method: "PUT",
    path: "/_inference/text_embedding/e1",
    body: emb,
    status: 400,
    type: "resource_already_exists_exception",
    reason: "Inference endpoint [e1] already exists",
  },
  {
    name: "duplicate id with invalid settings reports the settings, not the duplicate",
    setup: [createE1],
    method: "PUT",
    path: "/_inference/text_embedding/e1",
    body: openaiEmbedding({ dimensions: -1 }),
    status: 400,
    type: "validation_exception",
    reason: "Validation Failed: 1: [service_settings] Invalid value [-1]. [dimensions] must be a positive integer;",
  },
  {
    name: "id equals a trained-model deployment's model id",
    setup: [
      [
        "PUT",
        "/_inference/text_embedding/e5",
        { service: "elasticsearch", service_settings: { model_id: "my-model", num_threads: 1, num_allocations: 1 } },
      ],
    ],
    method: "PUT",
    path: "/_inference/text_embedding/my-model",
    body: emb,
    status: 400,
    type: "status_exception",
    reason:
      "Inference endpoint IDs must be unique. Requested inference endpoint ID [my-model] matches existing trained model ID(s) but must not.",
  },
  {
    name: "id still mapped with incompatible settings (November 2025 patch releases and later)",
    setup: [
      [
        "PUT",
        "/docs-b",
        {
          mappings: {
            properties: {
              t: {
                type: "semantic_text",
                inference_id: "gone",
                model_settings: {
                  task_type: "text_embedding",
                  dimensions: 384,
                  similarity: "cosine",
                  element_type: "float",
                },
              },
            },
          },
        },
      ],
      [
        "PUT",
        "/docs-a",
        {
          mappings: {
            properties: {
              t: { type: "semantic_text", inference_id: "gone", model_settings: { task_type: "sparse_embedding" } },
            },
          },
        },
      ],
      // Same settings as the new endpoint: compatible, not listed.
      [
        "PUT",
        "/docs-ok",
        {
          mappings: {
            properties: {
              t: {
                type: "semantic_text",
                inference_id: "gone",
                model_settings: {
                  task_type: "text_embedding",
                  dimensions: 1536,
                  similarity: "dot_product",
                  element_type: "float",
                },
              },
            },
          },
        },
      ],
    ],
    method: "PUT",
    path: "/_inference/text_embedding/gone",
    body: emb,
    status: (v) => (main(v) ? 400 : 200),
    type: (v) => (main(v) ? "status_exception" : ""),
    reason: (v) =>
      main(v)
        ? "Inference endpoint [gone] could not be created because the inference_id is being used in mappings with incompatible settings for indices: [docs-a, docs-b]. Please either use a different inference_id or update the index mappings to refer to a different inference_id."
        : "",
  },
  // GET / DELETE
  {
    name: "GET of a missing id",
    method: "GET",
    path: "/_inference/inference_to_get",
    status: 404,
    type: "resource_not_found_exception",
    reason: "Inference endpoint not found [inference_to_get]",
  },
  {
    name: "DELETE of a missing id",
    method: "DELETE",
    path: "/_inference/nope",
    status: 404,
    type: "resource_not_found_exception",
    reason: "Inference endpoint not found [nope]",
  },
  {
    name: "GET with the wrong task type",
    setup: [createE1],
    method: "GET",
    path: "/_inference/sparse_embedding/e1",
    status: 400,
    type: "status_exception",
    reason: "Requested task type [sparse_embedding] does not match the inference endpoint's task type [text_embedding]",
  },
  {
    name: "DELETE with the wrong task type",
    setup: [createE1],
    method: "DELETE",
    path: "/_inference/rerank/e1",
    status: 400,
    type: "status_exception",
    reason: "Requested task type [rerank] does not match the inference endpoint's task type [text_embedding]",
  },
  {
    name: "GET with an unknown task type",
    method: "GET",
    path: "/_inference/nope/e1",
    status: 400,
    type: "status_exception",
    reason: "Unknown task_type [nope]",
  },
  {
    name: "DELETE of a default endpoint without force",
    method: "DELETE",
    path: "/_inference/.elser-2-elasticsearch",
    status: 400,
    type: "status_exception",
    reason:
      "[.elser-2-elasticsearch] is a reserved inference endpoint. Use the force=true query parameter to delete the inference endpoint.",
  },
  // _update
  {
    name: "update of a missing id",
    method: "PUT",
    path: "/_inference/text_embedding/nope/_update",
    body: { task_settings: { user: "u" } },
    status: 404,
    type: "resource_not_found_exception",
    reason: "The inference endpoint [nope] does not exist and cannot be updated",
  },
  {
    name: "update with an invalid id",
    method: "PUT",
    path: "/_inference/text_embedding/Bad-Id/_update",
    body: { task_settings: { user: "u" } },
    status: 400,
    type: "action_request_validation_exception",
    reason: invalidId("Bad-Id"),
  },
  {
    name: "update with an empty body",
    setup: [createE1],
    method: "PUT",
    path: "/_inference/text_embedding/e1/_update",
    body: {},
    status: 400,
    type: "status_exception",
    reason: "Request body is empty",
  },
  {
    name: "update of a field that cannot be updated",
    setup: [createE1],
    method: "PUT",
    path: "/_inference/text_embedding/e1/_update",
    body: { service: "cohere", task_settings: { user: "u" } },
    status: 400,
    type: "status_exception",
    reason: "Request contained fields which cannot be updated, remove these fields and try again [{service=cohere}]",
  },
  {
    name: "update with chunking_settings (main only)",
    setup: [createE1],
    method: "PUT",
    path: "/_inference/text_embedding/e1/_update",
    body: { chunking_settings: { strategy: "word", max_chunk_size: 100, overlap: 10 } },
    status: (v) => (main(v) ? 200 : 400),
    type: (v) => (main(v) ? "" : "status_exception"),
    reason: (v) =>
      main(v)
        ? ""
        : "Request contained fields which cannot be updated, remove these fields and try again [{chunking_settings={overlap=10, max_chunk_size=100, strategy=word}}]",
  },
  {
    name: "update with another task type in the path",
    setup: [createE1],
    method: "PUT",
    path: "/_inference/sparse_embedding/e1/_update",
    body: { task_settings: { user: "u" } },
    status: 400,
    type: "status_exception",
    reason: "Task type must match the task type of the existing endpoint",
  },
  {
    name: "update with another task type in the body",
    setup: [createE1],
    method: "PUT",
    path: "/_inference/e1/_update",
    body: { task_type: "rerank", task_settings: { user: "u" } },
    status: 400,
    type: "status_exception",
    reason: "Task type must match the task type of the existing endpoint",
  },
  {
    name: "update without any task type",
    setup: [createE1],
    method: "PUT",
    path: "/_inference/e1/_update",
    body: { task_settings: { user: "u" } },
    status: 400,
    type: "status_exception",
    reason: "model is missing required setting [task_type]",
  },
  {
    name: "update of a default endpoint",
    method: "PUT",
    path: "/_inference/sparse_embedding/.elser-2-elasticsearch/_update",
    body: { service_settings: { num_allocations: 2 } },
    status: 400,
    type: (v) => (main(v) ? "status_exception" : "action_request_validation_exception"),
    reason: (v) =>
      main(v) ? "Default endpoint [.elser-2-elasticsearch] cannot be updated" : invalidId(".elser-2-elasticsearch"),
  },
  // Perform inference
  {
    name: "inference with the wrong task type",
    setup: [createE1],
    method: "POST",
    path: "/_inference/completion/e1",
    body: { input: "x" },
    status: 400,
    type: "status_exception",
    reason: "Incompatible task_type, the requested type [completion] does not match the model type [text_embedding]",
  },
  {
    name: "inference of a missing id",
    method: "POST",
    path: "/_inference/nope",
    body: { input: "x" },
    status: 404,
    type: "resource_not_found_exception",
    reason: "Inference endpoint not found [nope]",
  },
  {
    name: "rerank without query",
    method: "POST",
    path: "/_inference/rerank/.rerank-v1-elasticsearch",
    body: { input: ["a"] },
    status: 400,
    type: "action_request_validation_exception",
    reason: "Validation Failed: 1: Field [query] cannot be null for task type [rerank];",
    versions: ["8.19.0", "9.1.0", "9.2.0", MAIN_VERSION],
  },
];

const emulatorFor = useEmulatorPerVersion();

const cases = ROWS.flatMap((row) => (row.versions ?? VERSIONS).map((v) => [row.name, v, row] as const));

describe.each(VERSIONS)("errors at %s", (version) => {
  const rows = cases.filter(([, v]) => v === version).map(([name, , row]) => [name, row] as const);
  it.each(rows)("%s", async (_name, row) => {
    const em = emulatorFor(version);
    em.reset();
    for (const [method, path, body] of row.setup ?? []) expect((await raw(em, method, path, body)).status).toBe(200);
    const at = <T>(x: T | ((v: Version) => T)) => (typeof x === "function" ? (x as (v: Version) => T)(version) : x);
    const res = await raw(em, row.method, row.path, row.body);
    const status = at(row.status);
    if (status === 200) {
      expect(res.status).toBe(200);
      return;
    }
    expect(errorOf(res)).toEqual({ status, type: at(row.type), reason: at(row.reason) });
    expect(res.json.error.root_cause).toEqual([{ type: at(row.type), reason: at(row.reason) }]);
    expect(res.json.status).toBe(status);
  });
});
