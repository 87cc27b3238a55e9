import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { CHAT_COMPLETION_SINCE } from "../task-types";

const common = {
  api_key: field.secret({ description: "A valid API key of your Mistral account." }),
  max_input_tokens: field
    .positiveInt({ description: "The maximum number of tokens per input before chunking occurs." })
    .optional(),
  model: field.text({ description: "The name of the model to use for the inference task." }),
};

const rateLimit240 = field.rateLimit(240).optional();

export const mistral = defineService({
  name: "mistral",
  displayName: "Mistral",
  since: "8.15.0",
  taskTypes: {
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit240,
        dimensions: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        similarity: field.similarity({ serverOnly: true }).optional(),
      },
      chunking: true,
    }),
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit240,
      },
    }),
    chat_completion: task({
      since: CHAT_COMPLETION_SINCE,
      serviceSettings: {
        ...common,
        rate_limit: rateLimit240,
      },
    }),
  },
});
