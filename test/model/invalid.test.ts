/**
 * Table-driven invalid declarations: each fails with the specific problem (path, message, allowed values or a
 * did-you-mean), every problem is reported at once, and nothing is echoed from secret fields.
 */
import type { z } from "zod";
import { SERVICE_NAMES, formatSince, getTaskSpec, taskSince, taskTypesOf, type TaskType } from "../../lib/catalogue";
import { validateRequest, validateRequests, type ValidateOptions, type ValidationIssue } from "../../lib/model";
import { settingsFacts } from "../../lib/model/schema-walk";
import { minimalRequest } from "../helpers/minimal";

/** The catalogue's first version accepting a service setting (the cases below target a version before it). */
const fieldSince = (service: string, taskType: string, key: string) =>
  formatSince(settingsFacts(getTaskSpec(service, taskType)!.serviceSettings).since.get(key)!);

type Req = Record<string, any>;

interface Case {
  name: string;
  request: Req;
  options?: ValidateOptions;
  expect: Partial<Record<keyof ValidationIssue, string | RegExp>>;
}

const with_ = (service: string, task: TaskType, change: (r: Req) => void): Req => {
  const r = structuredClone(minimalRequest(service, task)) as Req;
  change(r);
  return r;
};

function matcher(expected: Case["expect"]) {
  return expect.objectContaining(
    Object.fromEntries(
      Object.entries(expected).map(([k, v]) => [
        k,
        v instanceof RegExp ? expect.stringMatching(v) : expect.stringContaining(v),
      ]),
    ),
  );
}

// ---- generic cases, generated for every service: at least three per service ----------------------------------
const generic: Case[] = SERVICE_NAMES.flatMap((service) => {
  const task = taskTypesOf(service)[0]!;
  const shape = getTaskSpec(service, task)!.serviceSettings.shape as Record<string, z.ZodType>;
  const required = Object.entries(shape).find(([, s]) => !s.safeParse(undefined).success)?.[0];
  const unsupported = (["rerank", "sparse_embedding", "completion", "text_embedding"] as TaskType[]).find(
    (t) => !taskTypesOf(service).includes(t),
  )!;
  const cases: Case[] = [
    {
      name: `${service}: unknown service setting, with the allowed list`,
      request: with_(service, task, (r) => (r.service_settings.bogus_setting = 1)),
      expect: {
        path: "service_settings.bogus_setting",
        message: `is not a service setting of ${service} ${task}`,
        allowed: Object.keys(shape)[0]!,
      },
    },
    {
      name: `${service}: unknown task setting`,
      request: with_(service, task, (r) => (r.task_settings = { ...(r.task_settings ?? {}), nope: true })),
      expect: { path: "task_settings.nope", message: `is not a task setting of ${service} ${task}` },
    },
    {
      name: `${service}: a service name with a typo gets a did-you-mean`,
      request: with_(service, task, (r) => (r.service = service.slice(0, -1) + "x")),
      expect: {
        path: "service",
        message: "is not an Elasticsearch inference service",
        hint: `did you mean "${service}"?`,
      },
    },
  ];
  if (required)
    cases.push({
      name: `${service}: missing required ${required}`,
      request: with_(service, task, (r) => delete r.service_settings[required]),
      expect: { path: `service_settings.${required}`, message: "is required" },
    });
  if (unsupported)
    cases.push({
      name: `${service}: unsupported task type ${unsupported}`,
      request: with_(service, task, (r) => (r.task_type = unsupported)),
      expect: {
        path: "task_type",
        message: `${service} does not support ${unsupported}`,
        allowed: taskTypesOf(service).join(", "),
      },
    });
  return cases;
});

