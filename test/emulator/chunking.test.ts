/** `chunking_settings` on create (§5), per version: strategies, limits, stored forms and messages. */
import { SEPARATOR_GROUPS } from "../../lib/catalogue";
import { errorOf, MAIN_VERSION, openaiEmbedding, raw, VERSIONS, useEmulatorPerVersion, type Version } from "./helpers";

const emulatorFor = useEmulatorPerVersion();

const capped = (v: Version) => ["8.18.0", "8.19.0", "9.0.0", "9.1.0"].includes(v);
const hasRecursive = (v: Version) => v !== "8.18.0" && v !== "9.0.0";
const a = (v: Version) => (v === MAIN_VERSION ? "" : "a ");

async function put(v: Version, chunking: unknown, taskType = "text_embedding") {
  const em = emulatorFor(v);
  em.reset();
  const body = { ...openaiEmbedding(), ...(chunking === undefined ? {} : { chunking_settings: chunking }) };
  return raw(em, "PUT", `/_inference/${taskType}/c1`, body);
}

const validation = (...errors: string[]) => ({
  status: 400,
  type: "validation_exception",
  reason: `Validation Failed: ${errors.map((e, i) => `${i + 1}: ${e};`).join("")}`,
});

describe.each(VERSIONS)("chunking at %s", (v) => {
  it("stores the sentence default when none, null or {} is given", async () => {
    for (const c of [undefined, null, {}]) {
      const res = await put(v, c);
      expect(res.json.chunking_settings).toEqual({ strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 });
    }
  });

  it("fills sentence_overlap 1", async () => {
    const res = await put(v, { strategy: "sentence", max_chunk_size: 100 });
    expect(res.json.chunking_settings).toEqual({ strategy: "sentence", max_chunk_size: 100, sentence_overlap: 1 });
  });

  it("stores word settings as given", async () => {
    const res = await put(v, { strategy: "word", max_chunk_size: 120, overlap: 40 });
    expect(res.json.chunking_settings).toEqual({ strategy: "word", max_chunk_size: 120, overlap: 40 });
  });

  it("requires a strategy once any key is given", async () => {
    expect(errorOf(await put(v, { max_chunk_size: 100 }))).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason: "Can't generate Chunker without ChunkingStrategy provided",
    });
  });

  it("matches strategies case-sensitively", async () => {
    expect(errorOf(await put(v, { strategy: "Sentence", max_chunk_size: 100 }))).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason: "Invalid chunkingStrategy Sentence",
    });
  });

  it("checks the sentence lower bound with the version's wording", async () => {
    expect(errorOf(await put(v, { strategy: "sentence", max_chunk_size: 10 }))).toEqual(
      validation(
        `[chunking_settings] Invalid value [10.0]. [max_chunk_size] must be ${a(v)}greater than or equal to [20.0]`,
      ),
    );
  });

  it("caps max_chunk_size at 300 before 9.2", async () => {
    const res = await put(v, { strategy: "word", max_chunk_size: 301, overlap: 10 });
    if (capped(v))
      expect(errorOf(res)).toEqual(
        validation(
          "[chunking_settings] Invalid value [301.0]. [max_chunk_size] must be a less than or equal to [300.0]",
        ),
      );
    else expect(res.json.chunking_settings).toEqual({ strategy: "word", max_chunk_size: 301, overlap: 10 });
  });

  it("rejects sentence_overlap other than 0 or 1", async () => {
    expect(errorOf(await put(v, { strategy: "sentence", max_chunk_size: 100, sentence_overlap: 2 }))).toEqual(
      validation("sentence_overlap[2] must be either 0 or 1"),
    );
  });

  it("rejects keys of other strategies, in Java HashMap order, before range errors", async () => {
    expect(errorOf(await put(v, { strategy: "word", max_chunk_size: 5, foo: 1, bar: 2 }))).toEqual(
      validation(
        "Word based chunking settings can not have the following settings: [bar, foo]",
        `[chunking_settings] Invalid value [5.0]. [max_chunk_size] must be ${a(v)}greater than or equal to [10.0]`,
      ),
    );
    expect(errorOf(await put(v, { strategy: "sentence", max_chunk_size: 100, overlap: 2 }))).toEqual(
      validation("Sentence based chunking settings can not have the following settings: [overlap]"),
    );
  });

  it("word: overlap required, positive, at most half of max_chunk_size", async () => {
    expect(errorOf(await put(v, { strategy: "word", max_chunk_size: 100 }))).toEqual(
      validation("[chunking_settings] does not contain the required setting [overlap]"),
    );
    expect(errorOf(await put(v, { strategy: "word", max_chunk_size: 100, overlap: 0 }))).toEqual(
      validation("[chunking_settings] Invalid value [0]. [overlap] must be a positive integer"),
    );
    expect(errorOf(await put(v, { strategy: "word", max_chunk_size: 101, overlap: 51 }))).toEqual(
      validation(`[chunking_settings] Invalid value [51.0]. [overlap] must be ${a(v)}less than or equal to [50.0]`),
    );
    expect(errorOf(await put(v, { strategy: "word", overlap: 10 }))).toEqual(
      validation("[chunking_settings] does not contain the required setting [max_chunk_size]"),
    );
  });

  it("recursive and none exist from 8.19 / 9.1", async () => {
    const recursive = await put(v, { strategy: "recursive", max_chunk_size: 200, separator_group: "markdown" });
    const none = await put(v, { strategy: "none", ignored: true });
    if (!hasRecursive(v)) {
      expect(errorOf(recursive).reason).toBe("Invalid chunkingStrategy recursive");
      expect(errorOf(none).reason).toBe("Invalid chunkingStrategy none");
      return;
    }
    // separator_group is expanded into separators and not echoed back
    expect(recursive.json.chunking_settings).toEqual({
      strategy: "recursive",
      max_chunk_size: 200,
      separators: [...SEPARATOR_GROUPS.markdown],
    });
    expect(none.json.chunking_settings).toEqual({ strategy: "none" });
  });

  if (hasRecursive(v)) {
    it("recursive: plaintext by default; exclusive group and list; no empty list; group names", async () => {
      expect((await put(v, { strategy: "recursive", max_chunk_size: 50 })).json.chunking_settings.separators).toEqual([
        ...SEPARATOR_GROUPS.plaintext,
      ]);
      expect(
        (await put(v, { strategy: "recursive", max_chunk_size: 50, separators: ["\n"] })).json.chunking_settings,
      ).toEqual({ strategy: "recursive", max_chunk_size: 50, separators: ["\n"] });
      expect(
        errorOf(
          await put(v, { strategy: "recursive", max_chunk_size: 50, separators: ["x"], separator_group: "plaintext" }),
        ),
      ).toEqual(validation("Recursive chunking settings can not have both separators and separator_set"));
      expect(errorOf(await put(v, { strategy: "recursive", max_chunk_size: 50, separators: [] }))).toEqual(
        validation("Recursive chunking settings can not have an empty list of separators"),
      );
      expect(errorOf(await put(v, { strategy: "recursive", max_chunk_size: 50, separator_group: "html" }))).toEqual(
        validation(
          "[chunking_settings] Invalid value [html] received. [separator_group] must be one of [markdown, plaintext]",
        ),
      );
      expect(errorOf(await put(v, { strategy: "recursive", max_chunk_size: 9 }))).toEqual(
        validation(
          `[chunking_settings] Invalid value [9.0]. [max_chunk_size] must be ${a(v)}greater than or equal to [10.0]`,
        ),
      );
      const many = Array.from({ length: 51 }, (_, i) => `s${i}`);
      const res = await put(v, { strategy: "recursive", max_chunk_size: 50, separators: many });
      if (v === MAIN_VERSION)
        expect(errorOf(res)).toEqual(validation("separators list size [51] must not exceed [50]"));
      else expect(res.status).toBe(200);
    });
  }

  it("endpoints of task types without chunking return none", async () => {
    const em = emulatorFor(v);
    em.reset();
    const res = await raw(em, "PUT", "/_inference/completion/c2", {
      service: "openai",
      service_settings: { api_key: "k", model_id: "gpt-4o" },
    });
    expect(res.json).not.toHaveProperty("chunking_settings");
  });
});
