/**
 * THE REGISTRY OF SERVER BEHAVIOR: every behavior of Elasticsearch's inference management API that depends on the
 * version, one entry each, with the versions where it starts (and stops), a summary and the upstream reference.
 * Modelled on aws-cdk's `cx-api/lib/features.ts`. The engine, the client and the emulator read these entries
 * (through `server-behavior.ts`); none of them keeps its own copy of a version.
 *
 * Adding a version rule is one entry here, plus a test:
 * - a behavior that switches at a version: an entry in `BEHAVIORS` (its name is how code asks about it);
 * - a service setting `_update` starts to apply: an entry in `UPDATABLE_SERVICE_SETTINGS`;
 * - a task type that appears: an entry in `TASK_TYPE_SINCE`.
 * Services, task types per service and fields per version stay where the service is described (`services/*.ts`,
 * their `since`): one fact, one place. Unreleased behavior of Elasticsearch's main branch uses `MAIN_VERSION`.
 *
 * Release facts come from the server's changelog bundles (`docs/release-notes/changelog-bundles/9.4.0.yml`,
 * `9.5.0.yml`): a pull request listed there shipped in that release. Where a PR has no changelog entry, the entry
 * says `inferred` and why (its merge date against the branch cut: 9.4 was cut early April 2026, 9.5 mid-July 2026).
 */
import type { TaskType } from "./task-types";
import { MAIN_VERSION, type Since } from "./version";

/** One version-dependent behavior. */
export interface BehaviorEntry {
  /** What holds while the behavior is on, in one sentence. */
  readonly summary: string;
  /** First version with the behavior (per major line when a list). */
  readonly since: Since;
  /** First version without it again, when it was removed. */
  readonly until?: Since;
  /**
   * Backports to earlier minors: `major.minor` to the first patch that has it. A version of a listed minor has the
   * behavior from that patch; other minors follow `since`.
   */
  readonly backports?: Readonly<Record<string, string>>;
  /** A value that goes with the behavior (a limit, a wording). */
  readonly value?: unknown;
  /** Upstream reference: pull requests (elastic/elasticsearch unless named), server files, tests. */
  readonly reference: string;
  /** Why a switch point is a deduction rather than a documented release fact. */
  readonly inferred?: string;
}