// ---- specific rules per service family ------------------------------------------------------------------------
const specific: Case[] = [
  // OpenAI / Azure OpenAI: authentication
  {
    name: "openai: api_key and client_secret together",
    request: with_("openai", "completion", (r) => (r.service_settings.client_secret = { env: "S" })),
    expect: { path: "service_settings", message: "only one of [api_key], [client_secret] may be set" },
  },
  {
    name: "openai: no credentials",
    request: with_("openai", "completion", (r) => delete r.service_settings.api_key),
    expect: { path: "service_settings", message: "one of [api_key], [client_secret] is required" },
  },
  {
    name: "openai: OAuth fields must come together",
    request: with_("openai", "completion", (r) => {
      delete r.service_settings.api_key;
      r.service_settings.client_secret = { env: "S" };
      r.service_settings.client_id = "c";
    }),
    expect: { path: "service_settings.scopes", message: "is required when [client_id], [client_secret] are set" },
  },
  {
    name: "openai: dimensions must be a positive integer",
    request: with_("openai", "text_embedding", (r) => (r.service_settings.dimensions = 0)),
    expect: { path: "service_settings.dimensions", message: "must be a positive integer" },
  },
  {
    name: "openai: similarity enum with a near miss",
    request: with_("openai", "text_embedding", (r) => (r.service_settings.similarity = "cosin")),
    expect: {
      path: "service_settings.similarity",
      hint: 'did you mean "cosine"?',
      allowed: "cosine, dot_product, l2_norm",
    },
  },
  {
    name: "openai: misspelt model_id",
    request: with_("openai", "completion", (r) => {
      r.service_settings.modle_id = r.service_settings.model_id;
      delete r.service_settings.model_id;
    }),
    expect: { path: "service_settings.modle_id", hint: 'did you mean "model_id"?' },
  },
  {
    name: "openai: wrong type shows the value",
    request: with_("openai", "completion", (r) => (r.service_settings.model_id = 42)),
    expect: { path: "service_settings.model_id", message: "must be a string, got number 42" },
  },
  {
    name: "azureopenai: exactly one of three credentials",
    request: with_("azureopenai", "text_embedding", (r) => (r.service_settings.entra_id = { env: "E" })),
    expect: { path: "service_settings", message: "only one of [api_key], [entra_id] may be set" },
  },
  // Cohere
  {
    name: "cohere: input_type enum",
    request: with_("cohere", "text_embedding", (r) => (r.task_settings = { input_type: "query" })),
    expect: {
      path: "task_settings.input_type",
      message: 'is not an accepted value: "query"',
      allowed: "classification, clustering, ingest, search",
    },
  },
  {
    name: "cohere: embedding_type enum",
    request: with_("cohere", "text_embedding", (r) => (r.service_settings.embedding_type = "double")),
    expect: { path: "service_settings.embedding_type", message: 'is not an accepted value: "double"' },
  },
  {
    name: "cohere: rerank top_n must be an integer",
    request: with_("cohere", "rerank", (r) => (r.task_settings = { top_n: 2.5 })),
    expect: { path: "task_settings.top_n", message: "must be an integer" },
  },
  {
    name: "cohere: a rerank setting on an embedding endpoint",
    request: with_("cohere", "text_embedding", (r) => (r.task_settings = { top_n: 3 })),
    expect: { path: "task_settings.top_n", message: "applies only to cohere rerank endpoints, not text_embedding" },
  },
  // In-cluster models
  {
    name: "elasticsearch: num_threads is a power of 2",
    request: with_("elasticsearch", "text_embedding", (r) => (r.service_settings.num_threads = 3)),
    expect: { path: "service_settings.num_threads", message: "must be a power of 2 no greater than 32 (got 3)" },
  },
  {
    name: "elasticsearch: num_allocations and adaptive allocations",
    request: with_(
      "elasticsearch",
      "sparse_embedding",
      (r) => (r.service_settings.adaptive_allocations = { enabled: true }),
    ),
    expect: { path: "service_settings.num_allocations", message: "cannot be set when adaptive_allocations is enabled" },
  },
  {
    name: "elasticsearch: no allocations at all",
    request: with_("elasticsearch", "sparse_embedding", (r) => delete r.service_settings.num_allocations),
    expect: { path: "service_settings", message: "needs num_allocations or adaptive_allocations with enabled: true" },
  },
  {
    name: "elasticsearch: model_id required without deployment_id",
    request: with_("elasticsearch", "text_embedding", (r) => delete r.service_settings.model_id),
    expect: {
      path: "service_settings.model_id",
      message: "is required unless deployment_id names an existing deployment",
    },
  },
  {
    name: "elasticsearch: id equal to the model id",
    request: with_(
      "elasticsearch",
      "text_embedding",
      (r) => (r.inference_id = r.service_settings.model_id = "my-model"),
    ),
    expect: { path: "inference_id", message: "must differ from service_settings.model_id" },
  },
  {
    name: "elasticsearch: adaptive max below min",
    request: with_("elasticsearch", "text_embedding", (r) => {
      delete r.service_settings.num_allocations;
      r.service_settings.adaptive_allocations = {
        enabled: true,
        min_number_of_allocations: 4,
        max_number_of_allocations: 2,
      };
    }),
    expect: {
      path: "service_settings.adaptive_allocations.max_number_of_allocations",
      message: "must be at least min_number_of_allocations (4)",
    },
  },
  {
    name: "elser: chunks larger than ELSER's window",
    request: with_(
      "elser",
      "sparse_embedding",
      (r) => (r.chunking_settings = { strategy: "sentence", max_chunk_size: 400 }),
    ),
    expect: { path: "chunking_settings.max_chunk_size", message: "must be at most 300 for ELSER models, got 400" },
  },
  {
    name: "elser: num_threads required",
    request: with_("elser", "sparse_embedding", (r) => delete r.service_settings.num_threads),
    expect: { path: "service_settings.num_threads", message: "is required" },
  },
  // AWS
  {
    name: "amazonbedrock: provider without embeddings",
    request: with_("amazonbedrock", "text_embedding", (r) => (r.service_settings.provider = "meta")),
    expect: {
      path: "service_settings.provider",
      message: 'provider "meta" does not support task type text_embedding',
      allowed: "amazontitan, cohere",
    },
  },
  {
    name: "amazonbedrock: top_k for a provider without it",
    request: with_("amazonbedrock", "completion", (r) => {
      r.service_settings.provider = "meta";
      r.task_settings = { top_k: 5 };
    }),
    expect: { path: "task_settings.top_k", message: 'is not available for provider "meta"' },
  },
  {
    name: "amazonbedrock: the secret key as a literal",
    request: with_("amazonbedrock", "completion", (r) => (r.service_settings.secret_key = "wJalrXUtnFEMI-CANARY")),
    expect: { path: "service_settings.secret_key", message: "is a literal secret" },
  },
  {
    name: "amazon_sagemaker: element_type for elastic embeddings",
    request: with_("amazon_sagemaker", "text_embedding", (r) => delete r.service_settings.element_type),
    expect: { path: "service_settings.element_type", message: 'is required when service_settings.api is "elastic"' },
  },
  {
    name: "amazon_sagemaker: task settings with api elastic",
    request: with_("amazon_sagemaker", "completion", (r) => (r.task_settings = { session_id: "s" })),
    expect: { path: "task_settings.session_id", message: "only at inference time" },
  },
  {
    name: "amazon_sagemaker: api enum",
    request: with_("amazon_sagemaker", "completion", (r) => (r.service_settings.api = "bedrock")),
    expect: {
      path: "service_settings.api",
      message: 'is not an accepted value: "bedrock"',
      allowed: "openai, elastic",
    },
  },
  // Anthropic, Azure AI Studio, Hugging Face
  {
    name: "anthropic: max_tokens is required",
    request: with_("anthropic", "completion", (r) => delete r.task_settings),
    expect: { path: "task_settings.max_tokens", message: "is required" },
  },
  {
    name: "anthropic: temperature must be a number",
    request: with_("anthropic", "completion", (r) => (r.task_settings.temperature = "hot")),
    expect: { path: "task_settings.temperature", message: 'must be a number, got string "hot"' },
  },
  {
    name: "azureaistudio: provider without embeddings",
    request: with_("azureaistudio", "text_embedding", (r) => (r.service_settings.provider = "databricks")),
    expect: {
      path: "service_settings.provider",
      message: 'provider "databricks" does not support task type text_embedding on azureaistudio',
      allowed: "cohere, openai",
    },
  },
  {
    name: "azureaistudio: endpoint_type enum",
    request: with_("azureaistudio", "completion", (r) => (r.service_settings.endpoint_type = "tokens")),
    expect: { path: "service_settings.endpoint_type", hint: 'did you mean "token"?' },
  },
  {
    name: "hugging_face: model_id is for chat models only",
    request: with_("hugging_face", "text_embedding", (r) => (r.service_settings.model_id = "m")),
    expect: {
      path: "service_settings.model_id",
      message: "applies only to hugging_face chat_completion, completion endpoints",
    },
  },
  // Google
  {
    name: "googlevertexai: Vertex AI needs a project",
    request: with_("googlevertexai", "text_embedding", (r) => delete r.service_settings.project_id),
    expect: { path: "service_settings.project_id", message: "is required for Vertex AI" },
  },
  {
    name: "googlevertexai: Model Garden needs a URL",
    request: with_("googlevertexai", "completion", (r) => (r.service_settings.provider = "anthropic")),
    expect: {
      path: "service_settings.url",
      message: 'is required (or streaming_url) for the Model Garden provider "anthropic"',
    },
  },
  {
    name: "googlevertexai: no URL for Vertex AI",
    request: with_("googlevertexai", "completion", (r) => (r.service_settings.url = "https://x")),
    expect: { path: "service_settings.url", message: "must not be set for Vertex AI" },
  },
  {
    name: "googlevertexai: a secret reference of the wrong shape",
    request: with_("googlevertexai", "rerank", (r) => (r.service_settings.service_account_json = { path: "sa.json" })),
    expect: { path: "service_settings.service_account_json", message: "must be a secret reference" },
  },
  // Custom
  {
    name: "custom: parameters shadow secret parameters",
    request: with_("custom", "completion", (r) => (r.task_settings = { parameters: { api_key: "x" } })),
    expect: {
      path: "task_settings.parameters.api_key",
      message: "has the same name as service_settings.secret_parameters.api_key",
    },
  },
  {
    name: "custom: rerank needs relevance_score",
    request: with_("custom", "rerank", (r) => (r.service_settings.response.json_parser = { reranked_index: "$.i" })),
    expect: { path: "service_settings.response.json_parser.relevance_score", message: "is required for rerank" },
  },
  {
    name: "custom: a completion path on an embedding endpoint",
    request: with_(
      "custom",
      "text_embedding",
      (r) => (r.service_settings.response.json_parser.completion_result = "$.x"),
    ),
    expect: {
      path: "service_settings.response.json_parser.completion_result",
      message: "is not a text_embedding response path",
    },
  },
  {
    name: "custom: secret parameter as literal",
    request: with_("custom", "completion", (r) => (r.service_settings.secret_parameters = { api_key: "literal" })),
    expect: { path: "service_settings.secret_parameters.api_key", message: "is a literal secret" },
  },
  // Others
  {
    name: "voyageai: api_key required by the server",
    request: with_("voyageai", "rerank", (r) => delete r.service_settings.api_key),
    expect: { path: "service_settings.api_key", message: "is required" },
  },
  {
    name: "mistral: model, not model_id",
    request: with_("mistral", "text_embedding", (r) => {
      r.service_settings.model_id = r.service_settings.model;
      delete r.service_settings.model;
    }),
    expect: { path: "service_settings.model_id", hint: 'did you mean "model"?' },
  },
  // AI21, DeepSeek, Groq: chat services with server-required keys and nothing else to set
  {
    name: "ai21: api_key is required by the server (the spec marks it optional)",
    request: with_("ai21", "chat_completion", (r) => delete r.service_settings.api_key),
    expect: { path: "service_settings.api_key", message: "is required", allowed: '{"env": "AI21_API_KEY"}' },
  },
  {
    name: "ai21: no chunking on a chat service",
    request: with_("ai21", "completion", (r) => (r.chunking_settings = { strategy: "sentence", max_chunk_size: 50 })),
    expect: {
      path: "chunking_settings",
      message: "is not accepted for ai21 completion endpoints",
      allowed: "no chunking on ai21",
    },
  },
  {
    name: "ai21: rate_limit must be an object",
    request: with_("ai21", "completion", (r) => (r.service_settings.rate_limit = 100)),
    expect: {
      path: "service_settings.rate_limit",
      message: "must be an object, got number 100",
      allowed: "an object with requests_per_minute",
    },
  },
  {
    name: "deepseek: url must not be empty",
    request: with_("deepseek", "chat_completion", (r) => (r.service_settings.url = "")),
    expect: { path: "service_settings.url", message: "must be a non-empty string" },
  },
  {
    name: "deepseek: no task settings at all",
    request: with_("deepseek", "completion", (r) => (r.task_settings = { temperature: 0.2 })),
    expect: {
      path: "task_settings.temperature",
      message: "is not a task setting of deepseek completion",
      allowed: "none",
    },
  },
  {
    name: "deepseek: no rate_limit (the server has none for deepseek)",
    request: with_("deepseek", "completion", (r) => (r.service_settings.rate_limit = { requests_per_minute: 10 })),
    expect: { path: "service_settings.rate_limit", message: "is not a service setting of deepseek completion" },
  },
  {
    name: "groq: api_key is required by the server (the spec marks it optional)",
    request: with_("groq", "chat_completion", (r) => delete r.service_settings.api_key),
    expect: { path: "service_settings.api_key", message: "is required" },
  },
  {
    name: "groq: needs 9.3",
    request: minimalRequest("groq", "chat_completion"),
    options: { esVersion: "9.2.1" },
    expect: { path: "service", message: "groq needs Elasticsearch 9.3.0 or later (target is 9.2.1)" },
  },
  {
    name: "groq: the api_key given as a literal in TypeScript-style validation",
    request: with_("groq", "completion", (r) => (r.service_settings.api_key = "gsk-literal")),
    expect: { path: "service_settings.api_key", message: "is a literal secret", allowed: '{"env": "GROQ_API_KEY"}' },
  },
  // AlibabaCloud AI Search
  {
    name: "alibabacloud-ai-search: input_type is ingest or search",
    request: with_("alibabacloud-ai-search", "text_embedding", (r) => (r.task_settings = { input_type: "query" })),
    expect: {
      path: "task_settings.input_type",
      message: 'is not an accepted value: "query"',
      allowed: "ingest, search",
    },
  },
  {
    name: "alibabacloud-ai-search: return_token is a sparse_embedding setting",
    request: with_("alibabacloud-ai-search", "text_embedding", (r) => (r.task_settings = { return_token: true })),
    expect: {
      path: "task_settings.return_token",
      message: "applies only to alibabacloud-ai-search sparse_embedding endpoints, not text_embedding",
    },
  },
  {
    name: "alibabacloud-ai-search: workspace is required",
    request: with_("alibabacloud-ai-search", "rerank", (r) => delete r.service_settings.workspace),
    expect: { path: "service_settings.workspace", message: "is required", allowed: "a non-empty string" },
  },
  // Anthropic, Azure AI Studio, Azure OpenAI (more)
  {
    name: "anthropic: top_k must be a positive integer",
    request: with_("anthropic", "chat_completion", (r) => (r.task_settings.top_k = 0)),
    expect: { path: "task_settings.top_k", message: "must be a positive integer, got 0" },
  },
  {
    name: "azureaistudio: temperature from 0.0 to 2.0",
    request: with_("azureaistudio", "completion", (r) => (r.task_settings = { temperature: 2.5 })),
    expect: { path: "task_settings.temperature", message: "must be between 0.0 and 2.0, got 2.5" },
  },
  {
    name: "azureaistudio: provider is required",
    request: with_("azureaistudio", "rerank", (r) => delete r.service_settings.provider),
    expect: {
      path: "service_settings.provider",
      message: "is required",
      allowed: "cohere, databricks, meta, microsoft_phi, mistral, openai",
    },
  },
  {
    name: "azureopenai: no credentials at all",
    request: with_("azureopenai", "completion", (r) => delete r.service_settings.api_key),
    expect: {
      path: "service_settings",
      message: "one of [api_key], [entra_id], [client_secret] is required",
      allowed: "exactly one of api_key, entra_id, client_secret",
    },
  },
  {
    name: "azureopenai: OAuth needs tenant_id",
    request: with_("azureopenai", "chat_completion", (r) => {
      delete r.service_settings.api_key;
      Object.assign(r.service_settings, { client_secret: { env: "S" }, client_id: "c", scopes: ["s"] });
    }),
    expect: {
      path: "service_settings.tenant_id",
      message: "is required when [client_id], [scopes], [client_secret] are set",
    },
  },
  {
    name: "azureopenai: client_secret is newer than the service",
    request: with_("azureopenai", "completion", (r) => {
      delete r.service_settings.api_key;
      Object.assign(r.service_settings, { client_secret: { env: "S" }, client_id: "c", scopes: ["s"], tenant_id: "t" });
    }),
    options: { esVersion: "9.0.0" },
    expect: {
      path: "service_settings.client_secret",
      message: `needs Elasticsearch ${fieldSince("azureopenai", "completion", "client_secret")} or later (target is 9.0.0)`,
    },
  },
  // Contextual AI
  {
    name: "contextualai: top_k must be a positive integer",
    request: with_("contextualai", "rerank", (r) => (r.task_settings = { top_k: -3 })),
    expect: { path: "task_settings.top_k", message: "must be a positive integer, got -3" },
  },
  {
    name: "contextualai: instruction is a string",
    request: with_("contextualai", "rerank", (r) => (r.task_settings = { instruction: ["be brief"] })),
    expect: {
      path: "task_settings.instruction",
      message: "must be a string, got an array",
      allowed: "a non-empty string",
    },
  },
  {
    name: "contextualai: model_id is required",
    request: with_("contextualai", "rerank", (r) => delete r.service_settings.model_id),
    expect: { path: "service_settings.model_id", message: "is required" },
  },
  // Elastic Inference Service
  {
    name: "elastic: max_batch_size is a sparse_embedding setting",
    request: with_("elastic", "text_embedding", (r) => (r.service_settings.max_batch_size = 8)),
    expect: {
      path: "service_settings.max_batch_size",
      message: "applies only to elastic sparse_embedding endpoints, not text_embedding",
    },
  },
  {
    name: "elastic: no task settings (the server refuses any)",
    request: with_("elastic", "rerank", (r) => (r.task_settings = { top_n: 3 })),
    expect: { path: "task_settings.top_n", message: "is not a task setting of elastic rerank", allowed: "none" },
  },
  {
    name: "elastic: embedding needs 9.4",
    request: minimalRequest("elastic", "embedding"),
    options: { esVersion: "9.3.2" },
    expect: { path: "task_type", message: "elastic embedding needs Elasticsearch 9.4.0 or later (target is 9.3.2)" },
  },
  // ELSER (more)
  {
    name: "elser: num_threads is a power of 2",
    request: with_("elser", "sparse_embedding", (r) => (r.service_settings.num_threads = 6)),
    expect: { path: "service_settings.num_threads", message: "must be a power of 2 no greater than 32 (got 6)" },
  },
  // Fireworks AI
  {
    name: "fireworksai: dimensions are for text_embedding only",
    request: with_("fireworksai", "completion", (r) => (r.service_settings.dimensions = 256)),
    expect: {
      path: "service_settings.dimensions",
      message: "applies only to fireworksai text_embedding endpoints, not completion",
    },
  },
  {
    name: "fireworksai: headers are strings",
    request: with_("fireworksai", "chat_completion", (r) => (r.task_settings = { headers: { "X-Retries": 3 } })),
    expect: { path: "task_settings.headers.X-Retries", message: "must be a string, got number 3" },
  },
  {
    name: "fireworksai: similarity enum",
    request: with_("fireworksai", "text_embedding", (r) => (r.service_settings.similarity = "dot")),
    expect: {
      path: "service_settings.similarity",
      message: 'is not an accepted value: "dot"',
      allowed: "cosine, dot_product, l2_norm",
    },
  },
  // Google AI Studio
  {
    name: "googleaistudio: dimensions must be positive",
    request: with_("googleaistudio", "text_embedding", (r) => (r.service_settings.dimensions = -1)),
    expect: { path: "service_settings.dimensions", message: "must be a positive integer, got -1" },
  },
  {
    name: "googleaistudio: no task settings",
    request: with_("googleaistudio", "completion", (r) => (r.task_settings = { temperature: 1 })),
    expect: { path: "task_settings.temperature", message: "is not a task setting of googleaistudio completion" },
  },
  {
    name: "googleaistudio: similarity is an embedding setting",
    request: with_("googleaistudio", "completion", (r) => (r.service_settings.similarity = "cosine")),
    expect: {
      path: "service_settings.similarity",
      message: "applies only to googleaistudio text_embedding endpoints, not completion",
    },
  },
  // Hugging Face (more)
  {
    name: "hugging_face: sparse_embedding does not chunk",
    request: with_("hugging_face", "sparse_embedding", (r) => (r.chunking_settings = { strategy: "none" })),
    expect: {
      path: "chunking_settings",
      message: "is not accepted for hugging_face sparse_embedding endpoints",
      allowed: "chunking on hugging_face text_embedding endpoints only",
    },
  },
  {
    name: "hugging_face: url is required",
    request: with_("hugging_face", "rerank", (r) => delete r.service_settings.url),
    expect: { path: "service_settings.url", message: "is required" },
  },
  // JinaAI
  {
    name: "jinaai: embedding_type has no int8",
    request: with_("jinaai", "text_embedding", (r) => (r.service_settings.embedding_type = "int8")),
    expect: {
      path: "service_settings.embedding_type",
      message: 'is not an accepted value: "int8"',
      allowed: "binary, bit, float",
    },
  },
  {
    name: "jinaai: multimodal_model is for the embedding task type",
    request: with_("jinaai", "text_embedding", (r) => (r.service_settings.multimodal_model = true)),
    expect: {
      path: "service_settings.multimodal_model",
      message: "applies only to jinaai embedding endpoints, not text_embedding",
    },
  },
  {
    name: "jinaai: late_chunking is a boolean",
    request: with_("jinaai", "embedding", (r) => (r.task_settings = { late_chunking: "yes" })),
    expect: {
      path: "task_settings.late_chunking",
      message: 'must be a boolean, got string "yes"',
      allowed: "true or false",
    },
  },
  // Llama
  {
    name: "llama: url is required",
    request: with_("llama", "completion", (r) => delete r.service_settings.url),
    expect: { path: "service_settings.url", message: "is required" },
  },
  {
    name: "llama: similarity enum",
    request: with_("llama", "text_embedding", (r) => (r.service_settings.similarity = "euclidean")),
    expect: { path: "service_settings.similarity", message: 'is not an accepted value: "euclidean"' },
  },
  {
    name: "llama: max_input_tokens is an embedding setting",
    request: with_("llama", "chat_completion", (r) => (r.service_settings.max_input_tokens = 512)),
    expect: {
      path: "service_settings.max_input_tokens",
      message: "applies only to llama text_embedding endpoints, not chat_completion",
    },
  },
  // Mistral (more)
  {
    name: "mistral: dimensions are for text_embedding only",
    request: with_("mistral", "chat_completion", (r) => (r.service_settings.dimensions = 1024)),
    expect: {
      path: "service_settings.dimensions",
      message: "applies only to mistral text_embedding endpoints, not chat_completion",
    },
  },
  {
    name: "mistral: max_input_tokens must be an integer",
    request: with_("mistral", "completion", (r) => (r.service_settings.max_input_tokens = 1.5)),
    expect: { path: "service_settings.max_input_tokens", message: "must be an integer" },
  },
  // Nvidia
  {
    name: "nvidia: input_type is ingest or search",
    request: with_("nvidia", "text_embedding", (r) => (r.task_settings = { input_type: "query" })),
    expect: {
      path: "task_settings.input_type",
      message: 'is not an accepted value: "query"',
      allowed: "ingest, search",
    },
  },
  {
    name: "nvidia: truncate is upper-case END, NONE or START",
    request: with_("nvidia", "text_embedding", (r) => (r.task_settings = { truncate: "middle" })),
    expect: {
      path: "task_settings.truncate",
      message: 'is not an accepted value: "middle"',
      allowed: "END, NONE, START",
    },
  },
  {
    name: "nvidia: rerank has no task settings",
    request: with_("nvidia", "rerank", (r) => (r.task_settings = { top_n: 3 })),
    expect: { path: "task_settings.top_n", message: "is not a task setting of nvidia rerank", allowed: "none" },
  },
  // OpenShift AI
  {
    name: "openshift_ai: url is required",
    request: with_("openshift_ai", "completion", (r) => delete r.service_settings.url),
    expect: { path: "service_settings.url", message: "is required" },
  },
  {
    name: "openshift_ai: top_n is a rerank setting",
    request: with_("openshift_ai", "chat_completion", (r) => (r.task_settings = { top_n: 3 })),
    expect: {
      path: "task_settings.top_n",
      message: "applies only to openshift_ai rerank endpoints, not chat_completion",
    },
  },
  {
    name: "openshift_ai: return_documents is a boolean",
    request: with_("openshift_ai", "rerank", (r) => (r.task_settings = { return_documents: 1 })),
    expect: { path: "task_settings.return_documents", message: "must be a boolean, got number 1" },
  },
  // TencentCloud AI Gateway (TencentCloud*ServiceSettings, TencentCloudRerankTaskSettings)
  {
    name: "tencentcloud: dimensions cannot be set (the request parser does not declare it)",
    request: with_("tencentcloud", "text_embedding", (r) => (r.service_settings.dimensions = 1024)),
    expect: { path: "service_settings.dimensions", message: "is not a service setting of tencentcloud text_embedding" },
  },
  {
    name: "tencentcloud: the URL is built from the region, not configurable",
    request: with_("tencentcloud", "completion", (r) => (r.service_settings.url = "https://gw.example/v1")),
    expect: { path: "service_settings.url", message: "is not a service setting of tencentcloud completion" },
  },
  {
    name: "tencentcloud: max_input_tokens is an embedding setting",
    request: with_("tencentcloud", "chat_completion", (r) => (r.service_settings.max_input_tokens = 512)),
    expect: {
      path: "service_settings.max_input_tokens",
      message: "applies only to tencentcloud text_embedding endpoints, not chat_completion",
    },
  },
  {
    name: "tencentcloud: rerank top_n must be positive",
    request: with_("tencentcloud", "rerank", (r) => (r.task_settings = { top_n: 0 })),
    expect: { path: "task_settings.top_n", message: "must be a positive integer, got 0" },
  },
  {
    name: "tencentcloud: the service is on Elasticsearch main only",
    request: minimalRequest("tencentcloud", "rerank"),
    options: { esVersion: "9.5.0" },
    expect: { path: "service", message: "tencentcloud needs Elasticsearch 9.6.0 or later (target is 9.5.0)" },
  },
  // VoyageAI (more)
  {
    name: "voyageai: embedding_type follows the server's list",
    request: with_("voyageai", "text_embedding", (r) => (r.service_settings.embedding_type = "double")),
    expect: {
      path: "service_settings.embedding_type",
      message: 'is not an accepted value: "double"',
      allowed: "float, int8, byte, bit, binary",
    },
  },
  {
    name: "voyageai: top_k is a rerank setting",
    request: with_("voyageai", "text_embedding", (r) => (r.task_settings = { top_k: 3 })),
    expect: { path: "task_settings.top_k", message: "applies only to voyageai rerank endpoints, not text_embedding" },
  },
  // Watsonx
  {
    name: "watsonxai: rerank top_n must be positive (server-only setting)",
    request: with_("watsonxai", "rerank", (r) => (r.task_settings = { top_n: 0 })),
    expect: { path: "task_settings.top_n", message: "must be a positive integer, got 0" },
  },
  {
    name: "watsonxai: api_version is required",
    request: with_("watsonxai", "chat_completion", (r) => delete r.service_settings.api_version),
    expect: { path: "service_settings.api_version", message: "is required" },
  },
  {
    name: "watsonxai: max_input_tokens is an embedding setting",
    request: with_("watsonxai", "completion", (r) => (r.service_settings.max_input_tokens = 512)),
    expect: {
      path: "service_settings.max_input_tokens",
      message: "applies only to watsonxai text_embedding endpoints, not completion",
    },
  },
  {
    name: "rate_limit must be positive",
    request: with_("jinaai", "rerank", (r) => (r.service_settings.rate_limit = { requests_per_minute: -1 })),
    expect: { path: "service_settings.rate_limit.requests_per_minute", message: "must be a positive integer, got -1" },
  },
  {
    name: "rate_limit unknown key",
    request: with_("jinaai", "rerank", (r) => (r.service_settings.rate_limit = { rpm: 5 })),
    expect: {
      path: "service_settings.rate_limit.rpm",
      message: "is not a service setting of jinaai rerank",
      allowed: "requests_per_minute",
    },
  },
  {
    name: "elastic: rate_limit is refused on create",
    request: with_("elastic", "chat_completion", (r) => (r.service_settings.rate_limit = { requests_per_minute: 5 })),
    expect: { path: "service_settings.rate_limit", message: "is not a service setting of elastic chat_completion" },
  },
];

