import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key for your Nvidia endpoint." }),
  url: field.text({ serverDefault: "computed", description: "The URL of the Nvidia model endpoint." }).optional(),
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
};

const rateLimit3000 = field.rateLimit(3000).optional();

const textEmbeddingTaskSettings = {
  input_type: field
    .oneOf(["ingest", "search"], {
      description: "For a text_embedding task, type of input sent to the Nvidia endpoint.",
    })
    .optional(),
  truncate: field
    .oneOf(["END", "NONE", "START"], {
      description:
        "For a text_embedding task, the method used by the Nvidia model to handle inputs longer than the maximum token length.",
    })
    .optional(),
};

export const nvidia = defineService({
  name: "nvidia",
  displayName: "Nvidia",
  since: "9.3.0",
  taskTypes: {
    chat_completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
      },
    }),
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
      },
    }),
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
      },
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        max_input_tokens: field
          .positiveInt({
            serverDefault: "computed",
            description: "For a text_embedding task, the maximum number of tokens per input.",
          })
          .optional(),
        similarity: field.similarity({ description: "For a text_embedding task, the similarity measure." }).optional(),
        rate_limit: rateLimit3000,
      },
      taskSettings: textEmbeddingTaskSettings,
      chunking: true,
    }),
  },
});
