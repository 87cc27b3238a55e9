/**
 * Type-level tests: declaration types are derived from the catalogue's schemas and discriminated by service and
 * task type. Each `@ts-expect-error` line must fail to compile; ts-jest type-checks this file, so a line that
 * compiles (an unused directive) fails the suite.
 */
import type { z } from "zod";
import type {
  CHUNKING_SCHEMAS,
  ChunkingSettings,
  ServiceName,
  Services,
  TaskSpec,
  TaskTypeOf,
} from "../../lib/catalogue";
import {
  defineEndpoint,
  secret,
  type Camelize,
  type ChunkingSettingsDeclaration,
  type NoneChunkingSettings,
  type RecursiveChunkingSettings,
  type SentenceChunkingSettings,
  type WordChunkingSettings,
  type EndpointDeclaration,
  type EndpointDeclarationOf,
  type EndpointRequest,
} from "../../lib/model";

type Keys<T> = T extends unknown ? keyof T : never;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_: T) => undefined;

test("openai text_embedding offers exactly its service settings, in camelCase", () => {
  type Settings = EndpointDeclarationOf<"openai", "text_embedding">["serviceSettings"];
  assertType<
    Equal<
      Keys<Settings>,
      | "apiKey"
      | "clientId"
      | "clientSecret"
      | "modelId"
      | "organizationId"
      | "scopes"
      | "tokenUrl"
      | "url"
      | "dimensions"
      | "rateLimit"
      | "similarity"
      | "maxInputTokens"
    >
  >(true);
  // completion has no embedding settings
  assertType<
    Equal<"dimensions" extends Keys<EndpointDeclarationOf<"openai", "completion">["serviceSettings"]> ? 1 : 0, 0>
  >(true);
});

test("valid declarations compile and validate", () => {
  const endpoint = defineEndpoint({
    inferenceId: "openai-embeddings",
    service: "openai",
    taskType: "text_embedding",
    serviceSettings: {
      modelId: "text-embedding-3-small",
      apiKey: secret.env("OPENAI_API_KEY"),
      dimensions: 128,
      rateLimit: { requestsPerMinute: 100 },
    },
    taskSettings: { user: "search", headers: { "X-Team": "platform" } },
    chunkingSettings: { strategy: "word", maxChunkSize: 120, overlap: 40 },
  });
  expect(endpoint.service_settings).toMatchObject({
    model_id: "text-embedding-3-small",
    rate_limit: { requests_per_minute: 100 },
  });
  expect(endpoint.task_settings).toEqual({ user: "search", headers: { "X-Team": "platform" } });
  expect(endpoint.chunking_settings).toEqual({ strategy: "word", max_chunk_size: 120, overlap: 40 });

  const elser: EndpointDeclaration = {
    inferenceId: "my-elser",
    service: "elasticsearch",
    taskType: "sparse_embedding",
    serviceSettings: {
      modelId: ".elser_model_2",
      numThreads: 1,
      adaptiveAllocations: { enabled: true, minNumberOfAllocations: 0, maxNumberOfAllocations: 4 },
    },
  };
  const custom: EndpointRequest = {
    inference_id: "c",
    service: "custom",
    task_type: "text_embedding",
    service_settings: {
      request: '{"input": ${input}}',
      response: { json_parser: { text_embeddings: "$.data[*].embedding[*]" } },
      secret_parameters: { api_key: { env: "CUSTOM_KEY" } },
      query_parameters: [["version", "2"]],
    },
  };
  expect([elser.service, custom.service]).toEqual(["elasticsearch", "custom"]);
});

