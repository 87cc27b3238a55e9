import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key of your JinaAI account." }),
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
};

const rateLimit2000 = field.rateLimit(2000).optional();

const embeddingTaskSettings = {
  input_type: field
    .oneOf(["classification", "clustering", "ingest", "search"], {
      description: "For an embedding or text_embedding task, the task passed to the model.",
    })
    .optional(),
  late_chunking: field
    .bool({ description: "For an embedding or text_embedding task, controls when text is split into chunks." })
    .optional(),
};

const rerankTaskSettings = {
  return_documents: field
    .bool({ description: "For a rerank task, return the doc text within the results." })
    .optional(),
  top_n: field
    .positiveInt({ description: "For a rerank task, the number of most relevant documents to return." })
    .optional(),
};

export const jinaai = defineService({
  name: "jinaai",
  displayName: "JinaAI",
  since: "8.18.0",
  taskTypes: {
    embedding: task({
      since: "9.4.0",
      serviceSettings: {
        ...common,
        rate_limit: rateLimit2000,
        similarity: field
          .similarity({ description: "For an embedding or text_embedding task, the similarity measure." })
          .optional(),
        dimensions: field
          .positiveInt({
            serverDefault: "computed",
            description:
              "For an embedding or text_embedding task, the number of dimensions the resulting output embeddings should have.",
          })
          .optional(),
        embedding_type: field
          .oneOf(["binary", "bit", "float"], {
            serverDefault: "computed",
            description: "For an embedding or text_embedding task, the data type returned by the model.",
          })
          .optional(),
        // Defaults to true (services.json); "computed" so an undeclared live value is never reported as drift.
        multimodal_model: field
          .bool({
            serverDefault: "computed",
            description: "For the embedding task, whether the model supports multimodal inputs (default true).",
          })
          .optional(),
      },
      taskSettings: embeddingTaskSettings,
      chunking: true,
    }),
    rerank: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit2000,
      },
      taskSettings: rerankTaskSettings,
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit2000,
        similarity: field
          .similarity({ description: "For an embedding or text_embedding task, the similarity measure." })
          .optional(),
        dimensions: field
          .positiveInt({
            serverDefault: "computed",
            description:
              "For an embedding or text_embedding task, the number of dimensions the resulting output embeddings should have.",
          })
          .optional(),
        embedding_type: field
          .oneOf(["binary", "bit", "float"], {
            serverDefault: "computed",
            description: "For an embedding or text_embedding task, the data type returned by the model.",
          })
          .optional(),
      },
      taskSettings: embeddingTaskSettings,
      chunking: true,
    }),
  },
});
