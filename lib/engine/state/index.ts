/**
 * Where a stack's state lives: a local JSON file (default) or a document in the cluster. Both implement
 * `StateStore`: read, conditional write (serial + 1, `StateConflictError` on a concurrent write), lock (with a
 * renewed lease, taken over when its holder is gone), force-unlock.
 */
export * from "./types";
export { emptyState, parseState, parseStateJson, serializeState, StateFormatError } from "./new-state";
export { assertNoSecretValues, SecretInStateError } from "./secret-guard";
export { ForceUnlockError, LockLostError, UNREADABLE_LOCK_ID } from "./lock-info";
export type { HeldLock } from "./lock-info";
export { LOCK_DEFAULTS, LOCK_LEASE_ENV, LockLeaseSettingError } from "./lease";
export type { LockSettingsOptions } from "./lease";
export { DEFAULT_STATE_DIR, defaultStatePath, FileStateStore } from "./file-store";
export type { FileStateStoreOptions } from "./file-store";
export { ClusterStateStore, DEFAULT_STATE_INDEX } from "./cluster-store";
export type { ClusterStateStoreOptions } from "./cluster-store";