// ---- the endpoint as a whole -----------------------------------------------------------------------------------
const endpoint: Case[] = [
  {
    name: "id: uppercase",
    request: with_("openai", "completion", (r) => (r.inference_id = "My-Endpoint")),
    expect: { path: "inference_id", message: "must be lowercase", hint: 'did you mean "my-endpoint"?' },
  },
  {
    name: "id: preconfigured ids cannot be declared",
    request: with_("openai", "completion", (r) => (r.inference_id = ".elser-2-elasticsearch")),
    expect: { path: "inference_id", message: "preconfigured endpoints" },
  },
  {
    name: "id: _all is reserved",
    request: with_("openai", "completion", (r) => (r.inference_id = "_all")),
    expect: { path: "inference_id", message: "reserved" },
  },
  {
    name: "id: must end alphanumeric",
    request: with_("openai", "completion", (r) => (r.inference_id = "abc-")),
    expect: { path: "inference_id", message: "must start and end with a letter or digit" },
  },
  {
    name: "id: must start alphanumeric",
    request: with_("openai", "completion", (r) => (r.inference_id = "_private")),
    expect: {
      path: "inference_id",
      message: "must start and end with a letter or digit",
      hint: 'did you mean "private"?',
    },
  },
  {
    name: "id: EIS-style preconfigured ids too",
    request: with_("elastic", "chat_completion", (r) => (r.inference_id = ".rainbow-sprinkles-elastic")),
    expect: { path: "inference_id", message: "cannot be declared", hint: 'did you mean "rainbow-sprinkles-elastic"?' },
  },
  {
    name: "id: not a string",
    request: with_("openai", "completion", (r) => (r.inference_id = 7)),
    expect: { endpoint: "endpoint", path: "inference_id", message: "must be a string, got number 7" },
  },
  {
    name: "id: missing",
    request: with_("openai", "completion", (r) => delete r.inference_id),
    expect: { endpoint: "endpoint", path: "inference_id", message: "is required" },
  },
  {
    name: "task_type: unknown",
    request: with_("openai", "completion", (r) => (r.task_type = "embeddings")),
    expect: { path: "task_type", hint: 'did you mean "embedding"?' },
  },
  {
    name: "task_type: missing",
    request: with_("openai", "completion", (r) => delete r.task_type),
    expect: { path: "task_type", message: "is required" },
  },
  {
    name: "service_settings: not an object",
    request: with_("openai", "completion", (r) => (r.service_settings = "x")),
    expect: { path: "service_settings", message: 'must be an object, got string "x"' },
  },
  {
    name: "task_settings: an array",
    request: with_("openai", "completion", (r) => (r.task_settings = [])),
    expect: { path: "task_settings", message: "must be an object, got an array" },
  },
  {
    name: "top level: unknown field",
    request: with_("openai", "completion", (r) => (r.chunking = {})),
    expect: { path: "chunking", message: "is not an endpoint field", hint: 'did you mean "chunking_settings"?' },
  },
  {
    name: "not an object at all",
    request: [] as unknown as Req,
    expect: {
      path: "",
      message: "must be an object with inference_id, task_type, service, service_settings, got an array",
    },
  },
];

