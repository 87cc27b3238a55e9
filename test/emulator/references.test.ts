/** References from pipelines and semantic_text mappings: DELETE 409, dry_run, force (§1.3). */
import { clientFor, esError, openaiEmbedding, raw, useEmulator } from "./helpers";

describe("references", () => {
  const { em } = useEmulator({ esVersion: "9.1.0" });

  beforeEach(async () => {
    expect((await raw(em(), "PUT", "/_inference/text_embedding/e1", openaiEmbedding())).status).toBe(200);
  });

  const pipeline = (id: string, endpoint: string) =>
    raw(em(), "PUT", `/_ingest/pipeline/${id}`, {
      processors: [{ set: { field: "a", value: 1 } }, { inference: { model_id: endpoint, input_output: [] } }],
    });
  const index = (name: string, properties: Record<string, unknown>) =>
    raw(em(), "PUT", `/${name}`, { mappings: { properties } });

  it("deletes an unreferenced endpoint", async () => {
    expect((await raw(em(), "DELETE", "/_inference/e1")).json).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
    });
  });

  it("refuses with 409 when pipelines refer to it", async () => {
    await pipeline("p1", "e1");
    const res = await raw(em(), "DELETE", "/_inference/e1");
    expect(res.status).toBe(409);
    expect(res.json.error.type).toBe("status_exception");
    expect(res.json.error.reason).toBe(
      "Inference endpoint e1 is referenced by pipelines: [p1]. Ensure that no pipelines are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.",
    );
  });

  it("names indexes after a leading space when only mappings refer to it; nested fields count", async () => {
    await index("docs", {
      body: { type: "object", properties: { text: { type: "semantic_text", inference_id: "e1" } } },
    });
    const res = await raw(em(), "DELETE", "/_inference/e1");
    expect(res.status).toBe(409);
    expect(res.json.error.reason).toBe(
      " Inference endpoint e1 is being used in the mapping for indexes: [docs]. Ensure that no index mappings are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.",
    );
  });

  it("builds the two-part message with Java Set order, and search_inference_id counts", async () => {
    for (const p of ["pipe-b", "pipe-a", "zeta"]) await pipeline(p, "e1");
    await index("idx-1", {
      t: { type: "semantic_text", inference_id: ".elser-2-elasticsearch", search_inference_id: "e1" },
    });
    const dry = await raw(em(), "DELETE", "/_inference/e1?dry_run=true");
    expect(dry.json).toEqual({
      acknowledged: false,
      pipelines: ["zeta", "pipe-a", "pipe-b"],
      indexes: ["idx-1"],
      error_message:
        "Inference endpoint e1 is referenced by pipelines: [zeta, pipe-a, pipe-b]. Ensure that no pipelines are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint. Inference endpoint e1 is being used in the mapping for indexes: [idx-1]. Ensure that no index mappings are using this inference endpoint, or use force to ignore this warning and delete the inference endpoint.",
    });
    // dry_run deleted nothing
    expect((await raw(em(), "GET", "/_inference/e1")).status).toBe(200);
  });

  it("dry_run without references answers an empty error_message", async () => {
    expect((await raw(em(), "DELETE", "/_inference/e1?dry_run")).json).toEqual({
      acknowledged: false,
      pipelines: [],
      indexes: [],
      error_message: "",
    });
  });

  it("force deletes a referenced endpoint", async () => {
    await pipeline("p1", "e1");
    expect((await raw(em(), "DELETE", "/_inference/e1?force=true")).json).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
    });
    expect((await raw(em(), "GET", "/_inference/e1")).status).toBe(404);
  });

  it("references go away with the pipeline or index", async () => {
    await pipeline("p1", "e1");
    await index("docs", { t: { type: "semantic_text", inference_id: "e1" } });
    expect((await raw(em(), "DELETE", "/_ingest/pipeline/p1")).json).toEqual({ acknowledged: true });
    expect((await raw(em(), "DELETE", "/docs")).json).toEqual({ acknowledged: true });
    expect((await raw(em(), "DELETE", "/_inference/e1")).status).toBe(200);
  });

  it("a semantic_text field without inference_id refers to the default ELSER endpoint", async () => {
    await index("docs", { t: { type: "semantic_text" } });
    const res = await raw(em(), "DELETE", "/_inference/.elser-2-elasticsearch?dry_run=true&force=true");
    expect(res.json.indexes).toEqual(["docs"]);
  });

  it("accepts references to endpoints that do not exist (documented leniency)", async () => {
    expect((await pipeline("p2", "missing")).status).toBe(200);
    expect((await index("other", { t: { type: "semantic_text", inference_id: "missing" } })).status).toBe(200);
  });

  it("mapping and pipeline APIs answer like Elasticsearch", async () => {
    await index("docs", { t: { type: "semantic_text", inference_id: "e1" } });
    expect((await raw(em(), "GET", "/docs/_mapping")).json).toEqual({
      docs: { mappings: { properties: { t: { type: "semantic_text", inference_id: "e1" } } } },
    });
    expect((await raw(em(), "PUT", "/docs", {})).json.error.type).toBe("resource_already_exists_exception");
    await pipeline("p1", "e1");
    expect(Object.keys((await raw(em(), "GET", "/_ingest/pipeline/p1")).json)).toEqual(["p1"]);
    const missing = await raw(em(), "GET", "/_ingest/pipeline/nope");
    expect([missing.status, missing.json]).toEqual([404, {}]);
    expect((await raw(em(), "GET", "/nope/_mapping")).json.error.type).toBe("index_not_found_exception");
  });

  it("the official client sees the 409 as a ResponseError", async () => {
    await pipeline("p1", "e1");
    const client = clientFor(em());
    const e = await esError(client.inference.delete({ inference_id: "e1" }));
    expect(e.status).toBe(409);
    await client.close();
  });
});
