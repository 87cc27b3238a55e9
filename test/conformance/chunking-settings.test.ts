/**
 * `chunking_settings` on create, per version, ported from Elasticsearch's chunking settings unit tests
 * (`x-pack/plugin/inference/src/test/java/org/elasticsearch/xpack/inference/chunking/`): ChunkingSettingsBuilderTests,
 * ChunkingStrategyTests, SentenceBoundaryChunkingSettingsTests, WordBoundaryChunkingSettingsTests,
 * RecursiveChunkingSettingsTests, NoneChunkingSettingsTests. Upstream calls `fromMap` directly; here the same maps go
 * through `PUT _inference` and the stored form or the error is checked, with the version's exact wording. Random
 * values upstream (`randomIntBetween(10, 300)` …) are fixed to values inside the same ranges.
 *
 * Not ported: the wire-serialization round trips (`AbstractWireSerializingTestCase`: createTestInstance,
 * mutateInstance), which have no REST surface; the ChunkingSettingsBuilderTests elastic reranker cases
 * (buildChunkingSettingsForElasticRerank), an internal of the rerank path; `fromMap(map, false)` returning null,
 * which the REST layer never calls.
 */
import { SEPARATOR_GROUPS } from "../../lib/catalogue";
import {
  errorOf,
  MAIN_VERSION,
  openaiEmbedding,
  raw,
  VERSIONS,
  useEmulatorPerVersion,
  type Version,
} from "../emulator/helpers";

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

const SENTENCE_DEFAULT = { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 };

