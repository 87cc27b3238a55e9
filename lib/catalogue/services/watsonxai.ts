import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { CHAT_COMPLETION_SINCE } from "../task-types";

const common = {
  api_key: field.secret({ description: "A valid API key of your Watsonx account." }),
  api_version: field.text({
    description: "A version parameter that takes a version date in the format of YYYY-MM-DD.",
  }),
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
  project_id: field.text({ description: "The identifier of the IBM Cloud project to use for the inference task." }),
  url: field.text({ description: "The URL of the inference endpoint that you created on Watsonx." }),
};

const rateLimit120 = field.rateLimit(120).optional();

const rerankTaskSettings = {
  truncate_input_tokens: field.positiveInt({ serverOnly: true }).optional(),
  return_documents: field.bool({ serverOnly: true }).optional(),
  top_n: field.positiveInt({ serverOnly: true }).optional(),
};

export const watsonxai = defineService({
  name: "watsonxai",
  displayName: "Watsonx",
  since: "8.16.0",
  notes: [
    "The server accepts rerank task settings (truncate_input_tokens, return_documents, top_n) that the specification leaves out.",
  ],
  taskTypes: {
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit120,
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      chunking: true,
    }),
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit120,
      },
      taskSettings: rerankTaskSettings,
    }),
    chat_completion: task({
      since: CHAT_COMPLETION_SINCE,
      serviceSettings: {
        ...common,
        rate_limit: rateLimit120,
      },
    }),
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit120,
      },
    }),
  },
});