/** Version switches of the server, by name (`area.behavior`). */
export const BEHAVIORS = {
  // ---------------------------------------------------------------------------------------------------------------
  // Routes and parameters
  "put.timeout": {
    summary: "PUT _inference accepts the `timeout` query parameter (bounds validation, storage and start).",
    since: ["8.19.0", "9.1.0"],
    reference: "TransportVersion INFERENCE_ADD_TIMEOUT_PUT_ENDPOINT_8_19; RestPutInferenceModelAction",
  },
  "update.timeout": {
    summary: "PUT _inference/.../_update accepts the `timeout` query parameter (before: only master_timeout).",
    since: "9.5.0",
    reference: "#152179 (changelog 9.5.0: Add timeout support to the update inference endpoint API)",
  },
  "update.path_without_task_type": {
    summary: "`PUT _inference/{id}/_update` works without a task type in the path (task type from the body).",
    since: ["8.18.0", "9.0.0"],
    reference: "#121231 (backported to 8.18 and 9.0); InferenceCrudIT.testUpdateEndpointWithTaskTypeInBody",
  },
  "delete.force_default_endpoints": {
    summary: "DELETE of a default endpoint succeeds with force=true (it is persisted again on the next read).",
    since: ["8.18.0", "9.0.0"],
    reference: "#124781",
  },
  // ---------------------------------------------------------------------------------------------------------------
  // Update
  "update.live_validation": {
    summary: "`_update` validates the merged endpoint with a provider call before storing it.",
    since: "9.4.0",
    reference: "#140003 (changelog 9.4.0: Add provider validation call to Update Inference Endpoint operation)",
  },
  "update.chunking_settings": {
    summary: "`_update` accepts `chunking_settings` and replaces the stored chunking settings as a whole.",
    since: "9.5.0",
    reference:
      "#149723 (closes #139575); TransportUpdateInferenceModelAction.combineExistingModelConfigurationsWithNewSettings",
    inferred: "no changelog entry; merged May 2026, before the 9.5 branch was cut",
  },
  "update.rejects_unknown_settings": {
    summary:
      "`_update` rejects keys its update parsers do not know: service_settings the service cannot update, unknown task_settings (strict parsers); before, the parsers read the keys they knew and silently ignored the rest.",
    since: MAIN_VERSION,
    reference:
      "#151552 (AI21), #156069 (Groq), #157011 (Anthropic): ObjectParser-based update parsers on main; alibabacloud Update.PARSER",
  },
  "update.secret_settings_optional": {
    summary:
      "`_update` with service_settings but no secret keeps the stored secrets; before, the service's secret parser required them (api_key).",
    since: MAIN_VERSION,
    reference:
      "elastic/elasticsearch#139651; OpenAiSecretSettings.newSecretSettings returns this when no secret is given",
    inferred: "fixed on main; no release recorded",
  },
  "update.in_cluster_requires_num_allocations": {
    summary:
      '`_update` of an in-cluster endpoint must carry an integer `num_allocations` (else 400 "Failed to parse [num_allocations] of update request").',
    since: "8.17.0",
    until: "9.1.0",
    reference: "TransportUpdateInferenceModelAction.updateInClusterEndpoint before adaptive allocations (9.1)",
  },
  "update.default_endpoint_message": {
    summary:
      '`_update` of a `.` id answers "Default endpoint [<id>] cannot be updated" (before: the invalid-id validation error).',
    since: MAIN_VERSION,
    reference: "TransportUpdateInferenceModelAction (main, 2026)",
  },
  "update.request_parse_errors_400": {
    summary:
      'A body field of the wrong shape is 400 "Unable to parse [<field>] in the request [..]" / "Failed to parse [task_type] in update request [..]" (before: 500 for task_type, "Unable to parse service settings in the request [..]").',
    since: MAIN_VERSION,
    reference: "UpdateInferenceModelAction.Request.CachedParsedSettings.moveFieldToMap (main, 2026)",
  },
  // ---------------------------------------------------------------------------------------------------------------
  // Create
  "put.mapping_compatibility_check": {
    summary:
      "PUT refuses an id that semantic_text mappings still use with recorded model_settings the new endpoint does not match.",
    since: "9.3.0",
    backports: { "8.19": "8.19.7", "9.1": "9.1.7", "9.2": "9.2.1" },
    reference: "#137055 (backported November 2025)",
    inferred: "patch releases of the backports",
  },
  // ---------------------------------------------------------------------------------------------------------------
  // Chunking
  "chunking.max_chunk_size_cap": {
    summary: "`max_chunk_size` is at most 300 for every strategy.",
    since: "8.16.0",
    until: "9.2.0",
    value: 300,
    reference: "#115130 (cap), #133718 (removed)",
  },
  "chunking.recursive_and_none": {
    summary: "The `recursive` and `none` chunking strategies exist.",
    since: ["8.19.0", "9.1.0"],
    reference: "#129150 (none); RecursiveChunkingSettings",
  },
  "chunking.max_separators": {
    summary: "A recursive strategy's `separators` list is limited in length.",
    since: MAIN_VERSION,
    value: 50,
    reference: "RecursiveChunkingSettings (main, 2026)",
    inferred: "limit and switch point",
  },
  "delete.force_broken_endpoints": {
    summary:
      "DELETE with force=true also deletes endpoints whose service is missing, whose configuration cannot be parsed, or whose deployment failed to stop.",
    since: "9.1.0",
    reference: "#129090; TransportDeleteInferenceEndpointActionTests.testDeletesEndpointWithNoService_WhenForceIsTrue",
  },
  // ---------------------------------------------------------------------------------------------------------------
  // Settings parsing
  "settings.rate_limit_unknown_entries": {
    summary:
      'Unknown keys inside rate_limit are a validation error "Rate limit settings contain unknown entries [{k=v}]" (before: the unknown-settings error at once).',
    since: MAIN_VERSION,
    reference: "RateLimitSettings.of(..., ConfigurationParseContext); RateLimitSettingsTests",
    inferred: "switch point: came with the 2026 settings refactor",
  },
  "settings.service_settings_object_parser": {
    summary:
      'The services in `value` read service_settings on create with a strict ObjectParser (`usesParserForServiceSettings`): a key it does not declare is 400 x_content_parse_exception "[0:0] [service_settings] unknown field [<key>]" (with the parser\'s "did you mean"), at once, before any other setting is checked.',
    since: MAIN_VERSION,
    value: ["tencentcloud"],
    reference:
      "#152829: TencentCloudCommonServiceSettings.declareCommonFields (strict REQUEST parser, api_key declared as a no-op), TencentCloudServiceParseRequestConfigTests (AbstractParseRequestConfigTests.assertParserExtraValueException)",
    inferred:
      "lists only the services checked against their source; ai21, llama, cohere, amazonbedrock, alibabacloud-ai-search and watsonxai also parse this way on main (TransportUpdateInferenceModelActionSecretRotationTests), switch points not established",
  },
  "settings.elastic_rejects_rate_limit": {
    summary:
      'The elastic service refuses rate_limit on create: "[service_settings] rate limit settings are not permitted for service [elastic] and task type [..]".',
    since: MAIN_VERSION,
    reference: "RateLimitSettings.rejectRateLimitFieldForRequestContext",
    inferred: "switch point",
  },
  // ---------------------------------------------------------------------------------------------------------------
  // Error texts that changed
  "errors.configuration_prefix": {
    summary:
      'Unknown settings read "Configuration contains settings [..] unknown to the [..] service" (before: "Model configuration contains ...").',
    since: MAIN_VERSION,
    reference: "ServiceUtils.throwIfNotEmptyMap (main, 2026)",
  },
  "errors.range_wording_without_a": {
    summary: 'Range errors say "must be greater than or equal to" (before: "must be a greater than or equal to").',
    since: MAIN_VERSION,
    reference: "InferenceUtils in x-pack core (main, 2026)",
    inferred: "switch point",
  },
  // ---------------------------------------------------------------------------------------------------------------
  // Default endpoints and semantic_text
  "defaults.rerank_endpoint": {
    summary: "`.rerank-v1-elasticsearch` is a default endpoint.",
    since: ["8.19.0", "9.1.0"],
    reference: "ElasticsearchInternalService.DEFAULT_RERANK_ID",
  },
  "defaults.max_allocations_32": {
    summary: "Default in-cluster endpoints scale to 32 allocations (before: 8).",
    since: ["8.19.0", "9.1.0"],
    value: 32,
    reference: "DefaultEndPointsIT",
    inferred: "switch point",
  },
  "semantic_text.model_settings_service": {
    summary: "model_settings recorded in semantic_text mappings name the endpoint's service.",
    since: ["8.19.0", "9.1.0"],
    reference: "MinimalServiceSettings.SERVICE_FIELD",
    inferred: "switch point",
  },
} as const satisfies Record<string, BehaviorEntry>;

