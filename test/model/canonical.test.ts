import { DEFAULT_CHUNKING, SEPARATOR_GROUPS, getTaskSpec, infoOf } from "../../lib/catalogue";
import {
  canonicalJson,
  canonicalize,
  jsonEqual,
  defineEndpoint,
  sortKeys,
  secret,
  validateRequest,
  type ValidatedEndpoint,
} from "../../lib/model";
import { foldEnums, settingsFacts, shapeOf } from "../../lib/model/schema-walk";
import { minimalRequest } from "../helpers/minimal";

const valid = (request: Record<string, unknown>): ValidatedEndpoint => {
  const { endpoint, issues } = validateRequest(request);
  expect(issues).toEqual([]);
  return endpoint!;
};

test("server defaults are explicit: rate limit per service and task type, default chunking", () => {
  const embedding = canonicalize(valid(minimalRequest("openai", "text_embedding")));
  expect(embedding.service_settings.rate_limit).toEqual({ requests_per_minute: 3000 });
  expect(embedding.chunking_settings).toEqual(DEFAULT_CHUNKING);
  const completion = canonicalize(valid(minimalRequest("openai", "completion")));
  expect(completion.service_settings.rate_limit).toEqual({ requests_per_minute: 500 });
  expect(completion).not.toHaveProperty("chunking_settings");
  expect(canonicalize(valid(minimalRequest("azureopenai", "text_embedding"))).service_settings.rate_limit).toEqual({
    requests_per_minute: 1440,
  });
  expect(canonicalize(valid(minimalRequest("anthropic", "completion"))).service_settings.rate_limit).toEqual({
    requests_per_minute: 50,
  });
  // No default known for services that have none: nothing is invented.
  expect(canonicalize(valid(minimalRequest("elasticsearch", "text_embedding"))).service_settings).not.toHaveProperty(
    "rate_limit",
  );
});

test("declared values win over defaults; computed values stay undeclared", () => {
  const request = minimalRequest("openai", "text_embedding") as any;
  request.service_settings.rate_limit = { requests_per_minute: 10 };
  const c = canonicalize(valid(request));
  expect(c.service_settings.rate_limit).toEqual({ requests_per_minute: 10 });
  expect(c.service_settings).not.toHaveProperty("dimensions");
  expect(c.service_settings).not.toHaveProperty("similarity");
});

test("chunking is stored as the server stores it", () => {
  const sentence = {
    ...minimalRequest("cohere", "text_embedding"),
    chunking_settings: { strategy: "sentence", max_chunk_size: 100 },
  };
  expect(canonicalize(valid(sentence)).chunking_settings).toEqual({
    strategy: "sentence",
    max_chunk_size: 100,
    sentence_overlap: 1,
  });
  const markdown = {
    ...minimalRequest("cohere", "text_embedding"),
    chunking_settings: { strategy: "recursive", max_chunk_size: 100, separator_group: "markdown" },
  };
  expect(canonicalize(valid(markdown)).chunking_settings).toEqual({
    strategy: "recursive",
    max_chunk_size: 100,
    separators: SEPARATOR_GROUPS.markdown,
  });
  const bare = {
    ...minimalRequest("cohere", "text_embedding"),
    chunking_settings: { strategy: "recursive", max_chunk_size: 100 },
  };
  expect(canonicalize(valid(bare)).chunking_settings).toEqual({
    strategy: "recursive",
    max_chunk_size: 100,
    separators: SEPARATOR_GROUPS.plaintext,
  });
});

test("key order is stable and secrets are references", () => {
  const a = minimalRequest("openai", "text_embedding") as any;
  const b = {
    service_settings: { model_id: a.service_settings.model_id, api_key: a.service_settings.api_key },
    service: "openai",
    task_type: "text_embedding",
    inference_id: a.inference_id,
  };
  const ca = canonicalJson(canonicalize(valid(a)));
  expect(canonicalJson(canonicalize(valid(b)))).toBe(ca);
  expect(ca).toContain('"api_key":{"env":"OPENAI_KEY"}');
  expect(Object.keys(JSON.parse(ca))).toEqual([
    "chunking_settings",
    "inference_id",
    "service",
    "service_settings",
    "task_settings",
    "task_type",
  ]);
});

