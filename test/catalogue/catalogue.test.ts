import {
  PRECONFIGURED_ENDPOINTS,
  SERVICE_NAMES,
  TASK_TYPES,
  getService,
  getTaskSpec,
  SecretRefSchema,
  infoOf,
  inferenceIdProblems,
  isAtLeast,
  isSecretRef,
  taskSince,
  taskTypesOf,
} from "../../lib/catalogue";

test("every service of the create-endpoint API page, and the newer ones", () => {
  const twenty = [
    "ai21",
    "alibabacloud-ai-search",
    "amazonbedrock",
    "amazon_sagemaker",
    "anthropic",
    "azureaistudio",
    "azureopenai",
    "cohere",
    "deepseek",
    "elasticsearch",
    "elser",
    "googleaistudio",
    "googlevertexai",
    "hugging_face",
    "jinaai",
    "llama",
    "mistral",
    "openai",
    "voyageai",
    "watsonxai",
  ];
  const more = ["elastic", "custom", "contextualai", "fireworksai", "groq", "nvidia", "openshift_ai", "tencentcloud"];
  expect([...SERVICE_NAMES].sort()).toEqual([...twenty, ...more].sort());
  expect(TASK_TYPES).toEqual([
    "text_embedding",
    "sparse_embedding",
    "rerank",
    "completion",
    "chat_completion",
    "embedding",
  ]);
});

test("task types per service follow the server where it differs from the specification", () => {
  expect(taskTypesOf("groq")).toEqual(expect.arrayContaining(["chat_completion", "completion"]));
  expect(taskTypesOf("hugging_face")).toContain("sparse_embedding");
  expect(taskTypesOf("watsonxai")).toContain("rerank");
  expect(taskTypesOf("jinaai")).toEqual(expect.arrayContaining(["embedding", "rerank", "text_embedding"]));
  expect(getTaskSpec("groq", "completion")!.serverOnly).toBe(true);
});

// The reference's table of default requests per minute (elasticsearch-inference-api.md §8).
test.each([
  ["ai21", "completion", 200],
  ["alibabacloud-ai-search", "rerank", 1000],
  ["amazonbedrock", "text_embedding", 240],
  ["anthropic", "chat_completion", 50],
  ["azureaistudio", "rerank", 240],
  ["azureopenai", "text_embedding", 1440],
  ["azureopenai", "completion", 120],
  ["cohere", "rerank", 10000],
  ["contextualai", "rerank", 1000],
  ["fireworksai", "completion", 6000],
  ["googleaistudio", "completion", 360],
  ["googlevertexai", "rerank", 30000],
  ["groq", "chat_completion", 1000],
  ["hugging_face", "text_embedding", 3000],
  ["jinaai", "text_embedding", 2000],
  ["llama", "completion", 3000],
  ["mistral", "text_embedding", 240],
  ["nvidia", "rerank", 3000],
  ["openai", "text_embedding", 3000],
  ["openai", "chat_completion", 500],
  ["openshift_ai", "rerank", 3000],
  ["voyageai", "rerank", 2000],
  ["watsonxai", "text_embedding", 120],
])("default rate limit: %s %s = %d", (service, taskType, rpm) => {
  expect(infoOf(getTaskSpec(service, taskType)!.serviceSettings.shape.rate_limit).serverDefault).toEqual({
    requests_per_minute: rpm,
  });
});

test("no invented rate limits where the server has none", () => {
  for (const [service, taskType] of [
    ["elasticsearch", "rerank"],
    ["deepseek", "completion"],
    ["amazon_sagemaker", "completion"],
  ] as const)
    expect(getTaskSpec(service, taskType)!.serviceSettings.shape).not.toHaveProperty("rate_limit");
  // The custom service takes a rate limit (CustomServiceSettings, updatable since #146242) with no recorded default.
  expect(infoOf(getTaskSpec("custom", "completion")!.serviceSettings.shape.rate_limit).serverDefault).toBeUndefined();
});

test("secrets and computed values are marked", () => {
  const openai = getTaskSpec("openai", "text_embedding")!.serviceSettings.shape;
  expect(infoOf(openai.api_key).secret).toBe(true);
  expect(infoOf(openai.dimensions).serverDefault).toBe("computed");
  expect(infoOf(openai.similarity).serverDefault).toBe("computed");
  expect(infoOf(getTaskSpec("custom", "rerank")!.serviceSettings.shape.secret_parameters).secret).toBe(true);
  for (const [service, fields] of [
    ["amazonbedrock", ["access_key", "secret_key"]],
    ["googlevertexai", ["service_account_json"]],
    ["azureopenai", ["api_key", "entra_id", "client_secret"]],
  ] as const)
    for (const f of fields)
      expect([
        service,
        f,
        infoOf((getTaskSpec(service, taskTypesOf(service)[0]!)!.serviceSettings.shape as any)[f]).secret,
      ]).toEqual([service, f, true]);
});

