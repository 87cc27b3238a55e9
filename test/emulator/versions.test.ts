/** The emulated version: normalized, refused below 8.18, and answering from the catalogue's registry. */
import { hasBehavior, MAIN_VERSION } from "../../lib/catalogue";
import { behaviorFor } from "../../lib/emulator";

describe("behaviorFor", () => {
  it("normalizes the version and refuses versions esinfer does not manage", () => {
    expect(behaviorFor("9.1.0-SNAPSHOT").version).toBe("9.1.0");
    expect(behaviorFor("8.19").version).toBe("8.19.0");
    expect(behaviorFor().version).toBe(MAIN_VERSION);
    expect(() => behaviorFor("8.17.4")).toThrow(/supports Elasticsearch 8\.18\.0 and later \(got 8\.17\.4\)/);
    expect(() => behaviorFor("latest")).toThrow(/not an Elasticsearch version/);
  });

  it("answers every switch and value from the registry, for the emulated version only", () => {
    const b = behaviorFor("9.1.0");
    expect(b.has("put.timeout")).toBe(hasBehavior("put.timeout", "9.1.0"));
    expect(b.has("update.chunking_settings")).toBe(false);
    expect(b.value("chunking.max_chunk_size_cap")).toBe(300);
    expect(behaviorFor("9.2.0").value("chunking.max_chunk_size_cap")).toBeUndefined();
    expect(b.at(["8.19.0", "9.1.0"])).toBe(true);
    expect(b.at("9.2.0")).toBe(false);
  });
});