// ---- every chunking rule ----------------------------------------------------------------------------------------
const chunk = (settings: unknown, service = "openai", task: TaskType = "text_embedding") =>
  with_(service, task, (r) => (r.chunking_settings = settings));
const chunking: Case[] = [
  {
    name: "chunking: not for completion endpoints",
    request: chunk({ strategy: "none" }, "openai", "completion"),
    expect: {
      path: "chunking_settings",
      message: "is not accepted for openai completion endpoints",
      allowed: "chunking on openai text_embedding, embedding endpoints only",
    },
  },
  {
    name: "chunking: not for rerank endpoints",
    request: chunk({ strategy: "none" }, "cohere", "rerank"),
    expect: { path: "chunking_settings", message: "is not accepted for cohere rerank endpoints" },
  },
  {
    name: "chunking: strategy required",
    request: chunk({ max_chunk_size: 100 }),
    expect: {
      path: "chunking_settings.strategy",
      message: "is required when chunking settings are given",
      allowed: "sentence, word, recursive, none",
    },
  },
  {
    name: "chunking: unknown strategy",
    request: chunk({ strategy: "sentance", max_chunk_size: 100 }),
    expect: { path: "chunking_settings.strategy", hint: 'did you mean "sentence"?' },
  },
  {
    name: "chunking: not an object",
    request: chunk("sentence"),
    expect: { path: "chunking_settings", message: "must be an object" },
  },
  {
    name: "sentence: max_chunk_size required",
    request: chunk({ strategy: "sentence" }),
    expect: { path: "chunking_settings.max_chunk_size", message: "is required" },
  },
  {
    name: "sentence: at least 20",
    request: chunk({ strategy: "sentence", max_chunk_size: 19 }),
    expect: { path: "chunking_settings.max_chunk_size", message: "must be at least 20, got 19" },
  },
  {
    name: "sentence: overlap 0 or 1",
    request: chunk({ strategy: "sentence", max_chunk_size: 100, sentence_overlap: 2 }),
    expect: { path: "chunking_settings.sentence_overlap", message: "must be either 0 or 1" },
  },
  {
    name: "sentence: word keys rejected",
    request: chunk({ strategy: "sentence", max_chunk_size: 100, overlap: 10 }),
    expect: {
      path: "chunking_settings.overlap",
      message: "is not a setting of the sentence strategy",
      allowed: "strategy, max_chunk_size, sentence_overlap",
    },
  },
  {
    name: "sentence: integer size",
    request: chunk({ strategy: "sentence", max_chunk_size: 100.5 }),
    expect: { path: "chunking_settings.max_chunk_size", message: "must be an integer" },
  },
  {
    name: "word: overlap required",
    request: chunk({ strategy: "word", max_chunk_size: 100 }),
    expect: { path: "chunking_settings.overlap", message: "is required" },
  },
  {
    name: "word: overlap positive",
    request: chunk({ strategy: "word", max_chunk_size: 100, overlap: 0 }),
    expect: { path: "chunking_settings.overlap", message: "must be a positive integer" },
  },
  {
    name: "word: overlap at most half",
    request: chunk({ strategy: "word", max_chunk_size: 100, overlap: 51 }),
    expect: { path: "chunking_settings.overlap", message: "must be at most half of max_chunk_size (50), got 51" },
  },
  {
    name: "word: at least 10",
    request: chunk({ strategy: "word", max_chunk_size: 9, overlap: 1 }),
    expect: { path: "chunking_settings.max_chunk_size", message: "must be at least 10, got 9" },
  },
  {
    name: "word: sentence keys rejected",
    request: chunk({ strategy: "word", max_chunk_size: 100, overlap: 10, sentence_overlap: 1 }),
    expect: { path: "chunking_settings.sentence_overlap", message: "is not a setting of the word strategy" },
  },
  {
    name: "recursive: separators or separator_group, not both",
    request: chunk({ strategy: "recursive", max_chunk_size: 100, separators: ["\n"], separator_group: "markdown" }),
    expect: { path: "chunking_settings.separators", message: "cannot be set together with separator_group" },
  },
  {
    name: "recursive: empty separators",
    request: chunk({ strategy: "recursive", max_chunk_size: 100, separators: [] }),
    expect: { path: "chunking_settings.separators", message: "must not be empty" },
  },
  {
    name: "recursive: separator_group enum",
    request: chunk({ strategy: "recursive", max_chunk_size: 100, separator_group: "html" }),
    expect: {
      path: "chunking_settings.separator_group",
      message: 'is not an accepted value: "html"',
      allowed: "plaintext, markdown",
    },
  },
  {
    name: "recursive: at least 10",
    request: chunk({ strategy: "recursive", max_chunk_size: 5 }),
    expect: { path: "chunking_settings.max_chunk_size", message: "must be at least 10" },
  },
  {
    name: "recursive: needs 8.19 or 9.1",
    request: chunk({ strategy: "recursive", max_chunk_size: 100 }),
    options: { esVersion: "9.0.3" },
    expect: {
      path: "chunking_settings.strategy",
      message: '"recursive" needs Elasticsearch 8.19.0 / 9.1.0 or later (target is 9.0.3)',
    },
  },
  {
    name: "none: needs 8.19 or 9.1",
    request: chunk({ strategy: "none" }),
    options: { esVersion: "8.18.2" },
    expect: { path: "chunking_settings.strategy", message: '"none" needs Elasticsearch' },
  },
  {
    name: "none: extra keys are refused (the server would drop them)",
    request: chunk({ strategy: "none", max_chunk_size: 100 }),
    expect: { path: "chunking_settings.max_chunk_size", message: "Elasticsearch would silently drop it" },
  },
  {
    name: "chunking: strategy names are case-sensitive",
    request: chunk({ strategy: "SENTENCE", max_chunk_size: 100 }),
    expect: {
      path: "chunking_settings.strategy",
      message: 'is not a chunking strategy: "SENTENCE"',
      hint: 'did you mean "sentence"?',
    },
  },
  {
    name: "chunking: not on a service without chunking",
    request: chunk({ strategy: "sentence", max_chunk_size: 100 }, "anthropic", "completion"),
    expect: {
      path: "chunking_settings",
      message: "is not accepted for anthropic completion endpoints",
      allowed: "no chunking on anthropic",
    },
  },
  {
    name: "sentence: max_chunk_size must be a number",
    request: chunk({ strategy: "sentence", max_chunk_size: "250" }),
    expect: { path: "chunking_settings.max_chunk_size", message: 'must be a number, got string "250"' },
  },
  {
    name: "word: max_chunk_size required",
    request: chunk({ strategy: "word", overlap: 10 }),
    expect: { path: "chunking_settings.max_chunk_size", message: "is required", allowed: "an integer of at least 10" },
  },
  {
    name: "recursive: max_chunk_size required",
    request: chunk({ strategy: "recursive", separator_group: "markdown" }),
    expect: { path: "chunking_settings.max_chunk_size", message: "is required", allowed: "an integer of at least 10" },
  },
  {
    name: "recursive: word keys rejected",
    request: chunk({ strategy: "recursive", max_chunk_size: 100, overlap: 10 }),
    expect: {
      path: "chunking_settings.overlap",
      message: "is not a setting of the recursive strategy",
      allowed: "strategy, max_chunk_size, separator_group, separators",
    },
  },
  {
    name: "recursive: separators are strings",
    request: chunk({ strategy: "recursive", max_chunk_size: 100, separators: ["\n\n", 7] }),
    expect: { path: "chunking_settings.separators.1", message: "must be a string, got number 7" },
  },
  {
    name: "cap: 300 before 9.2",
    request: chunk({ strategy: "sentence", max_chunk_size: 301 }),
    options: { esVersion: "9.1.4" },
    expect: {
      path: "chunking_settings.max_chunk_size",
      message: "must be at most 300 before Elasticsearch 9.2.0 (target is 9.1.4), got 301",
    },
  },
  {
    name: "cap: 300 before 9.2, word strategy too",
    request: chunk({ strategy: "word", max_chunk_size: 400, overlap: 100 }),
    options: { esVersion: "8.19.3" },
    expect: { path: "chunking_settings.max_chunk_size", message: "must be at most 300 before Elasticsearch 9.2.0" },
  },
  {
    name: "cap: 300 before 9.2, recursive strategy too",
    request: chunk({ strategy: "recursive", max_chunk_size: 512, separator_group: "plaintext" }),
    options: { esVersion: "9.1.0" },
    expect: { path: "chunking_settings.max_chunk_size", message: "must be at most 300 before Elasticsearch 9.2.0" },
  },
  {
    name: "cap: ELSER through the elasticsearch service",
    request: with_("elasticsearch", "sparse_embedding", (r) => {
      r.service_settings.model_id = ".elser_model_2_linux-x86_64";
      r.chunking_settings = { strategy: "word", max_chunk_size: 301, overlap: 10 };
    }),
    expect: { path: "chunking_settings.max_chunk_size", message: "for ELSER models" },
  },
];

