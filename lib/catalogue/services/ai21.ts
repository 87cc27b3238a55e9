import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
  api_key: field.secret({ description: "A valid API key for accessing AI21 API." }),
};

const rateLimit200 = field.rateLimit(200).optional();

export const ai21 = defineService({
  name: "ai21",
  displayName: "AI21",
  since: "9.2.0",
  notes: ["The specification marks api_key optional; the server requires it (DefaultSecretSettings)."],
  taskTypes: {
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit200,
      },
    }),
    chat_completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit200,
      },
    }),
  },
});
