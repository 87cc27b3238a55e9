/**
 * The services' `parseRequestConfig` tests, over `PUT _inference`: every service's
 * `<Service>Tests.testParseRequestConfig_*` family (x-pack/plugin/inference/src/test/java/.../services/<service>/),
 * which on main became the parameterized AbstractParseRequestConfigTests (`<Service>ParseRequestConfigTests`), run
 * against every service and task type the version has, then the service-specific cases.
 *
 * Per service, at 8.18.0, 9.2.0 and main (the unknown-settings wording changed on main):
 * - testParseRequestConfig_CreatesA…Model ("minimal … request config returns model"): every task type;
 * - testParseRequestConfig_ThrowsWhenAnExtraKeyExistsInConfig / …InServiceSettingsMap / …InTaskSettingsMap;
 * - testParseRequestConfig_ThrowsUnsupportedModelType ("throws exception for unsupported task type");
 * - "throws when an extra key exists in rate limit settings" (main; before, the unknown-settings error).
 *
 * Skipped: …InSecretSettingsMap (over REST the secrets are in service_settings: the same request as
 * …InServiceSettingsMap); the unsupported task type `any` of the main parameterized test (not reachable over REST:
 * `PUT _inference/{id}` resolves the task type from the body or fails before the service); services whose task
 * settings go through an XContent parser on main (`usesParserForTaskSettings`, "unknown field [extra_key]"): an
 * unreleased refactor whose services the index does not list; "all settings" cases (the catalogue-wide field
 * checks of test/conformance/registry.test.ts and test/emulator cover every field); the model-object assertions
 * (`assertModel`, instanceOf): a REST client sees the stored endpoint, compared here where the server echoes it.
 *
 * Services whose request parser for service_settings is a strict ObjectParser (the registry's
 * `settings.service_settings_object_parser`: tencentcloud) refuse an extra service setting with the parser's
 * "unknown field" (AbstractParseRequestConfigTests.assertParserExtraValueException); their rate-limit case is skipped,
 * as the wording of the nested `rate_limit` parser on main (RateLimitSettings.createParser) is not in the reference
 * material.
 */
import { behaviorValue, MAIN_VERSION, taskTypeExists, type TaskType } from "../../lib/catalogue";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { taskFields } from "../../lib/emulator/schema";
import { availableFields } from "../../lib/emulator/settings-parse";
import { behaviorFor } from "../../lib/emulator/versions";
import { ELAND_MODEL, requestFor } from "../emulator/helpers";
import { errorOf, pairsAt, raw } from "./helpers";

const VERSIONS = ["8.18.0", "9.2.0", MAIN_VERSION];

/** The upstream test class of each service (the `elser` alias is parsed by the elasticsearch service). */
const TEST_CLASS: Readonly<Record<string, string>> = {
  ai21: "Ai21ServiceTests",
  "alibabacloud-ai-search": "AlibabaCloudSearchServiceTests",
  amazon_sagemaker: "SageMakerServiceTests",
  amazonbedrock: "AmazonBedrockServiceTests",
  anthropic: "AnthropicServiceTests",
  azureaistudio: "AzureAiStudioServiceTests",
  azureopenai: "AzureOpenAiServiceTests",
  cohere: "CohereServiceTests",
  contextualai: "ContextualAiServiceTests",
  custom: "CustomServiceTests",
  deepseek: "DeepSeekServiceTests",
  elastic: "ElasticInferenceServiceTests",
  elasticsearch: "ElasticsearchInternalServiceTests",
  elser: "ElasticsearchInternalServiceTests (elser)",
  fireworksai: "FireworksAiServiceTests",
  googleaistudio: "GoogleAiStudioServiceTests",
  googlevertexai: "GoogleVertexAiServiceTests",
  groq: "GroqServiceTests",
  hugging_face: "HuggingFaceServiceTests",
  jinaai: "JinaAIServiceTests",
  llama: "LlamaServiceTests",
  mistral: "MistralServiceTests",
  nvidia: "NvidiaServiceTests",
  openai: "OpenAiServiceTests",
  openshift_ai: "OpenShiftAiServiceTests",
  tencentcloud: "TencentCloudServiceParseRequestConfigTests",
  voyageai: "VoyageAIServiceTests",
  watsonxai: "IbmWatsonxServiceTests",
};

const ALL_TASK_TYPES: readonly TaskType[] = [
  "text_embedding",
  "sparse_embedding",
  "rerank",
  "completion",
  "chat_completion",
];

const emulators = new Map<string, Emulator>();
beforeAll(async () => {
  for (const v of VERSIONS) emulators.set(v, await startEmulator({ esVersion: v, trainedModels: [ELAND_MODEL] }));
});
afterAll(async () => {
  for (const em of emulators.values()) await em.stop();
});

