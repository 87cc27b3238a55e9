/**
 * Behavior switches of the emulated Elasticsearch version. Every version-dependent behavior of the emulator reads
 * one of these flags, so the list below is also the list of what differs between releases.
 */
import {
  compareVersions,
  isAtLeast,
  MAIN_VERSION,
  MAX_CHUNK_SIZE_CAP,
  MIN_SUPPORTED_VERSION,
  parseVersion,
  type Since,
  type Version,
} from "../catalogue";

export interface Behavior {
  /** The emulated version as `major.minor.patch`. */
  readonly version: string;
  /** Whether the version has a feature that arrived at `since`. */
  at(since: Since): boolean;
  /** "main (2026)" behavior (MAIN_VERSION and later). */
  readonly main: boolean;
  /** Prefix of the unknown-settings error: `Model configuration` before main (2026), `Configuration` on main. */
  readonly unknownSettingsPrefix: string;
  /**
   * Range errors say "must be a greater than or equal to" until the chunking classes moved to x-pack core with
   * InferenceUtils (main, 2026), then "must be greater than or equal to". (Switch point inferred.)
   */
  readonly rangeWordingWithA: boolean;
  /** Upper bound on `max_chunk_size` (300 from 8.16 until PR #133718, 9.2); undefined = none. */
  readonly maxChunkSizeCap: number | undefined;
  /** `recursive` and `none` chunking strategies (8.19 / 9.1). */
  readonly recursiveAndNoneChunking: boolean;
  /** Limit on the number of recursive `separators` in a request (main, 2026). */
  readonly maxSeparators: number | undefined;
  /** `timeout` query parameter on PUT (8.19 / 9.1). */
  readonly putTimeout: boolean;
  /** `timeout` query parameter on `_update` (9.5). */
  readonly updateTimeout: boolean;
  /** `_update` accepts `chunking_settings` and replaces them (main, 2026). */
  readonly updateChunking: boolean;
  /** `_update` merges `service_settings` and rejects unknown keys (main, 2026); before, it only replaces secrets. */
  readonly updateMergesServiceSettings: boolean;
  /** `_update` applies `num_allocations` of in-cluster endpoints (8.17). */
  readonly updateNumAllocations: boolean;
  /** `_update` applies `adaptive_allocations` of in-cluster endpoints (9.1). */
  readonly updateAdaptiveAllocations: boolean;
  /**
   * `_update` of an in-cluster endpoint fails with "Failed to parse [num_allocations] of update request [...]" unless
   * its `service_settings` carry an integer `num_allocations` (8.17 to 9.0; from 9.1 the deployment update takes
   * the merged allocation settings instead).
   */
  readonly updateInClusterNeedsNumAllocations: boolean;
  /**
   * PUT refuses an id still used by `semantic_text` mappings whose recorded `model_settings` do not match the new
   * endpoint (PR #137055, backported to 8.19 / 9.1 / 9.2 in November 2025; patch releases inferred).
   */
  readonly putChecksMappingCompatibility: boolean;
  /** `_update` of a `.`-id says "Default endpoint [..] cannot be updated" (main) instead of the invalid-id error. */
  readonly defaultEndpointUpdateMessage: boolean;
  /** `.rerank-v1-elasticsearch` is a default endpoint (8.19 / 9.1). */
  readonly rerankDefaultEndpoint: boolean;
  /** The `embedding` task type exists (9.4). */
  readonly embeddingTaskType: boolean;
  /** `max_number_of_allocations` of the default in-cluster endpoints (32; 8 in older versions; switch inferred). */
  readonly defaultMaxAllocations: number;
}

/** Whether a fix backported to several minors (first patch per minor) is in `v`; later minors have it from `since`. */
function patchedIn(v: Version, backports: Readonly<Record<string, string>>, since: string): boolean {
  const first = backports[`${v.major}.${v.minor}`];
  return compareVersions(v, first ?? since) >= 0;
}

/** The behavior of one emulated version. Throws for versions esinfer does not manage (below 8.18). */
export function behaviorFor(versionText: string = MAIN_VERSION): Behavior {
  const v = parseVersion(versionText);
  const version = `${v.major}.${v.minor}.${v.patch}`;
  if (compareVersions(version, MIN_SUPPORTED_VERSION) < 0)
    throw new Error(
      `the emulator supports Elasticsearch ${MIN_SUPPORTED_VERSION} and later (got ${versionText}); older versions lack _update with the task type in the body and force-deletable default endpoints`,
    );
  const at = (since: Since) => isAtLeast(version, since);
  const main = at(MAIN_VERSION);
  return {
    version,
    at,
    main,
    unknownSettingsPrefix: main ? "Configuration" : "Model configuration",
    rangeWordingWithA: !main,
    maxChunkSizeCap: at(MAX_CHUNK_SIZE_CAP.removedIn) ? undefined : MAX_CHUNK_SIZE_CAP.value,
    recursiveAndNoneChunking: at(["8.19.0", "9.1.0"]),
    maxSeparators: main ? 50 : undefined,
    putTimeout: at(["8.19.0", "9.1.0"]),
    updateTimeout: at("9.5.0"),
    updateChunking: main,
    updateMergesServiceSettings: main,
    updateNumAllocations: at("8.17.0"),
    updateAdaptiveAllocations: at("9.1.0"),
    updateInClusterNeedsNumAllocations: !at("9.1.0"),
    putChecksMappingCompatibility: patchedIn(v, { "8.19": "8.19.7", "9.1": "9.1.7", "9.2": "9.2.1" }, "9.3.0"),
    defaultEndpointUpdateMessage: main,
    rerankDefaultEndpoint: at(["8.19.0", "9.1.0"]),
    embeddingTaskType: at("9.4.0"),
    defaultMaxAllocations: at(["8.19.0", "9.1.0"]) ? 32 : 8,
  };
}
