import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key of your Google Gemini account." }),
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
};

const rateLimit360 = field.rateLimit(360).optional();

export const googleaistudio = defineService({
  name: "googleaistudio",
  displayName: "Google AI Studio",
  since: "8.15.0",
  taskTypes: {
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit360,
      },
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit360,
        dimensions: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        similarity: field.similarity({ serverOnly: true }).optional(),
      },
      chunking: true,
    }),
  },
});
