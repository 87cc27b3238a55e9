/** The version switches (§6): which emulated version has which behavior, including patch-level backports. */
import { MAIN_VERSION } from "../../lib/catalogue";
import { behaviorFor, type Behavior } from "../../lib/emulator";

type Flag = Exclude<keyof Behavior, "version" | "at">;

/** [flag, versions without it, versions with it]. */
const SWITCHES: readonly [Flag, readonly string[], readonly string[]][] = [
  ["putTimeout", ["8.18.9", "9.0.8"], ["8.19.0", "9.1.0", MAIN_VERSION]],
  ["recursiveAndNoneChunking", ["8.18.9", "9.0.8"], ["8.19.0", "9.1.0"]],
  ["rerankDefaultEndpoint", ["8.18.9", "9.0.8"], ["8.19.0", "9.1.0"]],
  ["updateAdaptiveAllocations", ["8.18.0", "8.19.9", "9.0.8"], ["9.1.0", MAIN_VERSION]],
  ["updateInClusterNeedsNumAllocations", ["9.1.0", "9.2.0", MAIN_VERSION], ["8.18.0", "8.19.9", "9.0.8"]],
  [
    "putChecksMappingCompatibility",
    ["8.18.9", "8.19.6", "9.0.9", "9.1.6", "9.2.0"],
    ["8.19.7", "9.1.7", "9.2.1", "9.3.0"],
  ],
  ["embeddingTaskType", ["9.3.9"], ["9.4.0"]],
  ["updateTimeout", ["9.4.9"], ["9.5.0"]],
  ["updateChunking", ["9.5.9"], [MAIN_VERSION]],
  ["updateMergesServiceSettings", ["9.5.9"], [MAIN_VERSION]],
  ["defaultEndpointUpdateMessage", ["9.5.9"], [MAIN_VERSION]],
];

describe("behaviorFor", () => {
  it.each(SWITCHES)("%s", (flag, without, withIt) => {
    for (const v of without) expect([v, behaviorFor(v)[flag]]).toEqual([v, false]);
    for (const v of withIt) expect([v, behaviorFor(v)[flag]]).toEqual([v, true]);
  });

  it("has the 300 cap on max_chunk_size until 9.2 and the unknown-settings prefix change on main", () => {
    expect(behaviorFor("9.1.0").maxChunkSizeCap).toBe(300);
    expect(behaviorFor("9.2.0").maxChunkSizeCap).toBeUndefined();
    expect(behaviorFor("9.5.0").unknownSettingsPrefix).toBe("Model configuration");
    expect(behaviorFor(MAIN_VERSION).unknownSettingsPrefix).toBe("Configuration");
  });

  it("normalizes the version and refuses versions esinfer does not manage", () => {
    expect(behaviorFor("9.1.0-SNAPSHOT").version).toBe("9.1.0");
    expect(behaviorFor("8.19").version).toBe("8.19.0");
    expect(() => behaviorFor("8.17.4")).toThrow(/supports Elasticsearch 8\.18\.0 and later \(got 8\.17\.4\)/);
    expect(() => behaviorFor("latest")).toThrow(/not an Elasticsearch version/);
  });
});
