/**
 * Ported from elastic/elasticsearch
 * x-pack/plugin/inference/qa/inference-service-tests/src/javaRestTest/java/org/elasticsearch/xpack/inference/InferenceGetServicesIT.java
 * (the version whose lists match 9.1), against the emulator at 9.1.0. The upstream lists include the test
 * plugin's services (test_service, text_embedding_test_service, completion_test_service,
 * streaming_completion_test_service, test_reranking_service) and `elastic` (authorized by its mock EIS server):
 * the emulator has neither, so they are left out of the expected lists; its `sagemaker` is `amazon_sagemaker`.
 *
 * Skipped, and why:
 * - testGetServicesWithRerankTaskType, ...CompletionTaskType, ...ChatCompletionTaskType, ...SparseEmbeddingTaskType:
 *   that version's lists predate task types the services have in the catalogue (azureaistudio, hugging_face,
 *   watsonxai and amazon_sagemaker rerank; chat_completion of azureopenai, googlevertexai, mistral, watsonxai), so
 *   they match no release; the response shape and the task-type filter are checked below instead.
 */
import { errorOf, raw, useConformanceEmulator } from "./helpers";

describe("InferenceGetServicesIT", () => {
  const em = useConformanceEmulator({ esVersion: "9.1.0" });
  const services = async (path: string) => (await raw(em(), "GET", path)).json as any[];

  /** The upstream list without task type, less the test plugin's services and `elastic`. */
  const ALL = [
    "alibabacloud-ai-search",
    "amazonbedrock",
    "anthropic",
    "azureaistudio",
    "azureopenai",
    "cohere",
    "deepseek",
    "elasticsearch",
    "googleaistudio",
    "googlevertexai",
    "hugging_face",
    "jinaai",
    "mistral",
    "openai",
    "voyageai",
    "watsonxai",
    "amazon_sagemaker",
  ];

  it("InferenceGetServicesIT.testGetServicesWithoutTaskType", async () => {
    const all = await services("/_inference/_services");
    expect(all.map((s) => s.service).sort()).toEqual([...ALL].sort());
  });

  it("InferenceGetServicesIT.testGetServicesWithTextEmbeddingTaskType: all but anthropic and deepseek", async () => {
    const list = await services("/_inference/_services/text_embedding");
    expect(list.map((s) => s.service).sort()).toEqual(ALL.filter((s) => s !== "anthropic" && s !== "deepseek").sort());
  });

  it("each service is described as InferenceServiceConfiguration renders it", async () => {
    const openai = (await services("/_inference/_services/completion")).find((s) => s.service === "openai");
    expect(Object.keys(openai)).toEqual(["service", "name", "task_types", "configurations"]);
    expect(openai.name).toBe("OpenAI");
    expect(openai.task_types).toEqual(["chat_completion", "completion", "text_embedding"]);
    expect(openai.configurations.api_key).toMatchObject({
      label: "API Key",
      required: true,
      sensitive: true,
      updatable: true,
      type: "str",
      supported_task_types: ["chat_completion", "completion", "text_embedding"],
    });
    expect(openai.configurations.model_id).toMatchObject({ required: true, sensitive: false, updatable: false });
    expect(openai.configurations["rate_limit.requests_per_minute"]).toMatchObject({ type: "int", updatable: false });
    expect(openai.configurations.dimensions.supported_task_types).toEqual(["text_embedding"]);
    // From 9.5 _update applies rate_limit (#147465): the configuration says so.
  });

  it("a task type filters the services; an unknown one is the server's error", async () => {
    for (const s of await services("/_inference/_services/sparse_embedding"))
      expect(s.task_types).toContain("sparse_embedding");
    expect(errorOf(await raw(em(), "GET", "/_inference/_services/bad"))).toEqual({
      status: 400,
      type: "status_exception",
      reason: "Unknown task_type [bad]",
    });
  });
});

describe("InferenceGetServicesIT at main", () => {
  const em = useConformanceEmulator();

  it("updatable follows the registry: rate_limit of openai is updatable at main", async () => {
    const list = (await raw(em(), "GET", "/_inference/_services/completion")).json as any[];
    const openai = list.find((s) => s.service === "openai");
    expect(openai.configurations["rate_limit.requests_per_minute"].updatable).toBe(true);
    expect(openai.configurations.model_id.updatable).toBe(false);
    expect(list.map((s) => s.service)).not.toContain("custom");
  });

  it("tencentcloud (main only): TencentCloudService.Configuration's settings", async () => {
    const list = (await raw(em(), "GET", "/_inference/_services/rerank")).json as any[];
    const tencent = list.find((s) => s.service === "tencentcloud");
    expect(tencent.name).toBe("TencentCloud AI Gateway");
    expect([...tencent.task_types].sort()).toEqual(["chat_completion", "completion", "rerank", "text_embedding"]);
    expect(tencent.configurations.model_id).toMatchObject({ label: "Model ID", required: true, updatable: false });
    expect(tencent.configurations.region).toMatchObject({ label: "Region", required: false, updatable: false });
    expect(tencent.configurations.api_key).toMatchObject({ label: "API Key", required: true, sensitive: true });
    expect(tencent.configurations.region.description).toContain("https://{region}.aisearch.tencentelasticsearch.com");
  });
});

describe("InferenceGetServicesIT at 9.5.0", () => {
  const em = useConformanceEmulator({ esVersion: "9.5.0" });

  it("tencentcloud is not listed before it ships (#152829 is on main)", async () => {
    const list = (await raw(em(), "GET", "/_inference/_services")).json as any[];
    expect(list.map((s) => s.service)).not.toContain("tencentcloud");
  });
});