function put(v: string, taskType: string, body: Record<string, unknown>, id = "id") {
  const em = emulators.get(v)!;
  em.reset();
  return raw(em, "PUT", `/_inference/${taskType}/${id}`, body);
}

const unknownSettings = (v: string, service: string, settings = "{extra_key=value}") => ({
  status: 400,
  type: "status_exception",
  reason: `${v === MAIN_VERSION ? "Configuration" : "Model configuration"} contains settings [${settings}] unknown to the [${service}] service`,
});

/** Whether the service reads service_settings with a strict ObjectParser at this version. */
const parsesWithObjectParser = (v: string, service: string) =>
  ((behaviorValue("settings.service_settings_object_parser", v) ?? []) as readonly string[]).includes(service);

/** The minimal request body, with `extra` added to a copy of its service or task settings. */
function body(service: string, taskType: string, scope?: "service_settings" | "task_settings", extra = {}) {
  // The task type goes in the path only.
  const { task_type: _, ...b } = requestFor(service, taskType).body;
  if (!scope) return b;
  return { ...b, [scope]: { ...((b[scope] as Record<string, unknown> | undefined) ?? {}), ...extra } };
}

describe.each(VERSIONS)("parseRequestConfig at %s", (v) => {
  const pairs = pairsAt(v);
  const services = [...new Set(pairs.map(([s]) => s))];

  describe.each(services)("%s", (service) => {
    const cls = TEST_CLASS[service] ?? `${service} (no upstream class)`;
    const taskTypes = pairs.filter(([s]) => s === service).map(([, t]) => t);
    const first = taskTypes[0]!;

    it.each(taskTypes)(`${cls}.testParseRequestConfig_CreatesA…Model: %s`, async (taskType) => {
      const res = await put(v, taskType, body(service, taskType));
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ inference_id: "id", task_type: taskType, service });
      expect(res.json.chunking_settings !== undefined).toBe(taskFields(service, taskType)!.spec.chunking === true);
    });

    it(`${cls}.testParseRequestConfig_ThrowsWhenAnExtraKeyExistsInConfig`, async () => {
      expect(errorOf(await put(v, first, { ...body(service, first), extra_key: "value" }))).toEqual(
        unknownSettings(v, service),
      );
    });

    it(`${cls}.testParseRequestConfig_ThrowsWhenAnExtraKeyExistsInServiceSettingsMap`, async () => {
      const res = await put(v, first, body(service, first, "service_settings", { extra_key: "value" }));
      if (parsesWithObjectParser(v, service))
        expect(errorOf(res)).toEqual({
          status: 400,
          type: "x_content_parse_exception",
          reason: "[0:0] [service_settings] unknown field [extra_key]",
        });
      else expect(errorOf(res)).toEqual(unknownSettings(v, service));
    });

    it(`${cls}.testParseRequestConfig_ThrowsWhenAnExtraKeyExistsInTaskSettingsMap`, async () => {
      const res = await put(v, first, body(service, first, "task_settings", { extra_key: "value" }));
      if (service === "elasticsearch" || service === "elser") {
        // e5Case, elserCase and rerankerCase read the task settings they know and drop the rest.
        expect(res.status).toBe(200);
        expect(res.json.task_settings ?? {}).not.toHaveProperty("extra_key");
      } else expect(errorOf(res)).toEqual(unknownSettings(v, service));
    });

    const unsupported = ALL_TASK_TYPES.find((t) => taskTypeExists(t, v) && !taskTypes.includes(t));
    if (unsupported)
      it(`${cls}.testParseRequestConfig_ThrowsUnsupportedModelType: ${unsupported}`, async () => {
        expect(errorOf(await put(v, unsupported, body(service, first)))).toEqual({
          status: 400,
          type: "status_exception",
          reason: `The [${service}] service does not support task type [${unsupported}]`,
        });
      });

    const hasRateLimit = availableFields(taskFields(service, first)!.serviceSettings, behaviorFor(v)).some(
      (f) => f.name === "rate_limit",
    );
    if (hasRateLimit && !(service === "elastic" && v === MAIN_VERSION) && !parsesWithObjectParser(v, service))
      it(`${cls}: throws when an extra key exists in rate limit settings`, async () => {
        const res = await put(
          v,
          first,
          body(service, first, "service_settings", { rate_limit: { extra_key: "value" } }),
        );
        if (v === MAIN_VERSION)
          expect(errorOf(res)).toEqual({
            status: 400,
            type: "validation_exception",
            reason: "Validation Failed: 1: Rate limit settings contain unknown entries [{extra_key=value}];",
          });
        else expect(errorOf(res)).toEqual(unknownSettings(v, service));
      });
  });

  describe("service-specific cases", () => {
    it("OpenAiServiceTests.testParseRequestConfig_MovesModel: task_settings.model becomes service_settings.model_id", async () => {
      const b = body("openai", "text_embedding") as { service_settings: Record<string, unknown> };
      const { model_id, ...ss } = b.service_settings;
      const res = await put(v, "text_embedding", {
        ...b,
        service_settings: { ...ss, url: "https://openai.example/v1/embeddings", organization_id: "org" },
        task_settings: { model: model_id, user: "user" },
      });
      expect(res.status).toBe(200);
      expect(res.json.service_settings).toMatchObject({ model_id, organization_id: "org" });
      expect(res.json.task_settings).toEqual({ user: "user" });
    });

    it("OpenAiServiceTests.testParseRequestConfig_MovesModelIdFromTaskSettingsToServiceSettings", async () => {
      const b = body("openai", "text_embedding") as { service_settings: Record<string, unknown> };
      const { model_id, ...ss } = b.service_settings;
      const res = await put(v, "text_embedding", { ...b, service_settings: ss, task_settings: { model_id } });
      expect(res.status).toBe(200);
      expect(res.json.service_settings.model_id).toBe(model_id);
      expect(res.json.task_settings ?? {}).toEqual({});
    });

    it("AmazonBedrockServiceTests: truncate only for the cohere provider", async () => {
      const titan = body("amazonbedrock", "text_embedding", "task_settings", { truncate: "END" });
      const res = await put(v, "text_embedding", titan);
      const supported = v !== "8.18.0"; // task_settings.truncate: 8.19 / 9.1 (#126493)
      if (!supported) expect(errorOf(res)).toEqual(unknownSettings(v, "amazonbedrock", "{truncate=END}"));
      else
        expect(errorOf(res)).toEqual({
          status: 400,
          type: "status_exception",
          reason: "The [text_embedding] task type for provider [amazontitan] does not allow [truncate] field",
        });
      if (!supported) return;
      const cohere = body("amazonbedrock", "text_embedding", "task_settings", { truncate: "END" }) as {
        service_settings: Record<string, unknown>;
      };
      const ok = await put(v, "text_embedding", {
        ...cohere,
        service_settings: { ...cohere.service_settings, provider: "cohere" },
      });
      expect(ok.status).toBe(200);
      expect(ok.json.task_settings).toEqual({ truncate: "END" });
    });

    if (v === MAIN_VERSION) {
      // TencentCloudServiceParameterizedTestConfiguration.createAllServiceSettingsMap / createAllTaskSettingsMap:
      // the "all settings" cases, as the server stores them (region and rate limit as given, no dimensions yet).
      const tencent = (taskType: string, ss: Record<string, unknown>, ts?: Record<string, unknown>) =>
        put(v, taskType, {
          service: "tencentcloud",
          service_settings: { model_id: "some_model", api_key: "sk-test-api-key", ...ss },
          ...(ts ? { task_settings: ts } : {}),
        });
      const all = { region: "sh", rate_limit: { requests_per_minute: 123 } };

      it("TencentCloudServiceParseRequestConfigTests: all settings text embedding request config", async () => {
        const res = await tencent("text_embedding", { ...all, similarity: "cosine", max_input_tokens: 512 });
        expect(res.status).toBe(200);
        expect(res.json.service_settings).toMatchObject({
          model_id: "some_model",
          region: "sh",
          rate_limit: { requests_per_minute: 123 },
          similarity: "cosine",
          max_input_tokens: 512,
        });
        expect(res.json.service_settings).not.toHaveProperty("api_key");
      });

      it.each(["completion", "chat_completion"])(
        "TencentCloudServiceParseRequestConfigTests: all settings %s request config returns model",
        async (taskType) => {
          const res = await tencent(taskType, all);
          expect(res.status).toBe(200);
          expect(res.json.service_settings).toEqual({
            model_id: "some_model",
            region: "sh",
            rate_limit: { requests_per_minute: 123 },
          });
        },
      );

      it("TencentCloudServiceParseRequestConfigTests: all settings rerank request config returns model", async () => {
        const res = await tencent("rerank", all, { top_n: 5, return_documents: true });
        expect(res.status).toBe(200);
        expect(res.json.task_settings).toEqual({ top_n: 5, return_documents: true });
      });

      it("TencentCloudServiceParseRequestConfigTests: minimal settings store the default region and rate limits", async () => {
        for (const [taskType, rpm] of [
          ["text_embedding", 20],
          ["rerank", 20],
          ["completion", 5],
          ["chat_completion", 5],
        ] as const)
          expect((await tencent(taskType, {})).json.service_settings).toMatchObject({
            region: "bj",
            rate_limit: { requests_per_minute: rpm },
          });
      });

      it("TencentCloudServiceParameterizedTestConfiguration: dimensions in a request is an unknown field", async () => {
        expect(errorOf(await tencent("text_embedding", { dimensions: 1536 }))).toEqual({
          status: 400,
          type: "x_content_parse_exception",
          reason: "[0:0] [service_settings] unknown field [dimensions]",
        });
      });

      it("TencentCloudServiceTests.testParseRequestConfig_MissingApiKey_Fails", async () => {
        const res = await put(v, "text_embedding", {
          service: "tencentcloud",
          service_settings: { model_id: "bge-m3" },
        });
        expect(errorOf(res)).toEqual({
          status: 400,
          type: "validation_exception",
          reason: "Validation Failed: 1: [secret_settings] does not contain the required setting [api_key];",
        });
      });

      // Upstream also asserts an IllegalArgumentException (StringParser.validateStringIsNotNullOrEmpty, whose text
      // is not in the reference material): the emulator keeps the validation wording, which names model_id too.
      it("TencentCloudServiceTests.testParseRequestConfig_MissingModelId_Fails: the error names model_id", async () => {
        const res = errorOf(
          await put(v, "text_embedding", { service: "tencentcloud", service_settings: { api_key: "sk-12345" } }),
        );
        expect(res.status).toBe(400);
        expect(res.reason).toContain("model_id");
      });

      it("a strict service settings parser suggests a declared field close to an unknown one", async () => {
        expect(errorOf(await tencent("completion", { regoin: "sh" }))).toEqual({
          status: 400,
          type: "x_content_parse_exception",
          reason: "[0:0] [service_settings] unknown field [regoin] did you mean [region]?",
        });
      });
    }

    it("ElasticsearchInternalServiceTests.testParseRequestConfig: no model_id", async () => {
      expect(errorOf(await inCluster("text_embedding"))).toEqual({
        status: 400,
        type: "illegal_argument_exception",
        reason: "Error parsing service settings, model_id must be provided",
      });
    });

    /** An in-cluster endpoint of one allocation and 4 threads, with `model_id` when given. */
    const inCluster = (taskType: string, model_id?: string, service = "elasticsearch") =>
      put(v, taskType, {
        service,
        service_settings: { num_allocations: 1, num_threads: 4, ...(model_id ? { model_id } : {}) },
      });
    const noSuchModel = (modelId: string, hint: string) => ({
      status: 400,
      type: "illegal_argument_exception",
      reason: `Error parsing request config, model id does not match any models available on this platform. Was [${modelId}]. ${hint}`,
    });

    it("ElasticsearchInternalServiceTests.testParseRequestConfig_E5: both variants on linux-x86_64; another variant is no model", async () => {
      for (const model_id of [".multilingual-e5-small", ".multilingual-e5-small_linux-x86_64"])
        expect((await inCluster("text_embedding", model_id)).json.service_settings).toMatchObject({
          model_id,
          num_allocations: 1,
          num_threads: 4,
        });
      const aarch64 = ".multilingual-e5-small_linux-aarch64";
      expect(errorOf(await inCluster("text_embedding", aarch64))).toEqual(
        noSuchModel(aarch64, "You may need to load it into the cluster using eland."),
      );
    });

    it("ElasticsearchInternalServiceTests.testParseRequestConfig_elser: v2 and its default; v1 is refused", async () => {
      const elser = await inCluster("sparse_embedding", undefined, "elser");
      expect(elser.json.service_settings.model_id).toBe(".elser_model_2");
      expect(errorOf(await inCluster("sparse_embedding", ".elser_model_1"))).toEqual(
        noSuchModel(".elser_model_1", "You may need to use a platform agnostic model."),
      );
    });

    it("ElasticsearchInternalServiceTests.testParseRequestConfig_Misconfigured: extra config key", async () => {
      const res = await put(v, "sparse_embedding", {
        service: "elasticsearch",
        service_settings: { num_allocations: 1, num_threads: 4, model_id: ".elser_model_2" },
        not_a_valid_config_setting: "x",
      });
      expect(errorOf(res)).toEqual(unknownSettings(v, "elasticsearch", "{not_a_valid_config_setting=x}"));
    });

    it("ElasticsearchInternalServiceTests: an Eland model refuses unknown task settings (customElandCase)", async () => {
      const res = await put(v, "sparse_embedding", {
        service: "elasticsearch",
        service_settings: { num_allocations: 1, num_threads: 4, model_id: ELAND_MODEL },
        task_settings: { extra_key: "value" },
      });
      expect(errorOf(res)).toEqual(unknownSettings(v, "elasticsearch"));
    });
  });
});
