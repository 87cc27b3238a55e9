/**
 * semantic_text fields as SemanticTextFieldMapper keeps them: the default endpoint written into a field declared
 * without inference_id; model_settings recorded by the first document (not at mapping time); and the create
 * action's refusal to re-create an id with settings those recorded model_settings cannot use.
 */
import { ElasticsearchClient } from "../../lib/client";
import { errorOf, MAIN_VERSION, raw, useEmulator } from "./helpers";

const embedding = (dimensions: number) => ({
  service: "openai",
  service_settings: { api_key: "sk-test", model_id: "text-embedding-3-small", dimensions, similarity: "cosine" },
});

describe.each(["9.2.1", MAIN_VERSION])("semantic_text at %s", (esVersion) => {
  const { em } = useEmulator({ esVersion });

  it("writes the default inference_id into a field declared without one", async () => {
    await raw(em(), "PUT", "/docs", { mappings: { properties: { body: { type: "semantic_text" } } } });
    expect((await raw(em(), "GET", "/docs/_mapping")).json.docs.mappings.properties.body).toEqual({
      type: "semantic_text",
      inference_id: ".elser-2-elasticsearch",
    });
    await raw(em(), "PUT", "/docs/_mapping", { properties: { title: { type: "semantic_text" } } });
    expect((await raw(em(), "GET", "/docs/_mapping")).json.docs.mappings.properties.title.inference_id).toBe(
      ".elser-2-elasticsearch",
    );
  });

  it("records model_settings when the first document gives the field a value", async () => {
    expect((await raw(em(), "PUT", "/_inference/text_embedding/emb", embedding(512))).status).toBe(200);
    await raw(em(), "PUT", "/docs", {
      mappings: {
        properties: {
          content: { type: "semantic_text", inference_id: "emb" },
          meta: { properties: { sparse: { type: "semantic_text" } } },
        },
      },
    });
    const mapping = async () => (await raw(em(), "GET", "/docs/_mapping")).json.docs.mappings.properties;
    expect((await mapping()).content).not.toHaveProperty("model_settings");
    // A document without the field records nothing.
    await raw(em(), "PUT", "/docs/_doc/0", { other: "x" });
    expect((await mapping()).content).not.toHaveProperty("model_settings");
    await raw(em(), "PUT", "/docs/_doc/1?refresh=true", { content: "hello", "meta.sparse": "world" });
    const withService = esVersion !== "9.0.0";
    expect((await mapping()).content).toEqual({
      type: "semantic_text",
      inference_id: "emb",
      model_settings: {
        ...(withService ? { service: "openai" } : {}),
        task_type: "text_embedding",
        dimensions: 512,
        similarity: "cosine",
        element_type: "float",
      },
    });
    expect((await mapping()).meta.properties.sparse.model_settings).toEqual({
      ...(withService ? { service: "elasticsearch" } : {}),
      task_type: "sparse_embedding",
    });
  });

  it("fails a document whose field names a missing endpoint, writing nothing (bulk: that item only)", async () => {
    await raw(em(), "PUT", "/docs", {
      mappings: { properties: { content: { type: "semantic_text", inference_id: "gone" } } },
    });
    expect(errorOf(await raw(em(), "PUT", "/docs/_doc/1", { content: "x" }))).toEqual({
      status: 404,
      type: "resource_not_found_exception",
      reason: "Inference id [gone] not found for field [content]",
    });
    expect((await raw(em(), "GET", "/docs/_doc/1")).status).toBe(404);
    const res = await raw(
      em(),
      "POST",
      "/docs/_bulk",
      '{"index":{"_id":"2"}}\n{"content":"x"}\n{"index":{"_id":"3"}}\n{"other":1}\n',
      {
        "content-type": "application/x-ndjson",
      },
    );
    expect(res.json.items.map((i: any) => i.index.status)).toEqual([404, 201]);
  });

  it("refuses to re-create an endpoint the recorded model_settings cannot use (after a forced delete)", async () => {
    await raw(em(), "PUT", "/_inference/text_embedding/emb", embedding(512));
    await raw(em(), "PUT", "/docs", {
      mappings: { properties: { content: { type: "semantic_text", inference_id: "emb" } } },
    });
    const client = new ElasticsearchClient({ nodes: [em().url] });
    try {
      await client.bulkDocuments("docs", [{ op: "index", id: "1", source: { content: "hello" } }], { refresh: true });
      expect((await client.getMappings(["docs"])).get("docs")).toMatchObject({
        properties: { content: { model_settings: { dimensions: 512 } } },
      });
    } finally {
      await client.close();
    }
    expect((await raw(em(), "DELETE", "/_inference/emb")).status).toBe(409);
    expect((await raw(em(), "DELETE", "/_inference/emb?force=true")).status).toBe(200);
    expect(errorOf(await raw(em(), "PUT", "/_inference/text_embedding/emb", embedding(256)))).toEqual({
      status: 400,
      type: "status_exception",
      reason:
        "Inference endpoint [emb] could not be created because the inference_id is being used in mappings with incompatible settings for indices: [docs]. Please either use a different inference_id or update the index mappings to refer to a different inference_id.",
    });
    expect((await raw(em(), "GET", "/_inference/emb")).status).toBe(404);
    // The same settings are compatible: the re-create succeeds.
    expect((await raw(em(), "PUT", "/_inference/text_embedding/emb", embedding(512))).status).toBe(200);
  });
});