test("wrong declarations do not compile", () => {
  const apiKey = secret.env("K");
  const rejected = () => [
    defineEndpoint({
      inferenceId: "x",
      service: "openai",
      taskType: "text_embedding",
      // @ts-expect-error an unknown service setting
      serviceSettings: { modelId: "m", apiKey, modle: "m" },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "openai",
      taskType: "completion",
      serviceSettings: { modelId: "m", apiKey },
      // @ts-expect-error completion endpoints take no chunking settings
      chunkingSettings: { strategy: "none" },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "openai",
      taskType: "completion",
      // @ts-expect-error a literal secret: declare a reference
      serviceSettings: { modelId: "m", apiKey: "sk-literal" },
    }),
    // @ts-expect-error openai has no rerank task type
    defineEndpoint({
      inferenceId: "x",
      service: "openai",
      taskType: "rerank",
      serviceSettings: { modelId: "m", apiKey },
    }),
    // @ts-expect-error anthropic requires task settings with max_tokens
    defineEndpoint({
      inferenceId: "x",
      service: "anthropic",
      taskType: "completion",
      serviceSettings: { modelId: "m", apiKey },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "cohere",
      taskType: "rerank",
      serviceSettings: { modelId: "m", apiKey },
      // @ts-expect-error input_type is a text_embedding task setting
      taskSettings: { inputType: "search" },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "openai",
      taskType: "text_embedding",
      // @ts-expect-error similarity is an enum
      serviceSettings: { modelId: "m", apiKey, similarity: "euclid" },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "mistral",
      taskType: "completion",
      serviceSettings: { model: "m", apiKey },
      // @ts-expect-error mistral completion has no task settings at all
      taskSettings: { temperature: 1 },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "openai",
      taskType: "completion",
      // @ts-expect-error snake_case keys belong to request shape, not declarations
      serviceSettings: { model_id: "m", apiKey },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "openai",
      taskType: "text_embedding",
      // @ts-expect-error dimensions is a number
      serviceSettings: { modelId: "m", apiKey, dimensions: "128" },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "openai",
      taskType: "completion",
      // @ts-expect-error dimensions is a text_embedding/embedding setting, not a completion one
      serviceSettings: { modelId: "m", apiKey, dimensions: 128 },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "openai",
      taskType: "text_embedding",
      // @ts-expect-error model_id is required
      serviceSettings: { apiKey },
    }),
    defineEndpoint({
      inferenceId: "x",
      service: "voyageai",
      taskType: "rerank",
      // @ts-expect-error the server requires api_key although the specification leaves it out
      serviceSettings: { modelId: "rerank-2" },
    }),
  ];
  const requests: EndpointRequest[] = [
    {
      inference_id: "x",
      service: "openai",
      task_type: "text_embedding",
      // @ts-expect-error request shape is snake_case
      service_settings: { modelId: "m", api_key: apiKey },
    },
  ];
  expect(typeof rejected).toBe("function");
  expect(requests).toHaveLength(1);
});

// ---- the generated declaration types are exactly what the catalogue's schemas accept ---------------------------

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
/** Same keys, same required keys, and each assignable to the other (nested objects included). */
type Same<A, B> =
  Equal<keyof A, keyof B> extends true
    ? Equal<RequiredKeys<A>, RequiredKeys<B>> extends true
      ? [A] extends [B]
        ? [B] extends [A]
          ? true
          : false
        : false
      : false
    : false;
type SchemasOf<S extends ServiceName, T extends TaskTypeOf<S>> =
  Services[S]["taskTypes"][T] extends TaskSpec<infer SS, infer TS>
    ? { service: z.input<SS>; task: z.input<TS> }
    : never;
type Part_<D, K extends string> = D extends { [P in K]?: infer X } ? X : never;
type Mismatches<Part extends "service" | "task"> = {
  [S in ServiceName]: {
    [T in TaskTypeOf<S>]: Part extends "service"
      ? Same<Part_<EndpointDeclarationOf<S, T>, "serviceSettings">, Camelize<SchemasOf<S, T>["service"]>> extends true
        ? never
        : `${S} ${T}`
      : string extends keyof SchemasOf<S, T>["task"]
        ? never // no task settings (zod's input type of an empty object): NoTaskSettings, see typings.test.ts
        : Same<
              NonNullable<Part_<EndpointDeclarationOf<S, T>, "taskSettings">>,
              Camelize<SchemasOf<S, T>["task"]>
            > extends true
          ? never
          : `${S} ${T}`;
  }[TaskTypeOf<S>];
}[ServiceName];

test("every generated settings type equals the catalogue schema's input type, camelCased", () => {
  // A mismatch names its service and task type in the compile error.
  assertType<Equal<Mismatches<"service">, never>>(true);
  assertType<Equal<Mismatches<"task">, never>>(true);
  assertType<Same<SentenceChunkingSettings, Camelize<z.input<typeof CHUNKING_SCHEMAS.sentence>>>>(true);
  assertType<Same<WordChunkingSettings, Camelize<z.input<typeof CHUNKING_SCHEMAS.word>>>>(true);
  assertType<Same<RecursiveChunkingSettings, Camelize<z.input<typeof CHUNKING_SCHEMAS.recursive>>>>(true);
  assertType<Same<NoneChunkingSettings, Camelize<z.input<typeof CHUNKING_SCHEMAS.none>>>>(true);
  assertType<Equal<ChunkingSettingsDeclaration["strategy"], ChunkingSettings["strategy"]>>(true);
  // The comparison can fail: an optional key made required, or a key renamed, is a mismatch.
  assertType<Equal<Same<{ a: string }, { a?: string }>, false>>(true);
  assertType<Equal<Same<{ a: string }, { b: string }>, false>>(true);
});
