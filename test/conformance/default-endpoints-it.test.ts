/**
 * Ported from elastic/elasticsearch
 * x-pack/plugin/inference/qa/inference-service-tests/src/javaRestTest/java/org/elasticsearch/xpack/inference/DefaultEndPointsIT.java,
 * against the emulator at main (and 9.5 for the pre-main update wording).
 *
 * Skipped, and why:
 * - DefaultEndPointsIT.testDefaultModels: it reads the model registry's in-memory minimal configs, not an API.
 * - The deployment checks of testMultipleInferencesTriggeringDownloadAndDeploy (`_ml/trained_models/_stats`): the
 *   emulator runs no models; the parallel inference calls themselves are ported.
 */
import { MAIN_VERSION } from "../../lib/catalogue";
import { errorOf, raw, useConformanceEmulator } from "./helpers";
import type { Emulator } from "../../lib/emulator";

const adaptive = { enabled: true, min_number_of_allocations: 0, max_number_of_allocations: 32 };
const sentenceChunking = { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 };

/** DefaultEndPointsIT.testUpdateDefaultEndpointReturnsBadRequest's request. */
const updateDefaultE5 = (em: Emulator) =>
  raw(em, "PUT", "/_inference/text_embedding/.multilingual-e5-small-elasticsearch/_update", {
    task_type: "text_embedding",
    service_settings: { num_threads: 2 },
  });

describe("DefaultEndPointsIT", () => {
  const em = useConformanceEmulator();
  const get = async (id: string) => (await raw(em(), "GET", `/_inference/${id}`)).json.endpoints[0];

  it("DefaultEndPointsIT.testGet: ELSER, E5 and the reranker as configured by default", async () => {
    const elser = await get(".elser-2-elasticsearch");
    expect([elser.inference_id, elser.service, elser.task_type]).toEqual([
      ".elser-2-elasticsearch",
      "elasticsearch",
      "sparse_embedding",
    ]);
    expect([".elser_model_2", ".elser_model_2_linux-x86_64"]).toContain(elser.service_settings.model_id);
    expect(elser.service_settings.num_threads).toBe(1);
    expect(elser.service_settings.adaptive_allocations).toEqual(adaptive);
    expect(elser.chunking_settings).toEqual(sentenceChunking);

    const e5 = await get(".multilingual-e5-small-elasticsearch");
    expect([e5.service, e5.task_type]).toEqual(["elasticsearch", "text_embedding"]);
    expect([".multilingual-e5-small", ".multilingual-e5-small_linux-x86_64"]).toContain(e5.service_settings.model_id);
    expect(e5.service_settings.num_threads).toBe(1);
    expect(e5.service_settings.adaptive_allocations).toEqual(adaptive);
    expect(e5.chunking_settings).toEqual(sentenceChunking);

    const rerank = await get(".rerank-v1-elasticsearch");
    expect([rerank.service, rerank.task_type, rerank.service_settings.model_id]).toEqual([
      "elasticsearch",
      "rerank",
      ".rerank-v1",
    ]);
    expect(rerank.service_settings.num_threads).toBe(1);
    expect(rerank.service_settings.adaptive_allocations).toEqual(adaptive);
    expect(rerank).not.toHaveProperty("chunking_settings");
    expect(rerank.task_settings).toEqual({ return_documents: true });
  });

  it("DefaultEndPointsIT.testUpdateDefaultEndpointReturnsBadRequest", async () => {
    const res = await updateDefaultE5(em());
    expect(errorOf(res)).toEqual({
      status: 400,
      type: "status_exception",
      reason: "Default endpoint [.multilingual-e5-small-elasticsearch] cannot be updated",
    });
  });

  it.each([
    ["DefaultEndPointsIT.testInferDeploysDefaultElser", ".elser-2-elasticsearch", "sparse_embedding", {}],
    ["DefaultEndPointsIT.testInferDeploysDefaultE5", ".multilingual-e5-small-elasticsearch", "text_embedding", {}],
    ["DefaultEndPointsIT.testInferDeploysDefaultRerank", ".rerank-v1-elasticsearch", "rerank", { query: "but why" }],
  ])("%s", async (_name, id, taskType, extra) => {
    const res = await raw(em(), "POST", `/_inference/${taskType}/${id}?timeout=120s`, {
      input: ["Hello World", "Goodnight moon"],
      ...extra,
    });
    expect(res.status).toBe(200);
    expect(res.json[taskType]).toHaveLength(2);
  });

  it("DefaultEndPointsIT.testMultipleInferencesTriggeringDownloadAndDeploy: parallel calls all succeed", async () => {
    const calls = Array.from({ length: 4 }, () =>
      raw(em(), "POST", "/_inference/.elser-2-elasticsearch?timeout=120s", {
        input: ["Hello World", "Goodnight moon"],
      }),
    );
    expect((await Promise.all(calls)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });
});

describe(`DefaultEndPointsIT before main (${MAIN_VERSION})`, () => {
  const em = useConformanceEmulator({ esVersion: "9.5.0" });

  it("DefaultEndPointsIT.testUpdateDefaultEndpointReturnsBadRequest: released versions refuse the id first", async () => {
    const res = await updateDefaultE5(em());
    expect(errorOf(res)).toEqual({
      status: 400,
      type: "action_request_validation_exception",
      reason:
        "Validation Failed: 1: Invalid inference_id; '.multilingual-e5-small-elasticsearch' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric;",
    });
  });
});