// ---- version checks ---------------------------------------------------------------------------------------------
const versions: Case[] = [
  {
    name: "service newer than the target",
    request: minimalRequest("fireworksai", "completion"),
    options: { esVersion: "9.1.0" },
    expect: { path: "service", message: "fireworksai needs Elasticsearch 9.4.0 or later (target is 9.1.0)" },
  },
  {
    name: "task type newer than the service",
    request: minimalRequest("openai", "embedding"),
    options: { esVersion: "9.3.0" },
    expect: {
      path: "task_type",
      message: `openai embedding needs Elasticsearch ${formatSince(taskSince("openai", "embedding")!)} or later`,
    },
  },
  {
    name: "8.19 line lacks what 9.0 lacks too",
    request: minimalRequest("voyageai", "rerank"),
    options: { esVersion: "9.0.5" },
    expect: { path: "service", message: "voyageai needs Elasticsearch 8.19.0 / 9.1.0 or later" },
  },
  {
    name: "a field newer than the task type",
    request: with_("openai", "completion", (r) => {
      delete r.service_settings.api_key;
      Object.assign(r.service_settings, {
        client_secret: { env: "S" },
        client_id: "c",
        scopes: ["s"],
        token_url: "https://t",
      });
    }),
    options: { esVersion: "9.0.0" },
    expect: {
      path: "service_settings.client_id",
      message: `needs Elasticsearch ${fieldSince("openai", "completion", "client_id")} or later (target is 9.0.0)`,
    },
  },
];

