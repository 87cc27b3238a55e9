import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
  api_key: field.secret({ serverOnly: true }),
};

const rateLimit2000 = field.rateLimit(2000).optional();

const textEmbeddingTaskSettings = {
  input_type: field.oneOf(["ingest", "search"], { description: "Type of the input text." }).optional(),
  truncation: field
    .bool({ description: "Whether to truncate the input texts to fit within the context length." })
    .optional(),
};

const rerankTaskSettings = {
  return_documents: field.bool({ description: "Whether to return the source documents in the response." }).optional(),
  top_k: field.positiveInt({ description: "The number of most relevant documents to return." }).optional(),
  truncation: field
    .bool({ description: "Whether to truncate the input texts to fit within the context length." })
    .optional(),
};

export const voyageai = defineService({
  name: "voyageai",
  displayName: "VoyageAI",
  since: ["8.19.0", "9.1.0"],
  notes: ["The specification leaves api_key out; the server requires it."],
  taskTypes: {
    text_embedding: task({
      serviceSettings: {
        ...common,
        dimensions: field
          .positiveInt({
            serverDefault: "computed",
            description: "The number of dimensions for resulting output embeddings.",
          })
          .optional(),
        rate_limit: rateLimit2000,
        embedding_type: field
          .oneOf(["float", "int8", "byte", "bit", "binary"], {
            serverDefault: "computed",
            description: "The data type for the embeddings to be returned.",
          })
          .optional(),
        similarity: field.similarity({ serverOnly: true }).optional(),
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      taskSettings: textEmbeddingTaskSettings,
      chunking: true,
    }),
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit2000,
      },
      taskSettings: rerankTaskSettings,
    }),
  },
});
