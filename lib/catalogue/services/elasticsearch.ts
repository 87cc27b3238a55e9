import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { inClusterDeployment } from "../rules";

const common = {
  adaptive_allocations: field
    .object(
      {
        enabled: field.bool({ description: "Turn on adaptive_allocations." }).optional(),
        max_number_of_allocations: field
          .positiveInt({ description: "The maximum number of allocations to scale to." })
          .optional(),
        min_number_of_allocations: field
          .nonNegativeInt({ description: "The minimum number of allocations to scale to." })
          .optional(),
      },
      {
        // The server renders the deployment's allocation settings (elasticsearch-inference-api.md §2).
        serverDefault: "computed",
        description: "Adaptive allocations configuration details.",
      },
    )
    .optional(),
  deployment_id: field
    .text({ serverDefault: "computed", description: "The deployment identifier for a trained model deployment." })
    .optional(),
  model_id: field
    .text({ serverDefault: "computed", description: "The name of the model to use for the inference task." })
    .optional(),
  num_allocations: field
    .positiveInt({
      // Filled in from the deployment when adaptive allocations are used (§2), so an undeclared value is not drift.
      serverDefault: "computed",
      description: "The total number of allocations that are assigned to the model across machine learning nodes.",
    })
    .optional(),
  num_threads: field
    .positiveInt({
      serverDefault: "computed",
      description: "The number of threads used by each model allocation during inference.",
    })
    .optional(),
};

const rerankTaskSettings = {
  return_documents: field
    .bool({ description: "For a rerank task, return the document instead of only the index." })
    .optional(),
};

export const elasticsearch = defineService({
  name: "elasticsearch",
  displayName: "Elasticsearch",
  since: "8.13.0",
  notes: [
    "model_id and num_threads may be left out when deployment_id names an existing deployment.",
    "Set num_allocations or adaptive_allocations (enabled), not both.",
  ],
  taskTypes: {
    rerank: task({
      serviceSettings: {
        ...common,
        long_document_strategy: field
          .oneOf(["truncate", "chunk"], {
            description: "Available only for the rerank task type using the Elastic reranker model.",
          })
          .optional(),
        max_chunks_per_doc: field.positiveInt({ description: "Only for the rerank task type." }).optional(),
      },
      taskSettings: rerankTaskSettings,
      rules: [inClusterDeployment(true)],
    }),
    sparse_embedding: task({
      serviceSettings: common,
      chunking: true,
      rules: [inClusterDeployment(true)],
    }),
    text_embedding: task({
      serviceSettings: common,
      chunking: true,
      rules: [inClusterDeployment(true)],
    }),
  },
});
