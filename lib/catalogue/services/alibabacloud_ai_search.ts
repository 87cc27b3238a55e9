import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key for the AlibabaCloud AI Search API." }),
  host: field.text({ description: "The name of the host address used for the inference task." }),
  // AlibabaCloudSearchServiceSettings.HTTP_SCHEMA_NAME; updatable through _update (#142738).
  http_schema: field
    .oneOf(["https", "http"], { serverOnly: true, description: "The scheme of the host address (https by default)." })
    .optional(),
  service_id: field.text({ description: "The name of the model service to use for the inference task." }),
  workspace: field.text({ description: "The name of the workspace used for the inference task." }),
};

const rateLimit1000 = field.rateLimit(1000).optional();

const sparseEmbeddingTaskSettings = {
  input_type: field
    .oneOf(["ingest", "search"], {
      description: "For a sparse_embedding or text_embedding task, specify the type of input passed to the model.",
    })
    .optional(),
  return_token: field
    .bool({
      description: "For a sparse_embedding task, it affects whether the token name will be returned in the response.",
    })
    .optional(),
};

const textEmbeddingTaskSettings = {
  input_type: field
    .oneOf(["ingest", "search"], {
      description: "For a sparse_embedding or text_embedding task, specify the type of input passed to the model.",
    })
    .optional(),
};

export const alibabacloudAiSearch = defineService({
  name: "alibabacloud-ai-search",
  displayName: "AlibabaCloud AI Search",
  since: "8.16.0",
  taskTypes: {
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit1000,
      },
    }),
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit1000,
      },
    }),
    sparse_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit1000,
      },
      taskSettings: sparseEmbeddingTaskSettings,
      chunking: true,
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit1000,
        // AlibabaCloudSearchEmbeddingsServiceSettings: max_input_tokens (updatable through _update, #142738).
        max_input_tokens: field.positiveInt({ serverOnly: true }).optional(),
      },
      taskSettings: textEmbeddingTaskSettings,
      chunking: true,
    }),
  },
});
