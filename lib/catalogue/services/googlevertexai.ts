import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { CHAT_COMPLETION_SINCE } from "../task-types";
import { vertexProviderRules } from "../rules";

const common = {
  location: field
    .text({
      description: "The name of the location to use for the inference task for the Google Vertex AI inference task.",
    })
    .optional(),
  model_id: field.text({ description: "The name of the model to use for the inference task." }).optional(),
  project_id: field
    .text({ description: "The name of the project to use for the Google Vertex AI inference task." })
    .optional(),
  service_account_json: field.secret({
    description: "A valid service account in JSON format for the Google Vertex AI API.",
  }),
};

const rateLimit30000 = field.rateLimit(30000).optional();

const rerankTaskSettings = {
  top_n: field
    .positiveInt({ description: "For a rerank task, the number of the top N documents that should be returned." })
    .optional(),
};

const textEmbeddingTaskSettings = {
  // GoogleVertexAiEmbeddingsTaskSettings.INPUT_TYPE (GoogleVertexAiService.VALID_INPUT_TYPE_VALUES).
  input_type: field
    .oneOf(["classification", "clustering", "ingest", "search"], {
      serverOnly: true,
      description: "For a text_embedding task, the type of input passed to the model.",
    })
    .optional(),
  auto_truncate: field
    .bool({
      description: "For a text_embedding task, truncate inputs longer than the maximum token length automatically.",
    })
    .optional(),
};

const completionTaskSettings = {
  thinking_config: field
    .object(
      {
        thinking_budget: field
          .positiveInt({ description: "Indicates the desired thinking budget in tokens." })
          .optional(),
      },
      {
        description:
          "For a completion or chat_completion task, allows configuration of the thinking features for the model.",
      },
    )
    .optional(),
  max_tokens: field
    .positiveInt({
      description:
        "For completion and chat_completion tasks, specifies the max_tokens value for requests sent to the Google Model Garden anthropic provider.",
    })
    .optional(),
};

export const googlevertexai = defineService({
  name: "googlevertexai",
  displayName: "Google Vertex AI",
  since: "8.15.0",
  notes: [
    "Without provider (or with provider google) the endpoint calls Vertex AI: model_id and project_id are needed, url and streaming_url must not be set. With another provider it calls Model Garden: url or streaming_url is needed.",
  ],
  taskTypes: {
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit30000,
      },
      taskSettings: rerankTaskSettings,
      rules: [vertexProviderRules],
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit30000,
        dimensions: field
          .positiveInt({
            serverDefault: "computed",
            description:
              "For a text_embedding task, the number of dimensions the resulting output embeddings should have.",
          })
          .optional(),
        max_batch_size: field
          .positiveInt({
            // #138047 (9.3).
            since: "9.3.0",
            serverDefault: "computed",
            description: "Only applicable for the text_embedding task type.",
          })
          .optional(),
      },
      taskSettings: textEmbeddingTaskSettings,
      chunking: true,
      rules: [vertexProviderRules],
    }),
    completion: task({
      serviceSettings: {
        ...common,
        provider: field
          .oneOf(["google", "anthropic", "meta", "hugging_face", "mistral", "ai21"], {
            description: "The name of the Google Model Garden Provider for completion and chat_completion tasks.",
          })
          .optional(),
        url: field
          .text({
            description: "The URL for non-streaming completion requests to a Google Model Garden provider endpoint.",
          })
          .optional(),
        streaming_url: field
          .text({
            description:
              "The URL for streaming completion and chat_completion requests to a Google Model Garden provider endpoint.",
          })
          .optional(),
        rate_limit: rateLimit30000,
      },
      taskSettings: completionTaskSettings,
      rules: [vertexProviderRules],
    }),
    chat_completion: task({
      since: CHAT_COMPLETION_SINCE,
      serviceSettings: {
        ...common,
        provider: field
          .oneOf(["google", "anthropic", "meta", "hugging_face", "mistral", "ai21"], {
            description: "The name of the Google Model Garden Provider for completion and chat_completion tasks.",
          })
          .optional(),
        url: field
          .text({
            description: "The URL for non-streaming completion requests to a Google Model Garden provider endpoint.",
          })
          .optional(),
        streaming_url: field
          .text({
            description:
              "The URL for streaming completion and chat_completion requests to a Google Model Garden provider endpoint.",
          })
          .optional(),
        rate_limit: rateLimit30000,
      },
      taskSettings: completionTaskSettings,
      rules: [vertexProviderRules],
    }),
  },
});
