import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { BEDROCK_PROVIDER_TASKS, bedrockTopK, bedrockTruncate, providerSupportsTask } from "../rules";

const common = {
  access_key: field.secret({
    description:
      "A valid AWS access key that has permissions to use Amazon Bedrock and access to models for inference requests.",
  }),
  model: field.text({ description: "The base model ID or an ARN to a custom model based on a foundational model." }),
  provider: field.oneOf(["amazontitan", "anthropic", "ai21labs", "cohere", "meta", "mistral"], {
    description: "The model provider for your deployment.",
  }),
  region: field.text({ description: "The region that your model or ARN is deployed in." }),
  secret_key: field.secret({ description: "A valid AWS secret key that is paired with the access_key." }),
};

const rateLimit240 = field.rateLimit(240).optional();

const chatCompletionTaskSettings = {
  max_new_tokens: field
    .positiveInt({
      serverDefault: "computed",
      description:
        "For chat_completion and completion tasks, it sets the maximum number for the output tokens to be generated.",
    })
    .optional(),
  temperature: field
    .number({
      description:
        "For chat_completion and completion tasks, it is a number between 0.0 and 1.0 that controls the apparent creativity of the results.",
    })
    .optional(),
  top_k: field
    .number({
      description:
        "For chat_completion and completion tasks, it limits samples to the top-K most likely words, balancing coherence and variability.",
    })
    .optional(),
  top_p: field
    .number({
      description:
        "For chat_completion and completion tasks, it is a number in the range of 0.0 to 1.0, to eliminate low-probability tokens.",
    })
    .optional(),
};

export const amazonbedrock = defineService({
  name: "amazonbedrock",
  displayName: "Amazon Bedrock",
  since: "8.12.0",
  notes: [
    "provider is required by the server (extractRequiredEnum) and echoed upper-case by GET.",
    "task_settings.top_k is only available for the anthropic, cohere and mistral providers.",
  ],
  taskTypes: {
    chat_completion: task({
      // #139411 (changelog 9.4.0: Add Chat Completion to Amazon Bedrock for the Inference API).
      since: "9.4.0",
      serviceSettings: {
        ...common,
        rate_limit: rateLimit240,
      },
      taskSettings: chatCompletionTaskSettings,
      rules: [providerSupportsTask("amazonbedrock", BEDROCK_PROVIDER_TASKS), bedrockTopK],
    }),
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit240,
      },
      taskSettings: chatCompletionTaskSettings,
      rules: [providerSupportsTask("amazonbedrock", BEDROCK_PROVIDER_TASKS), bedrockTopK],
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit240,
        similarity: field.similarity({ serverOnly: true }).optional(),
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      taskSettings: {
        // #126493 (8.19 / 9.1): Cohere's truncation through Bedrock, for the cohere provider only.
        truncate: field
          .oneOf(["END", "NONE", "START"], {
            since: ["8.19.0", "9.1.0"],
            serverOnly: true,
            description: "For the cohere provider, how to handle inputs longer than the maximum token length.",
          })
          .optional(),
      },
      chunking: true,
      rules: [providerSupportsTask("amazonbedrock", BEDROCK_PROVIDER_TASKS), bedrockTruncate],
    }),
  },
});
