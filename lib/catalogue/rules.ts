/**
 * Cross-field rules of particular services, as their server code enforces them. Each returns the problems it
 * finds; the validator reports them together with everything else.
 */
import { rule, type Rule, type RuleIssue } from "./service-spec";
import type { TaskType } from "./task-types";

const present = (v: unknown) => v !== undefined && v !== null;

/** Which task types each Amazon Bedrock provider serves (server: AmazonBedrockProviderCapabilities). */
export const BEDROCK_PROVIDER_TASKS: Readonly<Record<string, readonly TaskType[]>> = {
  amazontitan: ["text_embedding", "completion", "chat_completion"],
  anthropic: ["completion", "chat_completion"],
  ai21labs: ["completion", "chat_completion"],
  cohere: ["text_embedding", "completion", "chat_completion"],
  meta: ["completion", "chat_completion"],
  mistral: ["completion", "chat_completion"],
};

/** An Amazon Bedrock task setting only some providers take (compared case-insensitively, as the server does). */
function bedrockProvidersOnly(setting: string, providers: readonly string[]): Rule {
  const names = providers.length > 1 ? `${providers.slice(0, -1).join(", ")} and ${providers.at(-1)}` : providers[0];
  return rule(
    `task_settings.${setting} is only available for the ${names} provider${providers.length > 1 ? "s" : ""}`,
    (input) => {
      const provider = input.service_settings.provider;
      return input.task_settings[setting] !== undefined &&
        typeof provider === "string" &&
        !providers.includes(provider.toLowerCase())
        ? [
            {
              path: `task_settings.${setting}`,
              message: `is not available for provider "${provider}"`,
              allowed: `provider${providers.length > 1 ? "s" : ""} ${providers.join(", ")}`,
            },
          ]
        : [];
    },
  );
}

/** Amazon Bedrock providers whose completion models take `top_k`. */
export const BEDROCK_TOP_K_PROVIDERS: readonly string[] = ["anthropic", "cohere", "mistral"];

export const bedrockTopK: Rule = bedrockProvidersOnly("top_k", BEDROCK_TOP_K_PROVIDERS);

/** Amazon Bedrock: `task_settings.truncate` only for the cohere provider (AmazonBedrockService.checkTaskSettingsForTextEmbeddingModel). */
export const bedrockTruncate: Rule = bedrockProvidersOnly("truncate", ["cohere"]);

/** Which task types each Azure AI Studio provider serves. */
export const AZURE_AI_STUDIO_PROVIDER_TASKS: Readonly<Record<string, readonly TaskType[]>> = {
  cohere: ["text_embedding", "rerank", "completion"],
  databricks: ["completion"],
  meta: ["completion"],
  microsoft_phi: ["completion"],
  mistral: ["completion"],
  openai: ["text_embedding", "completion"],
};

/** `service_settings.provider` must serve the endpoint's task type. */
export function providerSupportsTask(service: string, table: Readonly<Record<string, readonly TaskType[]>>): Rule {
  return rule(`the ${service} provider must support the task type`, (input) => {
    const taskType = input.task_type;
    const provider = input.service_settings.provider;
    if (typeof provider !== "string" || !Object.hasOwn(table, provider)) return [];
    const tasks = table[provider]!;
    if (tasks.includes(taskType)) return [];
    const providers = Object.keys(table).filter((p) => table[p]!.includes(taskType));
    return [
      {
        path: "service_settings.provider",
        message: `provider "${provider}" does not support task type ${taskType} on ${service}`,
        allowed: providers.join(", "),
      },
    ];
  });
}

/** `field` is required in `scope` when `service_settings[when]` equals `value`. */
export function requiredWhen(
  scope: "service_settings" | "task_settings",
  field: string,
  when: string,
  value: string,
): Rule {
  return rule(`${field} is required when ${when} is "${value}"`, (input) =>
    input.service_settings[when] === value && !present(input[scope][field])
      ? [{ path: `${scope}.${field}`, message: `is required when service_settings.${when} is "${value}"` }]
      : [],
  );
}

/** No task settings may be declared when `service_settings[when]` equals `value`. */
export function noTaskSettingsWhen(when: string, value: string): Rule {
  return rule(`task_settings must be empty when ${when} is "${value}"`, (input) =>
    input.service_settings[when] === value
      ? Object.keys(input.task_settings).map((k) => ({
          path: `task_settings.${k}`,
          message: `is not accepted when the endpoint is created with service_settings.${when} "${value}" (only at inference time)`,
        }))
      : [],
  );
}

/** Custom service: a task `parameters` key must not shadow a `secret_parameters` key. */
export const customParametersDistinctFromSecrets: Rule = rule(
  "task_settings.parameters keys must differ from service_settings.secret_parameters keys",
  (input) => {
    const params = input.task_settings.parameters;
    const secrets = input.service_settings.secret_parameters;
    if (!params || typeof params !== "object" || !secrets || typeof secrets !== "object") return [];
    return Object.keys(params)
      .filter((k) => Object.hasOwn(secrets, k))
      .map((k) => ({
        path: `task_settings.parameters.${k}`,
        message: `has the same name as service_settings.secret_parameters.${k}`,
        allowed: "a name not used in secret_parameters",
      }));
  },
);

/** Custom service: which `response.json_parser` paths each task type needs. */
export const CUSTOM_JSON_PARSER_KEYS: Readonly<
  Partial<Record<TaskType, { required: readonly string[]; optional: readonly string[] }>>