test("a TypeScript declaration and the same request canonicalize alike", () => {
  const fromTs = defineEndpoint({
    inferenceId: "emb",
    service: "openai",
    taskType: "text_embedding",
    serviceSettings: { modelId: "m", apiKey: secret.env("OPENAI_KEY") },
    chunkingSettings: { strategy: "sentence", maxChunkSize: 200, sentenceOverlap: 0 },
  });
  const fromJson = valid({
    inference_id: "emb",
    task_type: "text_embedding",
    service: "openai",
    service_settings: { model_id: "m", api_key: { env: "OPENAI_KEY" } },
    chunking_settings: { strategy: "sentence", max_chunk_size: 200, sentence_overlap: 0 },
  });
  expect(canonicalJson(canonicalize(fromTs))).toBe(canonicalJson(canonicalize(fromJson)));
});

describe("jsonEqual", () => {
  test.each([
    [{ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: null }, { a: {} }, false],
    [[], {}, false],
    [{ toString: 1 }, { valueOf: 1 }, false],
    ["x", "x", true],
    [1, 1.0, true],
  ])("%j and %j: %s", (a, b, equal) => {
    expect(jsonEqual(a, b)).toBe(equal);
    expect(jsonEqual(b, a)).toBe(equal);
  });
});

describe("key order and enum spelling", () => {
  it("sorts keys at every depth, keeping a __proto__ key of a free-form map as a key", () => {
    const value = JSON.parse('{"b": 1, "a": {"d": [{"z": 1, "y": 2}], "__proto__": {"polluted": true}, "c": 3}}');
    const sorted = sortKeys(value);
    expect(JSON.stringify(sorted)).toBe('{"a":{"__proto__":{"polluted":true},"c":3,"d":[{"y":2,"z":1}]},"b":1}');
    expect(Object.getPrototypeOf(sorted.a)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("folds enum values to the catalogue's spelling, copying only what changes", () => {
    const schema = getTaskSpec("openai", "text_embedding")!.serviceSettings;
    const same = { model_id: "m", similarity: "cosine" };
    expect(foldEnums(schema, same)).toBe(same);
    const upper = { model_id: "m", similarity: "COSINE" };
    expect(foldEnums(schema, upper)).toEqual({ model_id: "m", similarity: "cosine" });
    expect(upper.similarity).toBe("COSINE");
  });
});

test("settingsFacts: fields the server computes are listed apart from the defaults it stores", () => {
  for (const service of ["openai", "elasticsearch", "cohere"] as const) {
    const schema = getTaskSpec(service, "text_embedding")!.serviceSettings;
    const facts = settingsFacts(schema);
    const shape = shapeOf(schema)!;
    expect([...facts.computed].sort()).toEqual(
      Object.keys(shape)
        .filter((k) => infoOf(shape[k]).serverDefault === "computed")
        .sort(),
    );
    for (const [key] of facts.defaults) expect(facts.computed.has(key)).toBe(false);
  }
  expect(settingsFacts(getTaskSpec("openai", "text_embedding")!.serviceSettings).computed.has("url")).toBe(true);
});

test("a setting declared as undefined is not in the canonical form, which equals its JSON round trip", () => {
  const canonical = canonicalize(
    defineEndpoint({
      inferenceId: "emb",
      service: "openai",
      taskType: "text_embedding",
      serviceSettings: { modelId: "m", apiKey: secret.env("OPENAI_KEY"), dimensions: undefined },
      taskSettings: { user: undefined },
    }),
  );
  expect(Object.keys(canonical.service_settings)).not.toContain("dimensions");
  expect(canonical.task_settings).toEqual({});
  expect(Object.keys(canonical.task_settings)).toEqual([]);
  // What the state stores of it reads back equal (so an unchanged endpoint takes the plan's fast path).
  expect(jsonEqual(JSON.parse(JSON.stringify(canonical)), canonical)).toBe(true);
  expect(sortKeys({ b: undefined, a: [undefined, 1] })).toEqual({ a: [undefined, 1] });
  expect(Object.keys(sortKeys({ b: undefined, a: 1 }))).toEqual(["a"]);
});
