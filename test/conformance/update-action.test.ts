/**
 * Ported from elastic/elasticsearch:
 * - x-pack/plugin/inference/src/test/java/org/elasticsearch/xpack/inference/action/UpdateInferenceModelActionRequestTests.java
 *   (the request body parsing, through `PUT _inference/.../_update`);
 * - x-pack/plugin/inference/src/test/java/org/elasticsearch/xpack/inference/action/TransportUpdateInferenceModelActionTests.java
 *   (the transport action, with its Google Vertex AI embeddings endpoint), against the emulator at main.
 *
 * Skipped, and why:
 * - The request tests of wire serialization, fresh-map and deep-copy guarantees (testParseContent_ReturnsFreshMap...,
 *   ...DeepCopiesNestedMaps, ...MutatingReturnedMapsDoesNotCorruptCache, ...OmittedSectionsRemainNull..., the
 *   constructor timeout tests): Java object semantics with no HTTP counterpart.
 * - The transport tests that inject failures into mocks (RuntimeExceptionThrown, NullReturned, ServiceNotFoundInRegistry,
 *   LicenseCheckFailed, ValidationFailed, UpdateModelTransaction..., GetModel..., OnModelUpdatedFails,
 *   ...WhenParserUsedFor...Settings, ForwardsRequestTimeoutToValidation): the emulator has no license, no provider
 *   and no registry to fail; their observable cases (not found, default endpoint, unknown settings, no-op) are ported.
 */
import { errorOf, raw, useConformanceEmulator } from "./helpers";

/** TransportUpdateInferenceModelActionTests.createModel: a Google Vertex AI embeddings endpoint. */
const vertexEmbeddings = {
  service: "googlevertexai",
  service_settings: {
    service_account_json: "some_service_account",
    location: "some_location",
    project_id: "some_project",
    model_id: "some_model",
    max_batch_size: 2,
  },
  task_settings: { input_type: "search", auto_truncate: false },
  chunking_settings: { strategy: "none" },
};

/** TransportUpdateInferenceModelActionTests.DEFAULT_UPDATE_REQUEST_BODY. */
const defaultUpdate = {
  task_type: "text_embedding",
  service_settings: { service_account_json: "some_new_service_account", max_batch_size: 16 },
  task_settings: { input_type: "ingest", auto_truncate: true },
};

describe("UpdateInferenceModelActionRequestTests", () => {
  const em = useConformanceEmulator();
  const update = (body: unknown) => raw(em(), "PUT", "/_inference/text_embedding/test_inference_id/_update", body);

  it.each([
    ["UpdateInferenceModelActionRequestTests.testParseContent_EmptyBody_ThrowsBadRequest", {}, "Request body is empty"],
    [
      "UpdateInferenceModelActionRequestTests.testParseContent_TaskTypeIsNotString_ThrowsBadRequest",
      { task_type: 42 },
      "Failed to parse [task_type] in update request [{task_type=42}]",
    ],
    [
      "UpdateInferenceModelActionRequestTests.testParseContent_ServiceSettingsAreNotMap_ThrowsBadRequest",
      { service_settings: "not_a_map" },
      "Unable to parse [service_settings] in the request [{service_settings=not_a_map}]",
    ],
    [
      "UpdateInferenceModelActionRequestTests.testParseContent_TaskSettingsAreNotMap_ThrowsBadRequest",
      { task_settings: "not_a_map" },
      "Unable to parse [task_settings] in the request [{task_settings=not_a_map}]",
    ],
    [
      "UpdateInferenceModelActionRequestTests.testParseContent_ChunkingSettingsAreNotMap_ThrowsBadRequest",
      { chunking_settings: "not_a_map" },
      "Unable to parse [chunking_settings] in the request [{chunking_settings=not_a_map}]",
    ],
    [
      "UpdateInferenceModelActionRequestTests.testParseContent_UnknownTopLevelField_ThrowsBadRequest",
      { task_type: "text_embedding", unrecognized_top_level_field: "value" },
      "Request contained fields which cannot be updated, remove these fields and try again [{unrecognized_top_level_field=value}]",
    ],
  ])("%s", async (_name, body, reason) => {
    expect(errorOf(await update(body))).toEqual({ status: 400, type: "status_exception", reason });
  });
});

