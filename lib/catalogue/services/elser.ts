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
  num_allocations: field
    .positiveInt({
      // Filled in from the deployment when adaptive allocations are used (§2), so an undeclared value is not drift.
      serverDefault: "computed",
      description: "The total number of allocations this model is assigned across machine learning nodes.",
    })
    .optional(),
  num_threads: field.positiveInt({
    description: "The number of threads used by each model allocation during inference.",
  }),
};

export const elser = defineService({
  name: "elser",
  displayName: "ELSER",
  since: "8.11.0",
  deprecated: "Deprecated since 8.16.0: use the elasticsearch service with a model_id.",
  notes: ["Deprecated alias of the elasticsearch service."],
  taskTypes: {
    sparse_embedding: task({
      serviceSettings: {
        ...common,
        model_id: field.text({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      chunking: true,
      rules: [inClusterDeployment(false)],
    }),
  },
});
