import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key for your Cohere account." }),
  model_id: field.text({
    description:
      "For a completion, rerank, or text_embedding task, the name of the model to use for the inference task.",
  }),
  url: field.text({ serverOnly: true }).optional(),
  model: field.text({ serverOnly: true, deprecated: "use model_id" }).optional(),
};

const rateLimit10000 = field.rateLimit(10000).optional();

const rerankTaskSettings = {
  return_documents: field.bool({ description: "For a rerank task, return doc text within the results." }).optional(),
  top_n: field
    .positiveInt({ description: "For a rerank task, the number of most relevant documents to return." })
    .optional(),
};

const textEmbeddingTaskSettings = {
  input_type: field
    .oneOf(["classification", "clustering", "ingest", "search"], {
      description: "For a text_embedding task, the type of input passed to the model.",
    })
    .optional(),
  truncate: field
    .oneOf(["END", "NONE", "START"], {
      description: "For a text_embedding task, the method to handle inputs longer than the maximum token length.",
    })
    .optional(),
};

export const cohere = defineService({
  name: "cohere",
  displayName: "Cohere",
  since: "8.13.0",
  notes: ["task_settings.input_type is optional on the server although the specification marks it required."],
  taskTypes: {
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit10000,
      },
    }),
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit10000,
      },
      taskSettings: rerankTaskSettings,
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        embedding_type: field
          .oneOf(["binary", "bit", "byte", "float", "int8"], {
            serverDefault: "computed",
            description: "For a text_embedding task, the types of embeddings you want to get back.",
          })
          .optional(),
        rate_limit: rateLimit10000,
        similarity: field.similarity({ description: "The similarity measure." }).optional(),
        dimensions: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      taskSettings: textEmbeddingTaskSettings,
      chunking: true,
    }),
  },
});