describe.each(VERSIONS)("chunking settings at %s", (v) => {
  describe("ChunkingSettingsBuilderTests", () => {
    it("testNullChunkingSettingsMap / testEmptyChunkingSettingsMap: none, null or {} store the sentence default", async () => {
      for (const c of [undefined, null, {}]) {
        const res = await put(v, c);
        expect(res.json.chunking_settings).toEqual(SENTENCE_DEFAULT);
      }
    });

    it("testChunkingStrategyNotProvided", async () => {
      expect(errorOf(await put(v, { max_chunk_size: 100 }))).toEqual({
        status: 400,
        type: "illegal_argument_exception",
        reason: "Can't generate Chunker without ChunkingStrategy provided",
      });
    });

    it("testValidChunkingSettingsMap: word as given, sentence with sentence_overlap 1", async () => {
      expect((await put(v, { strategy: "word", max_chunk_size: 120, overlap: 40 })).json.chunking_settings).toEqual({
        strategy: "word",
        max_chunk_size: 120,
        overlap: 40,
      });
      expect((await put(v, { strategy: "sentence", max_chunk_size: 100 })).json.chunking_settings).toEqual({
        strategy: "sentence",
        max_chunk_size: 100,
        sentence_overlap: 1,
      });
    });
  });

  describe("ChunkingStrategyTests", () => {
    it("testValidChunkingStrategy", async () => {
      for (const strategy of hasRecursive(v) ? ["word", "sentence", "recursive", "none"] : ["word", "sentence"]) {
        const settings = { strategy, max_chunk_size: 100, ...(strategy === "word" ? { overlap: 10 } : {}) };
        const body = strategy === "none" ? { strategy } : settings;
        expect((await put(v, body)).json.chunking_settings.strategy).toBe(strategy);
      }
    });

    it("testInvalidChunkingStrategy: unknown and differently cased names", async () => {
      for (const strategy of ["qwertyuiop", "Sentence"])
        expect(errorOf(await put(v, { strategy, max_chunk_size: 100 }))).toEqual({
          status: 400,
          type: "illegal_argument_exception",
          reason: `Invalid chunkingStrategy ${strategy}`,
        });
    });
  });

  describe("SentenceBoundaryChunkingSettingsTests", () => {
    it("testMaxChunkSizeNotProvided", async () => {
      expect(errorOf(await put(v, { strategy: "sentence" }))).toEqual(
        validation("[chunking_settings] does not contain the required setting [max_chunk_size]"),
      );
    });

    it("testInvalidInputsProvided: keys of other strategies, in Java HashMap order", async () => {
      expect(errorOf(await put(v, { strategy: "sentence", max_chunk_size: 100, overlap: 2 }))).toEqual(
        validation("Sentence based chunking settings can not have the following settings: [overlap]"),
      );
    });

    it("testValidInputsProvided", async () => {
      expect((await put(v, { strategy: "sentence", max_chunk_size: 20 })).json.chunking_settings).toEqual({
        strategy: "sentence",
        max_chunk_size: 20,
        sentence_overlap: 1,
      });
      expect(
        (await put(v, { strategy: "sentence", max_chunk_size: 300, sentence_overlap: 0 })).json.chunking_settings,
      ).toEqual({ strategy: "sentence", max_chunk_size: 300, sentence_overlap: 0 });
    });

    it("lower bound 20 with the version's wording", async () => {
      expect(errorOf(await put(v, { strategy: "sentence", max_chunk_size: 10 }))).toEqual(
        validation(
          `[chunking_settings] Invalid value [10.0]. [max_chunk_size] must be ${a(v)}greater than or equal to [20.0]`,
        ),
      );
    });

    it("sentence_overlap other than 0 or 1", async () => {
      expect(errorOf(await put(v, { strategy: "sentence", max_chunk_size: 100, sentence_overlap: 2 }))).toEqual(
        validation("sentence_overlap[2] must be either 0 or 1"),
      );
    });
  });

  describe("WordBoundaryChunkingSettingsTests", () => {
    it("testMaxChunkSizeNotProvided", async () => {
      expect(errorOf(await put(v, { strategy: "word", overlap: 10 }))).toEqual(
        validation("[chunking_settings] does not contain the required setting [max_chunk_size]"),
      );
    });

    it("testOverlapNotProvided", async () => {
      expect(errorOf(await put(v, { strategy: "word", max_chunk_size: 100 }))).toEqual(
        validation("[chunking_settings] does not contain the required setting [overlap]"),
      );
    });

    it("testInvalidInputsProvided: unknown keys sorted, before range errors", async () => {
      expect(errorOf(await put(v, { strategy: "word", max_chunk_size: 5, foo: 1, bar: 2 }))).toEqual(
        validation(
          "Word based chunking settings can not have the following settings: [bar, foo]",
          `[chunking_settings] Invalid value [5.0]. [max_chunk_size] must be ${a(v)}greater than or equal to [10.0]`,
        ),
      );
    });

    it("testOverlapGreaterThanHalfMaxChunkSize", async () => {
      expect(errorOf(await put(v, { strategy: "word", max_chunk_size: 101, overlap: 51 }))).toEqual(
        validation(`[chunking_settings] Invalid value [51.0]. [overlap] must be ${a(v)}less than or equal to [50.0]`),
      );
    });

    it("testValidInputsProvided: overlap exactly half", async () => {
      expect((await put(v, { strategy: "word", max_chunk_size: 100, overlap: 50 })).json.chunking_settings).toEqual({
        strategy: "word",
        max_chunk_size: 100,
        overlap: 50,
      });
    });

    it("overlap must be positive", async () => {
      expect(errorOf(await put(v, { strategy: "word", max_chunk_size: 100, overlap: 0 }))).toEqual(
        validation("[chunking_settings] Invalid value [0]. [overlap] must be a positive integer"),
      );
    });

    it("max_chunk_size capped at 300 before 9.2", async () => {
      const res = await put(v, { strategy: "word", max_chunk_size: 301, overlap: 10 });
      if (capped(v))
        expect(errorOf(res)).toEqual(
          validation(
            "[chunking_settings] Invalid value [301.0]. [max_chunk_size] must be a less than or equal to [300.0]",
          ),
        );
      else expect(res.json.chunking_settings).toEqual({ strategy: "word", max_chunk_size: 301, overlap: 10 });
    });
  });

  if (!hasRecursive(v)) {
    it("RecursiveChunkingSettingsTests / NoneChunkingSettingsTests: no recursive or none strategy before 8.19 / 9.1", async () => {
      const recursive = await put(v, { strategy: "recursive", max_chunk_size: 200, separator_group: "markdown" });
      const none = await put(v, { strategy: "none" });
      expect(errorOf(recursive).reason).toBe("Invalid chunkingStrategy recursive");
      expect(errorOf(none).reason).toBe("Invalid chunkingStrategy none");
    });
  } else {
    describe("RecursiveChunkingSettingsTests", () => {
      const recursive = (extra: Record<string, unknown>) =>
        put(v, { strategy: "recursive", max_chunk_size: 50, ...extra });

      it("testFromMapValidSettingsWithSeparators", async () => {
        expect((await recursive({ separators: ["\n", "x"] })).json.chunking_settings).toEqual({
          strategy: "recursive",
          max_chunk_size: 50,
          separators: ["\n", "x"],
        });
      });

      it("testFromMapValidSettingsWithSeparatorGroup: the group is expanded, not echoed; trimmed, any case", async () => {
        for (const group of ["markdown", " MARKDOWN "])
          expect((await recursive({ separator_group: group })).json.chunking_settings).toEqual({
            strategy: "recursive",
            max_chunk_size: 50,
            separators: [...SEPARATOR_GROUPS.markdown],
          });
        expect((await recursive({})).json.chunking_settings.separators).toEqual([...SEPARATOR_GROUPS.plaintext]);
      });

      it("testFromMapMaxChunkSizeTooSmall", async () => {
        expect(errorOf(await put(v, { strategy: "recursive", max_chunk_size: 9 }))).toEqual(
          validation(
            `[chunking_settings] Invalid value [9.0]. [max_chunk_size] must be ${a(v)}greater than or equal to [10.0]`,
          ),
        );
      });

      it("testFromMapInvalidSeparatorGroup", async () => {
        expect(errorOf(await recursive({ separator_group: "invalid" }))).toEqual(
          validation(
            "[chunking_settings] Invalid value [invalid] received. [separator_group] must be one of [markdown, plaintext]",
          ),
        );
      });

      it("testFromMapInvalidSettingKey", async () => {
        expect(errorOf(await recursive({ invalid_key: "invalid_value" }))).toEqual(
          validation("Recursive chunking settings can not have the following settings: [invalid_key]"),
        );
      });

      it("testFromMapBothSeparatorsAndSeparatorGroup: an invalid group only reports the group", async () => {
        expect(errorOf(await recursive({ separator_group: "default", separators: ["\n\n", "\n"] }))).toEqual(
          validation(
            "[chunking_settings] Invalid value [default] received. [separator_group] must be one of [markdown, plaintext]",
          ),
        );
        expect(errorOf(await recursive({ separator_group: "plaintext", separators: ["x"] }))).toEqual(
          validation("Recursive chunking settings can not have both separators and separator_set"),
        );
      });

      it("testFromMapEmptySeparators", async () => {
        expect(errorOf(await recursive({ separators: [] }))).toEqual(
          validation("Recursive chunking settings can not have an empty list of separators"),
        );
      });

      it("separators list size limit (enforceRequestLimits) on main only", async () => {
        const res = await recursive({ separators: Array.from({ length: 51 }, (_, i) => `s${i}`) });
        if (v === MAIN_VERSION)
          expect(errorOf(res)).toEqual(validation("separators list size [51] must not exceed [50]"));
        else expect(res.status).toBe(200);
      });
    });

    it("NoneChunkingSettingsTests: none stores only its strategy, other keys ignored", async () => {
      expect((await put(v, { strategy: "none", ignored: true })).json.chunking_settings).toEqual({ strategy: "none" });
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