export type BehaviorName = keyof typeof BEHAVIORS;

/** `_update` starts to apply these service settings of these services (and task types) at `since`. */
export interface UpdatableSettingsEntry {
  readonly services: readonly string[];
  /** Only these task types (all of the services' task types when absent). */
  readonly taskTypes?: readonly TaskType[];
  /** `service_settings` keys; a key a task type's schema does not have is skipped for it. */
  readonly fields: readonly string[];
  readonly since: Since;
  readonly summary: string;
  readonly reference: string;
  readonly inferred?: string;
}

const RATE_AND_TOKENS = ["rate_limit", "max_input_tokens"] as const;

/**
 * Which `service_settings` `_update` applies, per service. Secrets are always replaced by `_update` (8.17+) and task
 * settings always merged; every service setting not listed here is kept (ignored, or rejected from
 * `update.rejects_unknown_settings`): model_id, dimensions, similarity and the like stay immutable.
 */
export const UPDATABLE_SERVICE_SETTINGS: readonly UpdatableSettingsEntry[] = [
  {
    services: ["elasticsearch", "elser"],
    fields: ["num_allocations"],
    since: "8.17.0",
    summary: "In-cluster endpoints: num_allocations, applied through the trained model deployment.",
    reference: "#114457 (Update API)",
  },
  {
    services: ["elasticsearch", "elser"],
    fields: ["adaptive_allocations"],
    since: "9.1.0",
    summary: "In-cluster endpoints: adaptive_allocations, applied through the trained model deployment.",
    reference: "ElasticsearchInternalServiceSettings.updateServiceSettings; TransportUpdateInferenceModelAction",
  },
  {
    services: ["googlevertexai"],
    taskTypes: ["text_embedding"],
    fields: ["max_batch_size"],
    since: "9.3.0",
    summary:
      "Google Vertex AI embeddings: max_batch_size (GoogleVertexAiEmbeddingsServiceSettings.updateServiceSettings).",
    reference: "#138047 (the field, 9.3); TransportUpdateInferenceModelActionTests DEFAULT_UPDATE_REQUEST_BODY",
  },
  {
    services: ["ai21"],
    fields: ["rate_limit"],
    since: "9.4.0",
    summary: "AI21: rate_limit (model_id immutable).",
    reference: "#142597 (changelog 9.4.0)",
  },
  {
    services: ["alibabacloud-ai-search"],
    fields: ["http_schema", ...RATE_AND_TOKENS],
    since: "9.4.0",
    summary:
      "AlibabaCloud AI Search: http_schema, rate_limit, max_input_tokens (service_id, host, workspace immutable).",
    reference: "#142738 (changelog 9.4.0)",
  },
  ...(
    [
      ["amazonbedrock", RATE_AND_TOKENS, "#144749 (region, model, provider, dimensions, similarity immutable)"],
      ["azureaistudio", RATE_AND_TOKENS, "#144812 (target, provider, endpoint_type, dimensions, similarity immutable)"],
      ["azureopenai", RATE_AND_TOKENS, "#145233 (deployment_id, api_version, resource_name, dimensions immutable)"],
      [
        "cohere",
        RATE_AND_TOKENS,
        "#145360 (model_id, url, api_version, similarity, dimensions, embedding_type immutable)",
      ],
      ["fireworksai", ["rate_limit"], "#146493 (also max_input_tokens, which the catalogue does not know)"],
      ["googleaistudio", RATE_AND_TOKENS, "#146671"],
      ["hugging_face", RATE_AND_TOKENS, "#147143"],
      ["watsonxai", RATE_AND_TOKENS, "#147250"],
      ["jinaai", ["rate_limit"], "#147295 (also max_input_tokens, which the catalogue does not know)"],
      ["llama", RATE_AND_TOKENS, "#147310"],
      ["mistral", RATE_AND_TOKENS, "#147414"],
      ["nvidia", RATE_AND_TOKENS, "#147429"],
      ["openai", [...RATE_AND_TOKENS, "organization_id"], "#147465 (model_id, url, dimensions, similarity immutable)"],
      ["openshift_ai", RATE_AND_TOKENS, "#147480"],
      ["voyageai", RATE_AND_TOKENS, "#147676"],
      ["groq", ["rate_limit", "organization_id"], "#146981"],
      ["amazon_sagemaker", ["batch_size"], "#147597"],
      [
        "custom",
        [
          "url",
          "headers",
          "query_parameters",
          "request",
          "response",
          "rate_limit",
          "batch_size",
          "input_type",
          "max_input_tokens",
        ],
        "#146242 (similarity, dimensions immutable)",
      ],
    ] as const
  ).map(([service, fields, reference]): UpdatableSettingsEntry => ({
    services: [service],
    fields,
    since: "9.5.0",
    summary: `${service}: ${fields.join(", ")}.`,
    reference: `${reference}; issue #144522`,
    inferred: "no changelog entry; merged March-May 2026, after the 9.4 branch, before the 9.5 branch",
  })),
  {
    services: ["anthropic", "contextualai", "googlevertexai"],
    fields: ["rate_limit"],
    since: "9.5.0",
    summary: "Anthropic, Contextual AI, Google Vertex AI: rate_limit.",
    reference: "issue #144522 and its per-service pull requests",
    inferred: "no pull request found per service; the 2026 initiative gave every third-party service these fields",
  },
  {
    services: ["tencentcloud"],
    fields: RATE_AND_TOKENS,
    since: MAIN_VERSION,
    summary:
      "TencentCloud AI Gateway: rate_limit, and max_input_tokens of text_embedding (model_id, region, similarity, dimensions immutable; its strict Update parsers refuse them).",
    reference:
      "#152829: TencentCloudCommonServiceSettings.declareCommonUpdatableFields, TencentCloudEmbeddingsServiceSettings.Update",
    inferred: "the service is on main only (merged July 2026, in no 9.5.x changelog bundle)",
  },
];

/** When each task type appeared (the services' own `since` say which services have it). */
export const TASK_TYPE_SINCE: Readonly<Record<TaskType, { readonly since: Since; readonly reference: string }>> = {
  text_embedding: { since: "8.11.0", reference: "TaskType" },
  sparse_embedding: { since: "8.11.0", reference: "TaskType" },
  rerank: { since: "8.14.0", reference: "TaskType" },
  completion: { since: "8.13.0", reference: "TaskType" },
  chat_completion: { since: "8.18.0", reference: "unified chat completion API (8.18 / 9.0)" },
  embedding: { since: "9.4.0", reference: "#140323 (changelog 9.4.0: embedding task for JinaAI), #141547 (EIS)" },
};
