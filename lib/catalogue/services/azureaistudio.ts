import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { AZURE_AI_STUDIO_PROVIDER_TASKS, providerSupportsTask } from "../rules";

const common = {
  api_key: field.secret({ description: "A valid API key of your Azure AI Studio model deployment." }),
  endpoint_type: field.oneOf(["token", "realtime"], {
    description: "The type of endpoint that is available for deployment through Azure AI Studio: token or realtime.",
  }),
  target: field.text({ description: "The target URL of your Azure AI Studio model deployment." }),
  provider: field.oneOf(["cohere", "databricks", "meta", "microsoft_phi", "mistral", "openai"], {
    description: "The model provider for your deployment.",
  }),
};

const rateLimit240 = field.rateLimit(240).optional();

const completionTaskSettings = {
  do_sample: field
    .number({ description: "For a completion task, instruct the inference process to perform sampling." })
    .optional(),
  max_new_tokens: field
    .positiveInt({
      serverDefault: "computed",
      description: "For a completion task, provide a hint for the maximum number of output tokens to be generated.",
    })
    .optional(),
  // services.json documents both as floats from 0.0 to 2.0 (its `range`).
  temperature: field
    .numberInRange(0, 2, {
      description:
        "For a completion task, control the apparent creativity of generated completions with a sampling temperature.",
    })
    .optional(),
  top_p: field
    .numberInRange(0, 2, {
      description:
        "For a completion task, make the model consider the results of the tokens with nucleus sampling probability.",
    })
    .optional(),
};

const rerankTaskSettings = {
  return_documents: field.bool({ description: "For a rerank task, return doc text within the results." }).optional(),
  top_n: field
    .positiveInt({ description: "For a rerank task, the number of most relevant documents to return." })
    .optional(),
};

const textEmbeddingTaskSettings = {
  user: field.text({ description: "For a text_embedding task, specify the user issuing the request." }).optional(),
};

export const azureaistudio = defineService({
  name: "azureaistudio",
  displayName: "Azure AI Studio",
  since: "8.14.0",
  taskTypes: {
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit240,
      },
      taskSettings: completionTaskSettings,
      rules: [providerSupportsTask("azureaistudio", AZURE_AI_STUDIO_PROVIDER_TASKS)],
    }),
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit240,
      },
      taskSettings: rerankTaskSettings,
      rules: [providerSupportsTask("azureaistudio", AZURE_AI_STUDIO_PROVIDER_TASKS)],
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit240,
        dimensions: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        similarity: field.similarity({ serverOnly: true }).optional(),
      },
      taskSettings: textEmbeddingTaskSettings,
      chunking: true,
      rules: [providerSupportsTask("azureaistudio", AZURE_AI_STUDIO_PROVIDER_TASKS)],
    }),
  },
});