describe("UpdateInferenceModelActionRequestTests at 9.5", () => {
  const em = useConformanceEmulator({ esVersion: "9.5.0" });

  it("UpdateInferenceModelActionRequestTests.testParseContent_TaskTypeIsNotString_ThrowsBadRequest: released versions answer 500", async () => {
    const res = await raw(em(), "PUT", "/_inference/text_embedding/x/_update", { task_type: 42 });
    expect(errorOf(res)).toEqual({
      status: 500,
      type: "status_exception",
      reason: "Failed to parse [task_type] in update request [{task_type=42}]",
    });
    expect(
      errorOf(await raw(em(), "PUT", "/_inference/text_embedding/x/_update", { service_settings: "x" })).reason,
    ).toBe("Unable to parse service settings in the request [{service_settings=x}]");
  });
});

describe("TransportUpdateInferenceModelActionTests", () => {
  const em = useConformanceEmulator();
  const create = () => raw(em(), "PUT", "/_inference/text_embedding/some_inference_entity_id", vertexEmbeddings);
  const update = (body: unknown, id = "some_inference_entity_id") =>
    raw(em(), "PUT", `/_inference/text_embedding/${id}/_update`, body);

  it("TransportUpdateInferenceModelActionTests.testMasterOperation_ResourceNotFoundExceptionThrown_ThrowsElasticsearchStatusException", async () => {
    expect(errorOf(await update(defaultUpdate))).toEqual({
      status: 404,
      type: "resource_not_found_exception",
      reason: "The inference endpoint [some_inference_entity_id] does not exist and cannot be updated",
    });
  });

  it("TransportUpdateInferenceModelActionTests.testMasterOperation_DefaultEndpointCheckFailed_ThrowsElasticsearchStatusException", async () => {
    const res = await update(defaultUpdate, ".multilingual-e5-small-elasticsearch");
    expect(errorOf(res).reason).toBe("Default endpoint [.multilingual-e5-small-elasticsearch] cannot be updated");
  });

  it("TransportUpdateInferenceModelActionTests.testMasterOperation_UpdatesModelSettingsSuccessfully", async () => {
    expect((await create()).status).toBe(200);
    const res = await update(defaultUpdate);
    expect(res.status).toBe(200);
    expect(res.json.service_settings.max_batch_size).toBe(16);
    expect(res.json.task_settings).toEqual({ input_type: "ingest", auto_truncate: true });
    expect(res.json.service_settings).not.toHaveProperty("service_account_json");
  });

  it("TransportUpdateInferenceModelActionTests.testMasterOperation_UpdatedModelIsEqualToExistingModel_ValidationAndUpdateIsSkipped", async () => {
    const created = (await create()).json;
    const res = await update({ task_settings: { input_type: "search" } });
    expect(res.json).toEqual(created);
  });

  it.each([
    [
      "TransportUpdateInferenceModelActionTests.testMasterOperation_UnknownServiceSetting_ThrowsBadRequest",
      "service_settings",
    ],
    [
      "TransportUpdateInferenceModelActionTests.testMasterOperation_UnknownTaskSetting_ThrowsBadRequest",
      "task_settings",
    ],
  ])("%s", async (_name, section) => {
    await create();
    const res = await update({ [section]: { unknown_setting: "unknown_value" } });
    expect(errorOf(res)).toEqual({
      status: 400,
      type: "status_exception",
      reason:
        "Configuration contains settings [{unknown_setting=unknown_value}] unknown to the [googlevertexai] service",
    });
  });

  it("TransportUpdateInferenceModelActionTests.testMasterOperation_UnknownChunkingSetting_ThrowsBadRequest", async () => {
    await create();
    const res = await update({
      chunking_settings: {
        strategy: "sentence",
        max_chunk_size: 20,
        sentence_overlap: 0,
        unknown_setting: "unknown_value",
      },
    });
    expect(errorOf(res)).toEqual({
      status: 400,
      type: "validation_exception",
      reason:
        "Validation Failed: 1: Sentence based chunking settings can not have the following settings: [unknown_setting];",
    });
  });
});
