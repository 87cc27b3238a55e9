import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key for your OpenShift AI endpoint." }),
  url: field.text({ description: "The URL of the OpenShift AI hosted model endpoint." }),
  model_id: field.text({ description: "The name of the model to use for the inference task." }).optional(),
};

const rateLimit3000 = field.rateLimit(3000).optional();

const rerankTaskSettings = {
  return_documents: field
    .bool({ description: "For a rerank task, whether to return the source documents in the response." })
    .optional(),
  top_n: field
    .positiveInt({ description: "For a rerank task, the number of most relevant documents to return." })
    .optional(),
};

export const openshiftAi = defineService({
  name: "openshift_ai",
  displayName: "OpenShift AI",
  since: "9.3.0",
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
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit3000,
      },
      taskSettings: rerankTaskSettings,
    }),
  },
});
