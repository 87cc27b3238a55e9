import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { CHAT_COMPLETION_SINCE } from "../task-types";

const common = {
  api_key: field.secret({ description: "A valid access token for your HuggingFace account." }),
  url: field.text({ description: "The URL endpoint to use for the requests." }),
};

const rateLimit3000 = field.rateLimit(3000).optional();

const rerankTaskSettings = {
  return_documents: field.bool({ description: "For a rerank task, return doc text within the results." }).optional(),
  top_n: field
    .positiveInt({ description: "For a rerank task, the number of most relevant documents to return." })
    .optional(),
};

export const huggingFace = defineService({
  name: "hugging_face",
  displayName: "Hugging Face",
  since: "8.12.0",
  notes: ["sparse_embedding is a legacy task type the server still accepts (the specification leaves it out)."],
  taskTypes: {
    chat_completion: task({
      since: CHAT_COMPLETION_SINCE,
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
        model_id: field
          .text({ description: "The name of the HuggingFace model to use for the inference task." })
          .optional(),
      },
    }),
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
        model_id: field
          .text({ description: "The name of the HuggingFace model to use for the inference task." })
          .optional(),
      },
    }),
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
      },
      taskSettings: rerankTaskSettings,
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
        similarity: field.similarity({ serverOnly: true }).optional(),
        dimensions: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      chunking: true,
    }),
    sparse_embedding: task({
      serverOnly: true,
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
      },
    }),
  },
});
