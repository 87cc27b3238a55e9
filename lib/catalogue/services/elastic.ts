import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
};

export const elastic = defineService({
  name: "elastic",
  displayName: "Elastic Inference Service (EIS)",
  since: "8.18.0",
  notes: [
    "Elastic Inference Service: available only where EIS authorizes it (Elastic Cloud, serverless, Cloud Connected Mode).",
    "Recent servers reject rate_limit on create; GET still renders it.",
  ],
  taskTypes: {
    sparse_embedding: task({
      since: "8.19.0",
      serviceSettings: {
        ...common,
        max_input_tokens: field.positiveInt({ serverOnly: true }).optional(),
        max_batch_size: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      chunking: true,
      readOnly: ["rate_limit"],
    }),
    text_embedding: task({
      since: "9.2.0",
      serviceSettings: {
        ...common,
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        similarity: field.similarity({ serverOnly: true }).optional(),
        dimensions: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      chunking: true,
      readOnly: ["rate_limit"],
    }),
    embedding: task({
      since: "9.4.0",
      serviceSettings: {
        ...common,
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        similarity: field.similarity({ serverOnly: true }).optional(),
        dimensions: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      chunking: true,
      readOnly: ["rate_limit"],
    }),
    rerank: task({
      since: "9.2.0",
      serviceSettings: common,
      readOnly: ["rate_limit"],
    }),
    completion: task({
      since: "9.2.0",
      serviceSettings: common,
      readOnly: ["rate_limit"],
    }),
    chat_completion: task({
      serviceSettings: common,
      readOnly: ["rate_limit"],
    }),
  },
});
