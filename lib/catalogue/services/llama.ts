import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  url: field.text({ description: "The URL endpoint of the Llama stack endpoint." }),
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
};

const rateLimit3000 = field.rateLimit(3000).optional();

export const llama = defineService({
  name: "llama",
  displayName: "Llama",
  since: "9.2.0",
  taskTypes: {
    text_embedding: task({
      serviceSettings: {
        ...common,
        max_input_tokens: field
          .positiveInt({
            serverDefault: "computed",
            description: "For a text_embedding task, the maximum number of tokens per input before chunking occurs.",
          })
          .optional(),
        similarity: field.similarity({ description: "For a text_embedding task, the similarity measure." }).optional(),
        rate_limit: rateLimit3000,
        dimensions: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      chunking: true,
    }),
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
      },
    }),
    chat_completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
      },
    }),
  },
});