const all = [...generic, ...specific, ...endpoint, ...chunking, ...versions];

test("at least three hand-written invalid cases per service, besides the generated ones", () => {
  const few = SERVICE_NAMES.map((service) => [
    service,
    specific.filter((c) => (c.request as Req).service === service || c.name.startsWith(`${service}:`)).length,
  ]).filter(([, n]) => (n as number) < 3);
  expect(few).toEqual([]);
});

test("every issue names its endpoint and path, says what is wrong and what is allowed", () => {
  // "allowed" may be implicit in a message that states the constraint itself ("must be at most 300 ...").
  const statesConstraint = /^(must|cannot|needs Elasticsearch|is not accepted|is declared twice)|needs Elasticsearch/;
  const vague = all.flatMap((c) =>
    validateRequest(c.request, c.options)
      .issues.filter(
        (i) =>
          !i.endpoint ||
          typeof i.path !== "string" ||
          !i.message ||
          !(i.allowed || i.hint || statesConstraint.test(i.message)),
      )
      .map((i) => `${c.name}: ${i.path}: ${i.message}`),
  );
  expect(vague).toEqual([]);
});

test.each(all.map((c) => [c.name, c] as const))("%s", (_name, c) => {
  const result = validateRequest(c.request, c.options);
  expect(result.endpoint).toBeUndefined();
  expect(result.issues).toContainEqual(matcher(c.expect));
});

