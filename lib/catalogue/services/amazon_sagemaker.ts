import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { noTaskSettingsWhen, requiredWhen } from "../rules";

const common = {
  access_key: field.secret({
    description:
      "A valid AWS access key that has permissions to use Amazon SageMaker and access to models for invoking requests.",
  }),
  endpoint_name: field.text({ description: "The name of the SageMaker endpoint." }),
  api: field.oneOf(["openai", "elastic"], { description: "The API format to use when calling SageMaker." }),
  region: field.text({ description: "The region that your endpoint or Amazon Resource Name (ARN) is deployed in." }),
  secret_key: field.secret({ description: "A valid AWS secret key that is paired with the access_key." }),
  target_model: field.text({ description: "The model ID when calling a multi-model endpoint." }).optional(),
  target_container_hostname: field
    .text({ description: "The container to directly invoke when calling a multi-container endpoint." })
    .optional(),
  inference_component_name: field
    .text({ description: "The inference component to directly invoke when calling a multi-component endpoint." })
    .optional(),
  batch_size: field
    .positiveInt({ serverDefault: "computed", description: "The maximum number of inputs in each batch." })
    .optional(),
};

const textEmbeddingTaskSettings = {
  custom_attributes: field
    .text({
      description: "The AWS custom attributes passed verbatim through to the model running in the SageMaker Endpoint.",
    })
    .optional(),
  enable_explanations: field
    .text({
      description:
        "The optional JMESPath expression used to override the EnableExplanations provided during endpoint creation.",
    })
    .optional(),
  inference_id: field.text({ description: "The capture data ID when enabled in the endpoint." }).optional(),
  session_id: field.text({ description: "The stateful session identifier for a new or existing session." }).optional(),
  target_variant: field
    .text({ description: "Specifies the variant when running with multi-variant Endpoints." })
    .optional(),
  user: field.text().optional(),
};

export const amazonSagemaker = defineService({
  name: "amazon_sagemaker",
  displayName: "Amazon SageMaker",
  since: "9.1.0",
  notes: [
    'With api "elastic", task settings are accepted at inference time only, not when creating the endpoint.',
    'The specification also requires similarity for api "elastic" text embeddings; its own example omits it, so esinfer leaves it optional.',
  ],
  taskTypes: {
    text_embedding: task({
      serviceSettings: {
        ...common,
        similarity: field
          .similarity({ description: "Required when api is elastic and task type is text_embedding." })
          .optional(),
        element_type: field
          .oneOf(["byte", "float", "bit"], {
            serverDefault: "computed",
            description: "Required when api is elastic and task type is text_embedding.",
          })
          .optional(),
        dimensions: field
          .positiveInt({
            serverDefault: "computed",
            description: "The number of dimensions returned by the text embedding models.",
          })
          .optional(),
      },
      taskSettings: textEmbeddingTaskSettings,
      chunking: true,
      rules: [noTaskSettingsWhen("api", "elastic"), requiredWhen("service_settings", "element_type", "api", "elastic")],
    }),
    completion: task({
      serviceSettings: common,
      taskSettings: textEmbeddingTaskSettings,
      rules: [noTaskSettingsWhen("api", "elastic")],
    }),
    chat_completion: task({
      serviceSettings: common,
      taskSettings: textEmbeddingTaskSettings,
      rules: [noTaskSettingsWhen("api", "elastic")],
    }),
    sparse_embedding: task({
      serviceSettings: common,
      taskSettings: textEmbeddingTaskSettings,
      chunking: true,
      rules: [noTaskSettingsWhen("api", "elastic")],
    }),
    rerank: task({
      serviceSettings: common,
      taskSettings: textEmbeddingTaskSettings,
      rules: [noTaskSettingsWhen("api", "elastic")],
    }),
  },
});
