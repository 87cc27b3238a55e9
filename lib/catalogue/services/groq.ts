import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
  api_key: field.secret({ description: "A valid API key for accessing Groq API." }),
  // GroqChatCompletionServiceSettings reads organization_id (updatable through _update, #146981).
  organization_id: field.text({ serverOnly: true, description: "The Groq organization to bill." }).optional(),
};

const rateLimit1000 = field.rateLimit(1000).optional();

export const groq = defineService({
  name: "groq",
  displayName: "Groq",
  since: "9.3.0",
  notes: [
    "The specification lists only chat_completion and marks api_key optional; the server also takes completion and requires api_key.",
  ],
  taskTypes: {
    chat_completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit1000,
      },
    }),
    completion: task({
      serverOnly: true,
      serviceSettings: {
        ...common,
        rate_limit: rateLimit1000,
      },
    }),
  },
});
