/** The smallest valid request-shaped declaration for every service and task type, to mutate in tests. */
import { taskTypesOf, SERVICE_NAMES, type TaskType } from "../../lib/catalogue";

const key = (name: string) => ({ env: name });

const SETTINGS: Record<string, (taskType: TaskType) => Record<string, unknown>> = {
  ai21: () => ({ model_id: "jamba-large", api_key: key("AI21_KEY") }),
  "alibabacloud-ai-search": () => ({
    api_key: key("ALI_KEY"),
    host: "h.example",
    service_id: "ops-text-embedding-001",
    workspace: "default",
  }),
  amazonbedrock: (t) => ({
    access_key: key("AWS_AK"),
    secret_key: key("AWS_SK"),
    region: "us-east-1",
    provider: t === "text_embedding" ? "amazontitan" : "anthropic",
    model: "m",
  }),
  amazon_sagemaker: (t) => ({
    access_key: key("AWS_AK"),
    secret_key: key("AWS_SK"),
    region: "us-east-1",
    api: "elastic",
    endpoint_name: "e",
    ...(t === "text_embedding" ? { element_type: "float" } : {}),
  }),
  anthropic: () => ({ model_id: "claude", api_key: key("ANTHROPIC_KEY") }),
  azureaistudio: (t) => ({
    api_key: key("AZ_KEY"),
    target: "https://t.example",
    provider: t === "completion" ? "meta" : "cohere",
    endpoint_type: "token",
  }),
  azureopenai: () => ({ api_key: key("AZ_KEY"), resource_name: "r", deployment_id: "d", api_version: "2024-02-01" }),
  cohere: () => ({ api_key: key("COHERE_KEY"), model_id: "embed-v4.0" }),
  contextualai: () => ({ api_key: key("CTX_KEY"), model_id: "ctxl-rerank-v2" }),
  custom: (t) => ({
    secret_parameters: { api_key: key("CUSTOM_KEY") },
    request: '{"input": ${input}}',
    response: {
      json_parser: {
        text_embedding: { text_embeddings: "$.data[*].embedding[*]" },
        sparse_embedding: { token_path: "$.t", weight_path: "$.w" },
        rerank: { relevance_score: "$.results[*].score" },
        completion: { completion_result: "$.text" },
      }[t as string],
    },
  }),
  deepseek: () => ({ api_key: key("DS_KEY"), model_id: "deepseek-chat" }),
  elastic: () => ({ model_id: "rainbow-sprinkles" }),
  elasticsearch: (t) => ({
    model_id: t === "rerank" ? ".rerank-v1" : ".multilingual-e5-small",
    num_threads: 1,
    num_allocations: 1,
  }),
  elser: () => ({ num_threads: 1, num_allocations: 1 }),
  fireworksai: () => ({ api_key: key("FW_KEY"), model_id: "m" }),
  googleaistudio: () => ({ api_key: key("GAI_KEY"), model_id: "gemini" }),
  googlevertexai: () => ({ service_account_json: { file: "sa.json" }, model_id: "m", project_id: "p" }),
  groq: () => ({ api_key: key("GROQ_KEY"), model_id: "llama" }),
  hugging_face: () => ({ api_key: key("HF_KEY"), url: "https://hf.example" }),
  jinaai: () => ({ api_key: key("JINA_KEY"), model_id: "jina-embeddings-v3" }),
  llama: () => ({ url: "http://llama.example/v1/inference/embeddings", model_id: "all-MiniLM-L6-v2" }),
  mistral: () => ({ api_key: key("MISTRAL_KEY"), model: "mistral-embed" }),
  nvidia: () => ({ api_key: key("NV_KEY"), model_id: "m" }),
  openai: () => ({ api_key: key("OPENAI_KEY"), model_id: "text-embedding-3-small" }),
  openshift_ai: () => ({ api_key: key("OS_KEY"), url: "https://os.example" }),
  tencentcloud: (t) => ({
    api_key: key("TENCENT_KEY"),
    model_id: { text_embedding: "bge-m3", rerank: "bge-reranker-v2-m3" }[t as string] ?? "deepseek-v3",
  }),
  voyageai: () => ({ api_key: key("VOYAGE_KEY"), model_id: "voyage-3" }),
  watsonxai: () => ({
    api_key: key("WX_KEY"),
    url: "https://wx.example",
    model_id: "m",
    project_id: "p",
    api_version: "2024-03-14",
  }),
};

const TASK_SETTINGS: Record<string, Record<string, unknown>> = {
  anthropic: { max_tokens: 256 },
};

export function minimalRequest(service: string, taskType: TaskType): Record<string, unknown> {
  return {
    inference_id: `${service.replace(/[^a-z0-9]/g, "-")}-${taskType.replace(/_/g, "-")}`,
    task_type: taskType,
    service,
    service_settings: SETTINGS[service]!(taskType),
    ...(TASK_SETTINGS[service] ? { task_settings: TASK_SETTINGS[service] } : {}),
  };
}

/** Every (service, task type) pair of the catalogue. */
export const ALL_PAIRS: Array<[string, TaskType]> = SERVICE_NAMES.flatMap((s) =>
  taskTypesOf(s).map((t) => [s, t] as [string, TaskType]),
);

export const hasMinimal = (service: string) => service in SETTINGS;