test("every problem is reported at once, each with its endpoint", () => {
  const request = with_("openai", "text_embedding", (r) => {
    r.inference_id = "emb";
    r.service_settings.dimensions = "128";
    r.service_settings.similarity = "cos";
    r.service_settings.extra = 1;
    r.task_settings = { user: 5 };
    r.chunking_settings = { strategy: "word", max_chunk_size: 5 };
  });
  const { issues } = validateRequest(request);
  expect(issues.map((i) => i.path).sort()).toEqual(
    [
      "chunking_settings.max_chunk_size",
      "chunking_settings.overlap",
      "service_settings.dimensions",
      "service_settings.extra",
      "service_settings.similarity",
      "task_settings.user",
    ].sort(),
  );
  expect(new Set(issues.map((i) => i.endpoint))).toEqual(new Set(["emb"]));
});

test("chunking problems are reported together, the version cap included", () => {
  const { issues } = validateRequest(chunk({ strategy: "word", max_chunk_size: 400, overlap: 300 }), {
    esVersion: "9.1.0",
  });
  expect(issues.map((i) => [i.path, i.message])).toEqual([
    ["chunking_settings.overlap", "must be at most half of max_chunk_size (200), got 300"],
    ["chunking_settings.max_chunk_size", "must be at most 300 before Elasticsearch 9.2.0 (target is 9.1.0), got 400"],
  ]);
});

