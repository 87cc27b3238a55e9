/** Default (preconfigured) endpoints (§4, §9.4): always listed, not creatable, not updatable, force-deletable. */
import type { Emulator } from "../../lib/emulator";
import { errorOf, MAIN_VERSION, raw, VERSIONS, useEmulatorPerVersion, type Version } from "./helpers";

const emulatorFor = useEmulatorPerVersion();

const withRerank = (v: Version) => !["8.18.0", "9.0.0"].includes(v);

describe.each(VERSIONS)("default endpoints at %s", (v) => {
  let em: Emulator;
  beforeEach(() => {
    em = emulatorFor(v);
    em.reset();
  });

  it("are listed with their settings (rerank from 8.19 / 9.1)", async () => {
    const ids = (await raw(em, "GET", "/_inference/_all")).json.endpoints.map((e: any) => e.inference_id);
    expect(ids).toEqual([
      ".elser-2-elasticsearch",
      ".multilingual-e5-small-elasticsearch",
      ...(withRerank(v) ? [".rerank-v1-elasticsearch"] : []),
    ]);
    const e5 = (await raw(em, "GET", "/_inference/text_embedding/.multilingual-e5-small-elasticsearch")).json
      .endpoints[0];
    expect(e5).toEqual({
      inference_id: ".multilingual-e5-small-elasticsearch",
      task_type: "text_embedding",
      service: "elasticsearch",
      service_settings: {
        num_threads: 1,
        model_id: ".multilingual-e5-small",
        adaptive_allocations: {
          enabled: true,
          min_number_of_allocations: 0,
          max_number_of_allocations: withRerank(v) ? 32 : 8,
        },
      },
      chunking_settings: { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 },
    });
    if (withRerank(v)) {
      const rerank = (await raw(em, "GET", "/_inference/.rerank-v1-elasticsearch")).json.endpoints[0];
      expect(rerank.task_settings).toEqual({ return_documents: true });
      expect(rerank).not.toHaveProperty("chunking_settings");
    }
  });

  it("every list form includes them: /_inference, /_all, /*, /{task_type}/_all, /{task_type}/*", async () => {
    const all = (await raw(em, "GET", "/_inference")).json;
    expect((await raw(em, "GET", "/_inference/_all")).json).toEqual(all);
    expect((await raw(em, "GET", "/_inference/*")).json).toEqual(all);
    const sparse = (await raw(em, "GET", "/_inference/sparse_embedding/*")).json.endpoints.map(
      (e: any) => e.inference_id,
    );
    expect(sparse).toEqual([".elser-2-elasticsearch"]);
    expect((await raw(em, "GET", "/_inference/SPARSE_EMBEDDING/_all")).json.endpoints).toHaveLength(1);
  });

  it("cannot be deleted without force; with force the delete succeeds and the endpoint is listed again", async () => {
    expect(errorOf(await raw(em, "DELETE", "/_inference/.elser-2-elasticsearch"))).toEqual({
      status: 400,
      type: "status_exception",
      reason:
        "[.elser-2-elasticsearch] is a reserved inference endpoint. Use the force=true query parameter to delete the inference endpoint.",
    });
    const forced = await raw(em, "DELETE", "/_inference/sparse_embedding/.elser-2-elasticsearch?force=true");
    expect(forced.json).toEqual({ acknowledged: true, pipelines: [], indexes: [] });
    expect((await raw(em, "GET", "/_inference/.elser-2-elasticsearch")).status).toBe(200);
  });

  it("cannot be updated (main: its own message; older: the invalid-id validation)", async () => {
    const res = await raw(em, "PUT", "/_inference/sparse_embedding/.elser-2-elasticsearch/_update", {
      service_settings: { num_allocations: 2 },
    });
    expect(res.status).toBe(400);
    expect(errorOf(res).reason).toBe(
      v === MAIN_VERSION
        ? "Default endpoint [.elser-2-elasticsearch] cannot be updated"
        : "Validation Failed: 1: Invalid inference_id; '.elser-2-elasticsearch' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric;",
    );
  });

  it("serve inference", async () => {
    const res = await raw(em, "POST", "/_inference/.multilingual-e5-small-elasticsearch", { input: "hi" });
    expect(res.json.text_embedding[0].embedding).toHaveLength(384);
  });
});