test("chunking only for the embedding task types of services that chunk", () => {
  expect(getTaskSpec("openai", "text_embedding")!.chunking).toBe(true);
  expect(getTaskSpec("openai", "embedding")!.chunking).toBe(true);
  expect(getTaskSpec("openai", "completion")!.chunking).toBe(false);
  expect(getTaskSpec("cohere", "rerank")!.chunking).toBe(false);
  expect(getTaskSpec("elasticsearch", "sparse_embedding")!.chunking).toBe(true);
  for (const service of SERVICE_NAMES)
    for (const t of taskTypesOf(service))
      if (getTaskSpec(service, t)!.chunking) expect(["text_embedding", "sparse_embedding", "embedding"]).toContain(t);
});

test("versions: a service, a task type and dual-line features", () => {
  expect(getService("fireworksai")!.since).toBe("9.4.0");
  // #145833: "Enable EMBEDDING task for OpenAiService" is in the 9.5.0 changelog (the catalogue said 9.4).
  expect(taskSince("openai", "embedding")).toBe("9.5.0");
  expect(taskSince("jinaai", "embedding")).toBe("9.4.0");
  expect(isAtLeast("8.19.2", ["8.19.0", "9.1.0"])).toBe(true);
  expect(isAtLeast("9.0.9", ["8.19.0", "9.1.0"])).toBe(false);
  expect(isAtLeast("9.1.0", ["8.19.0", "9.1.0"])).toBe(true);
  expect(isAtLeast("10.0.0", ["8.19.0", "9.1.0"])).toBe(true);
  expect(isAtLeast("8.18.0", "9.1.0")).toBe(false);
  expect(isAtLeast("9.2.0-SNAPSHOT", "9.2.0")).toBe(true);
});

test.each([
  ["my-endpoint", 0],
  ["a", 0],
  ["model.v2_final-1", 0],
  ["My-Endpoint", 1],
  ["-lead", 1],
  ["trail.", 1],
  ["sp ace", 1],
  [".elser-2-elasticsearch", 1],
  ["_all", 1],
  ["", 1],
])("inference id %j: %d problems", (id, n) => {
  expect(inferenceIdProblems(id)).toHaveLength(n);
});

test("the preconfigured endpoints", () => {
  expect(PRECONFIGURED_ENDPOINTS.map((e) => e.inferenceId)).toEqual([
    ".elser-2-elasticsearch",
    ".multilingual-e5-small-elasticsearch",
    ".rerank-v1-elasticsearch",
  ]);
});

test("each secret field carries its own facts (no shared schema between fields)", () => {
  // Facts are registered per schema object: a shared secret schema once made every secret field report the facts
  // of the last one declared (watsonxai's api_key), losing client_secret's version and voyageai's server-only mark.
  const openai = getTaskSpec("openai", "completion")!.serviceSettings.shape;
  // #150132: OpenAI OAuth2 is in the 9.5.0 changelog; Azure OpenAI's (#143896) in 9.4.0.
  expect(infoOf(openai.client_secret).since).toBe("9.5.0");
  expect(infoOf(getTaskSpec("azureopenai", "completion")!.serviceSettings.shape.client_secret).since).toBe("9.4.0");
  expect(infoOf(openai.api_key).since).toBeUndefined();
  expect(infoOf(getTaskSpec("voyageai", "rerank")!.serviceSettings.shape.api_key).serverOnly).toBe(true);
  expect(infoOf(openai.api_key).serverOnly).toBeUndefined();
  expect(infoOf(openai.api_key).description).toBe("A valid API key of your OpenAI account.");
});

describe("isSecretRef (checked by hand for speed) accepts exactly what SecretRefSchema accepts", () => {
  class Env {
    env = "OPENAI_API_KEY";
  }
  const values: [string, unknown, boolean][] = [
    ["an env reference", { env: "OPENAI_API_KEY" }, true],
    ["an env name with _ and digits", { env: "_KEY_2" }, true],
    ["a file reference", { file: "/run/secrets/key" }, true],
    ["a relative file", { file: "key.txt" }, true],
    ["an env name starting with a digit", { env: "2KEY" }, false],
    ["an env name with -", { env: "MY-KEY" }, false],
    ["an env name with a newline after it", { env: "KEY\n" }, false],
    ["an empty env name", { env: "" }, false],
    ["an empty file", { file: "" }, false],
    ["a non-string env", { env: 1 }, false],
    ["a non-string file", { file: null }, false],
    ["both keys", { env: "A", file: "b" }, false],
    ["an extra key", { env: "A", note: "x" }, false],
    ["another key", { value: "A" }, false],
    ["an empty object", {}, false],
    ["a string", "sk-literal", false],
    ["null", null, false],
    ["an array", [{ env: "A" }], false],
    ["a class instance with an env field", new Env(), true],
  ];
  test.each(values)("%s", (_name, value, expected) => {
    expect(isSecretRef(value)).toBe(expected);
    expect(SecretRefSchema.safeParse(value).success).toBe(expected);
  });
});
