import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key for your Fireworks AI account." }),
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
  url: field.text({ serverDefault: "computed", description: "The URL endpoint to use for the requests." }).optional(),
};

const rateLimit6000 = field.rateLimit(6000).optional();

const chatCompletionTaskSettings = {
  user: field
    .text({ description: "For a completion orchat_completion task, specify the user issuing the request." })
    .optional(),
  headers: field.stringMap({ description: "For a completion orchat_completion task." }).optional(),
};

export const fireworksai = defineService({
  name: "fireworksai",
  displayName: "Fireworks AI",
  since: "9.4.0",
  taskTypes: {
    chat_completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit6000,
      },
      taskSettings: chatCompletionTaskSettings,
    }),
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit6000,
      },
      taskSettings: chatCompletionTaskSettings,
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        dimensions: field
          .positiveInt({
            serverDefault: "computed",
            description:
              "For a text_embedding task, the number of dimensions the resulting output embeddings should have.",
          })
          .optional(),
        similarity: field.similarity({ description: "For a text_embedding task, the similarity measure." }).optional(),
        rate_limit: rateLimit6000,
      },
      chunking: true,
    }),
  },
});
