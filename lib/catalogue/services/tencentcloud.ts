/**
 * TencentCloud AI Gateway (elastic/elasticsearch #152829, "[Inference API] Add Tencent Cloud AI Service to Inference
 * API"): x-pack/plugin/inference/.../services/tencentcloud/ (TencentCloudService, TencentCloudCommonServiceSettings,
 * the per-task *ServiceSettings and *TaskSettings).
 *
 * Version: main. The pull request merged in July 2026 (review of 2026-07-17), after the 9.5 branch was cut; it is in
 * none of the released changelog bundles (docs/release-notes/changelog-bundles/9.5.0.yml to 9.5.5.yml list the PRs
 * around it, #152793 and #152835, but not #152829), and its changelog entry (docs/changelog/152829.yaml, "Add
 * Tencent Cloud inference service") and TransportVersion `ml_inference_tencentcloud_added` name no release. So it is
 * placed at `MAIN_VERSION` until a release ships it.
 */
import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { MAIN_VERSION } from "../version";

// Descriptions: TencentCloudService.Configuration (what `GET _inference/_services` shows).
const common = {
  model_id: field.text({
    description:
      "The name of the model to use for the inference task, e.g. bge-m3 (embeddings), deepseek-v3 (chat/completions), bge-reranker-v2-m3 (rerank). The gateway supports additional models; check the TencentCloud AI Gateway documentation for the full list.",
  }),
  // TencentCloudUtils.DEFAULT_REGION: a missing (or blank) region is stored as "bj".
  region: field
    .text({
      serverDefault: "bj",
      description:
        "The TencentCloud AI Gateway region, e.g. bj, sh, gz. The endpoint URL is constructed as https://{region}.aisearch.tencentelasticsearch.com/v1/<task-path>.",
    })
    .optional(),
  api_key: field.secret({
    description:
      "The TencentCloud AI Gateway API key. Contact the administrator to obtain a token in the format sk-<your-api-key>.",
  }),
};

// TencentCloudCommonServiceSettings.DEFAULT_RATE_LIMIT_SETTINGS (20) for embeddings and rerank;
// TencentCloudChatCompletionServiceSettings.DEFAULT_CHAT_COMPLETION_RATE_LIMIT (5) for completion and chat_completion.
const rateLimit20 = field.rateLimit(20).optional();
const rateLimit5 = field.rateLimit(5).optional();

const completionSettings = { ...common, rate_limit: rateLimit5 };

export const tencentcloud = defineService({
  name: "tencentcloud",
  displayName: "TencentCloud AI Gateway",
  since: MAIN_VERSION,
  notes: [
    "On Elasticsearch main only (#152829, merged July 2026, after the 9.5 branch); no release ships it yet.",
    "The request URL is not configurable: it is built from region (https://{region}.aisearch.tencentelasticsearch.com/v1/embeddings, chat/completions or rerank).",
    "service_settings go through a strict ObjectParser: an unknown key fails at once with [service_settings] unknown field [..].",
    "text_embedding: dimensions cannot be set on create (the request parser does not know it); the server stores the size the validation call detects, and similarity defaults to dot_product.",
  ],
  taskTypes: {
    text_embedding: task({
      serviceSettings: {
        ...common,
        similarity: field
          .similarity({ description: "For a text_embedding task, the similarity measure (default dot_product)." })
          .optional(),
        max_input_tokens: field
          .positiveInt({
            description: "For a text_embedding task, the maximum number of tokens per input before chunking occurs.",
          })
          .optional(),
        rate_limit: rateLimit20,
      },
      chunking: true,
      // TencentCloudEmbeddingsServiceSettings declares dimensions in its persistent parser only: GET returns it.
      readOnly: ["dimensions"],
    }),
    completion: task({ serviceSettings: completionSettings }),
    chat_completion: task({ serviceSettings: completionSettings }),
    rerank: task({
      serviceSettings: { ...common, rate_limit: rateLimit20 },
      taskSettings: {
        top_n: field
          .positiveInt({ description: "For a rerank task, the number of most relevant documents to return." })
          .optional(),
        return_documents: field
          .bool({ description: "For a rerank task, whether to return the source documents in the response." })
          .optional(),
      },
    }),
  },
});
