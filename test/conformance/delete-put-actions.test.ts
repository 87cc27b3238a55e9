/**
 * Ported from elastic/elasticsearch:
 * - x-pack/plugin/inference/src/test/java/org/elasticsearch/xpack/inference/action/TransportDeleteInferenceEndpointActionTests.java
 * - x-pack/plugin/core/src/test/java/org/elasticsearch/xpack/core/inference/action/PutInferenceModelActionTests.java
 * through the REST API of the emulator.
 *
 * Skipped, and why:
 * - TransportDeleteInferenceEndpointActionTests.testFailsToDeleteUnparsableEndpoint_WhenForceIsFalse / ...IsTrue and
 *   ...ModelDeploymentStopFails...: a stored configuration the service cannot parse, or a deployment that fails to
 *   stop, cannot arise in the emulator (it stores only what it parsed, and runs no deployments). The "no service"
 *   cases are ported with a state file written by a cluster that had the service.
 * - PutInferenceModelActionTests.testValidate with a null id: a REST path always carries an id.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../../lib/emulator";
import { errorOf, raw, useConformanceEmulator } from "./helpers";

describe("TransportDeleteInferenceEndpointActionTests", () => {
  const em = useConformanceEmulator();

  it("TransportDeleteInferenceEndpointActionTests.testFailsToDelete_ADefaultEndpoint_WithoutPassingForceQueryParameter", async () => {
    expect(errorOf(await raw(em(), "DELETE", "/_inference/.elser-2-elasticsearch"))).toEqual({
      status: 400,
      type: "status_exception",
      reason:
        "[.elser-2-elasticsearch] is a reserved inference endpoint. Use the force=true query parameter to delete the inference endpoint.",
    });
  });

  it("TransportDeleteInferenceEndpointActionTests.testDeletesDefaultEndpoint_WhenForceIsTrue", async () => {
    const res = await raw(em(), "DELETE", "/_inference/.elser-2-elasticsearch?force=true");
    expect(res.json).toEqual({ acknowledged: true, pipelines: [], indexes: [] });
  });

  describe.each([
    ["9.1.0", true],
    ["9.0.0", false],
  ])("an endpoint whose service this cluster does not have, at %s", (esVersion, forceDeletes) => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "esinfer-conformance-"));
      // A state file from a cluster that had a service this one lacks (an endpoint of a removed plugin).
      writeFileSync(
        join(dir, "esinfer-emulator-state.json"),
        JSON.stringify({
          format: 1,
          endpoints: [
            {
              inference_id: "orphan",
              task_type: "completion",
              service: "hugging_face_elser",
              service_settings: {},
              task_settings: {},
              secrets: {},
            },
          ],
          pipelines: {},
          indices: [],
        }),
      );
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("TransportDeleteInferenceEndpointActionTests.testFailsToDeleteEndpointWithNoService_WhenForceIsFalse", async () => {
      const emulator = await startEmulator({ esVersion, dataDir: dir });
      try {
        expect(errorOf(await raw(emulator, "DELETE", "/_inference/orphan"))).toEqual({
          status: 404,
          type: "status_exception",
          reason: "No service found for this inference endpoint orphan",
        });
      } finally {
        await emulator.stop();
      }
    });

    it(`TransportDeleteInferenceEndpointActionTests.testDeletesEndpointWithNoService_WhenForceIsTrue (${forceDeletes ? "#129090" : "before #129090"})`, async () => {
      const emulator = await startEmulator({ esVersion, dataDir: dir });
      try {
        const res = await raw(emulator, "DELETE", "/_inference/orphan?force=true");
        if (forceDeletes) {
          expect(res.json.acknowledged).toBe(true);
          expect((await raw(emulator, "GET", "/_inference/orphan")).status).toBe(404);
        } else expect(errorOf(res).reason).toBe("No service found for this inference endpoint orphan");
      } finally {
        await emulator.stop();
      }
    });
  });
});

describe("PutInferenceModelActionTests", () => {
  const em = useConformanceEmulator();
  const body = (extra: Record<string, unknown>) => ({
    service: "elasticsearch",
    service_settings: { model_id: ".elser_model_2", num_threads: 1, num_allocations: 1 },
    ...extra,
  });

  it("PutInferenceModelActionTests.testValidate: a valid id, and ids the pattern refuses", async () => {
    expect((await raw(em(), "PUT", "/_inference/sparse_embedding/abc_-0", body({}))).status).toBe(200);
    for (const id of ["abc%20x", "abc*", "Abc"])
      expect(errorOf(await raw(em(), "PUT", `/_inference/sparse_embedding/${id}`, body({}))).type).toBe(
        "action_request_validation_exception",
      );
  });

  it("PutInferenceModelActionTests.testWithParameters: parameters are the task settings", async () => {
    const res = await raw(em(), "PUT", "/_inference/rerank/with-parameters", {
      service: "elasticsearch",
      service_settings: { model_id: ".rerank-v1", num_threads: 1, num_allocations: 1 },
      parameters: { return_documents: false },
    });
    expect(res.status).toBe(200);
    expect(res.json.task_settings).toEqual({ return_documents: false });
  });

  it("PutInferenceModelActionTests.testWithParametersAndTaskSettings", async () => {
    const res = await raw(
      em(),
      "PUT",
      "/_inference/sparse_embedding/both",
      body({ parameters: { a: 1 }, task_settings: { a: 2 } }),
    );
    expect(errorOf(res)).toEqual({
      status: 400,
      type: "status_exception",
      reason: "Request cannot contain both [task_settings] and [parameters], use only [parameters]",
    });
  });

  it("PutInferenceModelActionTests.testWithTaskSettings", async () => {
    const res = await raw(em(), "PUT", "/_inference/rerank/with-task-settings", {
      service: "elasticsearch",
      service_settings: { model_id: ".rerank-v1", num_threads: 1, num_allocations: 1 },
      task_settings: { return_documents: true },
    });
    expect(res.json.task_settings).toEqual({ return_documents: true });
  });
});
