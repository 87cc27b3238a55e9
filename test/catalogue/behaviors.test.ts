/**
 * The registry of server behavior (lib/catalogue/behaviors.ts): switch points per version, backports by patch,
 * removals, values, and per-service `_update` rules that name only fields the service has.
 */
import {
  BEHAVIORS,
  behaviorValue,
  getTaskSpec,
  hasBehavior,
  MAIN_VERSION,
  SERVICE_NAMES,
  taskTypeExists,
  taskTypesOf,
  UPDATABLE_SERVICE_SETTINGS,
  updatableServiceSettings,
  updatableSince,
  type BehaviorName,
} from "../../lib/catalogue";

/** [behavior, versions without it, versions with it]. */
const SWITCHES: readonly [BehaviorName, readonly string[], readonly string[]][] = [
  ["put.timeout", ["8.18.9", "9.0.8"], ["8.19.0", "9.1.0", MAIN_VERSION]],
  ["chunking.recursive_and_none", ["8.18.9", "9.0.8"], ["8.19.0", "9.1.0"]],
  ["defaults.rerank_endpoint", ["8.18.9", "9.0.8"], ["8.19.0", "9.1.0"]],
  ["update.in_cluster_requires_num_allocations", ["9.1.0", "9.2.0", MAIN_VERSION], ["8.18.0", "8.19.9", "9.0.8"]],
  [
    "put.mapping_compatibility_check",
    ["8.18.9", "8.19.6", "9.0.9", "9.1.6", "9.2.0"],
    ["8.19.7", "9.1.7", "9.2.1", "9.3.0", MAIN_VERSION],
  ],
  ["update.live_validation", ["9.3.9"], ["9.4.0"]],
  ["update.timeout", ["9.4.9"], ["9.5.0"]],
  ["update.chunking_settings", ["9.4.9"], ["9.5.0", MAIN_VERSION]],
  ["update.rejects_unknown_settings", ["9.5.9"], [MAIN_VERSION]],
  ["update.default_endpoint_message", ["9.5.9"], [MAIN_VERSION]],
  ["chunking.max_chunk_size_cap", ["9.2.0", MAIN_VERSION], ["8.18.0", "9.1.9"]],
];

describe("behaviors registry", () => {
  it.each(SWITCHES)("%s switches where the server changed", (name, without, withIt) => {
    for (const v of without) expect([v, hasBehavior(name, v)]).toEqual([v, false]);
    for (const v of withIt) expect([v, hasBehavior(name, v)]).toEqual([v, true]);
  });

  it("gives a behavior's value only while it is on", () => {
    expect(behaviorValue("chunking.max_chunk_size_cap", "9.1.0")).toBe(300);
    expect(behaviorValue("chunking.max_chunk_size_cap", "9.2.0")).toBeUndefined();
    expect(behaviorValue("defaults.max_allocations_32", "8.18.0")).toBeUndefined();
    expect(behaviorValue("defaults.max_allocations_32", "9.1.0")).toBe(32);
  });

  it("every entry says what it is and where it comes from", () => {
    for (const [name, entry] of Object.entries(BEHAVIORS)) {
      expect([name, entry.summary.length > 10, entry.reference.length > 3]).toEqual([name, true, true]);
      expect(name).toMatch(/^[a-z_]+\.[a-z0-9_]+$/);
    }
  });

  it("knows when task types appeared", () => {
    expect(taskTypeExists("embedding", "9.3.9")).toBe(false);
    expect(taskTypeExists("embedding", "9.4.0")).toBe(true);
    expect(taskTypeExists("chat_completion", "8.18.0")).toBe(true);
  });
});

describe("updatable service settings", () => {
  it("names only services the catalogue has, and fields some task type of the service has", () => {
    for (const entry of UPDATABLE_SERVICE_SETTINGS)
      for (const service of entry.services) {
        expect([service, SERVICE_NAMES.includes(service as never)]).toEqual([service, true]);
        for (const field of entry.fields) {
          const has = taskTypesOf(service).some((t) =>
            Object.hasOwn(getTaskSpec(service, t)!.serviceSettings.shape, field),
          );
          expect([service, field, has]).toEqual([service, field, true]);
        }
      }
  });

  it("applies rate_limit from 9.5 (9.4 for AI21), never model_id or dimensions", () => {
    expect(updatableServiceSettings("openai", "text_embedding", "9.4.0").has("rate_limit")).toBe(false);
    expect([...updatableServiceSettings("openai", "text_embedding", "9.5.0")].sort()).toEqual([
      "max_input_tokens",
      "organization_id",
      "rate_limit",
    ]);
    expect(updatableServiceSettings("openai", "completion", "9.5.0").has("max_input_tokens")).toBe(false);
    expect(updatableServiceSettings("ai21", "completion", "9.4.0")).toEqual(new Set(["rate_limit"]));
    expect(updatableSince("openai", "text_embedding", "model_id")).toBeUndefined();
    expect(updatableSince("cohere", "text_embedding", "dimensions")).toBeUndefined();
    expect(updatableSince("elasticsearch", "text_embedding", "num_allocations")).toBe("8.17.0");
    expect(updatableSince("elser", "sparse_embedding", "adaptive_allocations")).toBe("9.1.0");
  });

  it("treats user-given names as data", () => {
    expect(updatableServiceSettings("constructor", "text_embedding", MAIN_VERSION).size).toBe(0);
    expect(updatableServiceSettings("openai", "__proto__", MAIN_VERSION).size).toBe(0);
    expect(updatableSince("openai", "text_embedding", "toString")).toBeUndefined();
    expect(getTaskSpec("openai", "constructor")).toBeUndefined();
    expect(getTaskSpec("__proto__", "text_embedding")).toBeUndefined();
  });
});
