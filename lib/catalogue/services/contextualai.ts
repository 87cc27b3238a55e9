import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key for your Contexutual AI account." }),
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
};

const rateLimit1000 = field.rateLimit(1000).optional();

const rerankTaskSettings = {
  instruction: field.text({ description: "Instructions for the reranking model." }).optional(),
  top_k: field.positiveInt({ description: "The number of most relevant documents to return." }).optional(),
};

export const contextualai = defineService({
  name: "contextualai",
  displayName: "Contextual AI",
  since: "9.2.0",
  taskTypes: {
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit1000,
      },
      taskSettings: rerankTaskSettings,
    }),
  },
});