> = {
  text_embedding: { required: ["text_embeddings"], optional: ["embedding_type"] },
  sparse_embedding: { required: ["token_path", "weight_path"], optional: [] },
  rerank: { required: ["relevance_score"], optional: ["reranked_index", "document_text"] },
  completion: { required: ["completion_result"], optional: [] },
};

export const customJsonParserKeys: Rule = rule(
  "service_settings.response.json_parser must hold the paths the task type needs",
  (input) => {
    const taskType = input.task_type;
    const response = input.service_settings.response as { json_parser?: Record<string, unknown> } | undefined;
    const parser = response?.json_parser;
    const keys = Object.hasOwn(CUSTOM_JSON_PARSER_KEYS, taskType) ? CUSTOM_JSON_PARSER_KEYS[taskType] : undefined;
    if (!parser || typeof parser !== "object" || !keys) return [];
    const allowed = [...keys.required, ...keys.optional];
    return [
      ...keys.required
        .filter((k) => !present(parser[k]))
        .map((k) => ({ path: `service_settings.response.json_parser.${k}`, message: `is required for ${taskType}` })),
      ...Object.keys(parser)
        .filter((k) => !allowed.includes(k))
        .map((k) => ({
          path: `service_settings.response.json_parser.${k}`,
          message: `is not a ${taskType} response path`,
          allowed: allowed.join(", "),
        })),
    ];
  },
);

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/**
 * In-cluster models (`elasticsearch`, `elser`): a model (or an existing deployment), threads per allocation, and
 * either a fixed number of allocations or adaptive allocations, not both.
 */
export function inClusterDeployment(modelRequired: boolean): Rule {
  return rule(
    "an in-cluster deployment needs a model, num_threads and num_allocations or adaptive_allocations",
    (input) => {
      const ss = input.service_settings;
      const issues: RuleIssue[] = [];
      const usesDeployment = present(ss.deployment_id);
      const adaptive = ss.adaptive_allocations as
        { enabled?: boolean; min_number_of_allocations?: number; max_number_of_allocations?: number } | undefined;
      if (modelRequired && !usesDeployment && !present(ss.model_id))
        issues.push({
          path: "service_settings.model_id",
          message: "is required unless deployment_id names an existing deployment",
          allowed:
            "a built-in model such as .elser_model_2, .multilingual-e5-small or .rerank-v1, or an Eland-uploaded model id",
        });
      if (!usesDeployment && !present(ss.num_threads))
        issues.push({
          path: "service_settings.num_threads",
          message: "is required unless deployment_id names an existing deployment",
          allowed: "a power of 2 from 1 to 32",
        });
      if (typeof ss.num_threads === "number" && (!isPowerOfTwo(ss.num_threads) || ss.num_threads > 32))
        issues.push({
          path: "service_settings.num_threads",
          message: `must be a power of 2 no greater than 32 (got ${ss.num_threads})`,
          allowed: "1, 2, 4, 8, 16, 32",
        });
      if (adaptive?.enabled === true && present(ss.num_allocations))
        issues.push({
          path: "service_settings.num_allocations",
          message: "cannot be set when adaptive_allocations is enabled",
          allowed: "num_allocations or adaptive_allocations.enabled: true, not both",
        });
      if (!usesDeployment && !present(ss.num_allocations) && adaptive?.enabled !== true)
        issues.push({
          path: "service_settings",
          message: "needs num_allocations or adaptive_allocations with enabled: true",
          allowed: "num_allocations (a positive integer) or adaptive_allocations: { enabled: true, ... }",
        });
      if (
        adaptive &&
        typeof adaptive.min_number_of_allocations === "number" &&
        typeof adaptive.max_number_of_allocations === "number" &&
        adaptive.max_number_of_allocations < adaptive.min_number_of_allocations
      )
        issues.push({
          path: "service_settings.adaptive_allocations.max_number_of_allocations",
          message: `must be at least min_number_of_allocations (${adaptive.min_number_of_allocations})`,
        });
      return issues;
    },
  );
}

/**
 * Google Vertex AI: without a provider (or with `google`) the endpoint calls Vertex AI and needs `model_id` and
 * `project_id` (rerank: `project_id`), with no `url`/`streaming_url`; any other provider calls Model Garden and
 * needs `url` or `streaming_url`.
 */
export const vertexProviderRules: Rule = rule(
  "Vertex AI endpoints need model_id and project_id; Model Garden endpoints need url or streaming_url",
  (input) => {
    const taskType = input.task_type;
    const ss = input.service_settings;
    const provider = ss.provider;
    const modelGarden = typeof provider === "string" && provider !== "google";
    if (modelGarden) {
      return present(ss.url) || present(ss.streaming_url)
        ? []
        : [
            {
              path: "service_settings.url",
              message: `is required (or streaming_url) for the Model Garden provider "${provider}"`,
            },
          ];
    }
    const issues: RuleIssue[] = [];
    if (!present(ss.project_id))
      issues.push({
        path: "service_settings.project_id",
        message: "is required for Vertex AI (no provider, or provider google)",
      });
    if (taskType !== "rerank" && !present(ss.model_id))
      issues.push({
        path: "service_settings.model_id",
        message: "is required for Vertex AI (no provider, or provider google)",
      });
    for (const k of ["url", "streaming_url"]) {
      if (present(ss[k]))
        issues.push({
          path: `service_settings.${k}`,
          message: "must not be set for Vertex AI (no provider, or provider google); set provider to use Model Garden",
        });
    }
    return issues;
  },
);