test("several endpoints: duplicates and positions", () => {
  const a = minimalRequest("cohere", "rerank");
  const broken = with_("cohere", "rerank", (r) => delete r.inference_id);
  const { endpoints, issues } = validateRequests([a, broken, a]);
  expect(endpoints).toEqual([]);
  expect(issues).toContainEqual(matcher({ endpoint: "endpoints[1]", path: "inference_id", message: "is required" }));
  expect(issues).toContainEqual(
    matcher({ endpoint: a.inference_id as string, message: "is declared twice (endpoints[0] and endpoints[2])" }),
  );
});

test("literal secrets are never echoed, in any message", () => {
  const canary = "sk-CANARY-do-not-print-0001";
  const requests = [
    with_("openai", "completion", (r) => (r.service_settings.api_key = canary)),
    with_("openai", "completion", (r) => (r.service_settings.api_key = { env: canary })),
    with_("custom", "completion", (r) => (r.service_settings.secret_parameters = { k: canary })),
    with_("openai", "completion", (r) => (r.service_settings.api_key = 12345)),
  ];
  for (const request of requests) {
    const result = validateRequest(request);
    expect(result.issues.length).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toContain(canary);
    expect(JSON.stringify(result)).not.toContain("12345");
  }
});

test("values the server accepts case-insensitively are folded, not reported", () => {
  const request = with_("cohere", "text_embedding", (r) => {
    r.task_type = " TEXT_EMBEDDING ";
    r.service_settings.similarity = "COSINE";
    r.task_settings = { truncate: "end", input_type: "Search" };
  });
  const { endpoint, issues } = validateRequest(request);
  expect(issues).toEqual([]);
  expect(endpoint).toMatchObject({
    task_type: "text_embedding",
    service_settings: { similarity: "cosine" },
    task_settings: { truncate: "END", input_type: "search" },
  });
});

test("every case names the specific message (or suggestion) it expects", () => {
  expect(all.filter((c) => !c.expect.message && !c.expect.hint).map((c) => c.name)).toEqual([]);
});

test("valid edges of the chunking and id rules", () => {
  const valid = [
    // The 300 cap was removed in 9.2 (PR #133718); without a target version only the permanent rules apply.
    { request: chunk({ strategy: "sentence", max_chunk_size: 301 }), options: { esVersion: "9.2.0" } },
    { request: chunk({ strategy: "word", max_chunk_size: 1000, overlap: 500 }), options: {} },
    // Bounds: sentence 20, word 10 with overlap max/2, sentence_overlap 0.
    { request: chunk({ strategy: "sentence", max_chunk_size: 20, sentence_overlap: 0 }), options: {} },
    { request: chunk({ strategy: "word", max_chunk_size: 10, overlap: 5 }), options: {} },
    // recursive without separators falls back to the plaintext group.
    { request: chunk({ strategy: "recursive", max_chunk_size: 10 }), options: { esVersion: "8.19.0" } },
    { request: chunk({ strategy: "none" }), options: { esVersion: "9.1.0" } },
    { request: chunk({ strategy: "sentence", max_chunk_size: 300 }, "elser", "sparse_embedding"), options: {} },
    // Dots are allowed inside ids (undocumented but in the server's pattern).
    { request: with_("openai", "completion", (r) => (r.inference_id = "team.openai.v2_chat-1")), options: {} },
  ];
  for (const { request, options } of valid)
    expect([request.chunking_settings ?? request.inference_id, validateRequest(request, options).issues]).toEqual([
      request.chunking_settings ?? request.inference_id,
      [],
    ]);
});

test("chunking {} means the server default and is valid", () => {
  const { endpoint, issues } = validateRequest(chunk({}));
  expect(issues).toEqual([]);
  expect(endpoint?.chunking_settings).toBeUndefined();
});

test("deprecations are warnings, not errors", () => {
  const { endpoint, warnings } = validateRequest(minimalRequest("elser", "sparse_embedding"));
  expect(endpoint).toBeDefined();
  expect(warnings).toContainEqual(matcher({ path: "service", message: "use the elasticsearch service" }));
});
