/**
 * The emulated Elasticsearch version. Every version-dependent behavior of the emulator asks it, and it answers from
 * the catalogue's registry of server behavior (lib/catalogue/behaviors.ts): no version is written in the emulator.
 */
import {
  behaviorValue,
  compareVersions,
  hasBehavior,
  isAtLeast,
  MAIN_VERSION,
  MIN_SUPPORTED_VERSION,
  parseVersion,
  type BehaviorName,
  type Since,
} from "../catalogue";

export interface Behavior {
  /** The emulated version as `major.minor.patch`. */
  readonly version: string;
  /**
   * Whether the version is Elasticsearch's unreleased main branch (MAIN_VERSION), for display: what the version
   * does is asked of `has` / `at`, never of this flag.
   */
  readonly main: boolean;
  /** Whether the version has a catalogue fact that arrived at `since` (a service's, a field's). */
  at(since: Since): boolean;
  /** Whether the version has the registry's behavior. */
  has(name: BehaviorName): boolean;
  /** The registry behavior's value at this version (undefined while the behavior is off). */
  value<N extends BehaviorName>(name: N): ReturnType<typeof behaviorValue<N>>;
}

/** The behavior of one emulated version. Throws for versions esinfer does not manage (below 8.18). */
export function behaviorFor(versionText: string = MAIN_VERSION): Behavior {
  const v = parseVersion(versionText);
  const version = `${v.major}.${v.minor}.${v.patch}`;
  if (compareVersions(version, MIN_SUPPORTED_VERSION) < 0)
    throw new Error(
      `the emulator supports Elasticsearch ${MIN_SUPPORTED_VERSION} and later (got ${versionText}); older versions lack _update with the task type in the body and force-deletable default endpoints`,
    );
  return {
    version,
    main: version === MAIN_VERSION,
    at: (since) => isAtLeast(v, since),
    has: (name) => hasBehavior(name, v),
    value: (name) => behaviorValue(name, v),
  };
}
