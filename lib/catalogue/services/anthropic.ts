import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key for the Anthropic API." }),
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
};

const rateLimit50 = field.rateLimit(50).optional();

const completionTaskSettings = {
  max_tokens: field.positiveInt({
    description:
      "For a completion or chat_completion task, it is the maximum number of tokens to generate before stopping.",
  }),
  temperature: field
    .number({
      description:
        "For a completion or chat_completion task, it is the amount of randomness injected into the response.",
    })
    .optional(),
  top_k: field
    .positiveInt({
      description:
        "For a completion or chat_completion task, it specifies to only sample from the top K options for each subsequent token.",
    })
    .optional(),
  top_p: field
    .number({
      description: "For a completion or chat_completion task, it specifies to use Anthropic's nucleus sampling.",
    })
    .optional(),
};

export const anthropic = defineService({
  name: "anthropic",
  displayName: "Anthropic",
  since: "8.16.0",
  notes: [
    "task_settings.max_tokens is required when the endpoint is created.",
    "chat_completion is served through the streaming _stream API only.",
  ],
  taskTypes: {
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit50,
      },
      taskSettings: completionTaskSettings,
    }),
    chat_completion: task({
      // #148539 (changelog 9.5.0: Add chat_completion task type to the Anthropic inference service).
      since: "9.5.0",
      serviceSettings: {
        ...common,
        rate_limit: rateLimit50,
      },
      taskSettings: completionTaskSettings,
    }),
  },
});
