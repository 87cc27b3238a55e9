/**
 * Where a stack's state lives and how it is locked: the `StateStore` contract both backends implement, lock
 * records, and the errors of stores and locks. The state document itself is in schema.ts.
 */
import { EsinferError } from "../../errors";
import { describeHolder, formatMs, shown } from "./describe";
import type { StackState } from "./schema";

export * from "./schema";

/** A held lock; release it when done (also on failure). */
export interface StateLock {
  /**
   * Removes the lock, if this run still holds it (a lock that was force-unlocked or taken over is left alone, with
   * a note). Idempotent. Bounded in time: when the lock cannot be removed (the cluster is unreachable, the run's
   * requests were abandoned), rejects with {@link LockReleaseError}, which names the lock and the force-unlock
   * command; the lock then expires by itself once its lease runs out.
   */
  release(): Promise<void>;
  /**
   * Aborted when this run is found to have lost the lock while holding it (a renewal found it force-unlocked, or
   * taken over after its lease ran out without a renewal); its reason is a `LockLostError`. Long operations may
   * stop on it. Both stores provide it.
   */
  readonly lost?: AbortSignal;
}

/** Who holds a lock: what messages show. */
export interface LockInfo {
  readonly id: string;
  readonly operation: string;
  /** `user@host pid N`. */
  readonly who: string;
  readonly created_at: string;
  /**
   * How long the lock stays valid without a renewal, in ms (the holder renews it well within that while it runs).
   * Absent in locks written by esinfer versions without leases, which are never taken over by lease.
   */
  readonly lease_ms?: number;
  /** When the holder last renewed it (the holder's clock). */
  readonly renewed_at?: string;
}

/** Per-call options of {@link StateStore.lock}. */
export interface LockOptions {
  /**
   * Called at once when the lock is held by someone else and this call is going to wait for it (`timeoutMs` > 0),
   * and again whenever another holder takes it meanwhile: `message` says who holds it (user, host, pid, operation,
   * since when), how long this call waits, and how to force-unlock it. Default: the store's `onNote`.
   */
  readonly onWait?: (holder: LockInfo, message: string) => void;
  /** Stops waiting when aborted (an interrupted run): the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Where a stack's state lives. Implementations: a local file (default) and a document in the cluster. */
export interface StateStore {
  /** Human description for messages: `file .esinfer/state/prod.json`, `cluster index esinfer-state`. */
  readonly description: string;
  /** The state, or a new empty one (serial 0) when none was written yet. */
  read(): Promise<StackState>;
  /**
   * Writes the next state. Fails with `StateConflictError` when someone else wrote since `read()` (the serial or
   * the store's own version no longer matches), so writes never interleave. Takes its copy of `state` before it
   * first yields: changes the caller makes once `write` has been called are not part of this write.
   */
  write(state: StackState): Promise<StackState>;
  /**
   * Takes the stack's lock, waiting up to `timeoutMs` (0: fail at once) with `StateLockedError` naming the holder.
   * A lock whose holder is known to be gone (a process of this host that no longer runs, or a lease that was not
   * renewed in time) is taken over, with a note. While held, the lock's lease is renewed in the background.
   */
  lock(operation: string, timeoutMs: number, options?: LockOptions): Promise<StateLock>;
  /** Removes a lock left by a crashed run. */
  forceUnlock(lockId: string): Promise<void>;
}

export class StateLockedError extends EsinferError {
  constructor(
    readonly store: string,
    readonly holder: LockInfo,
  ) {
    const { id } = shown(holder);
    super(
      `the stack's state (${store}) is locked by ${describeHolder(holder)} (lock id ${id}); wait for it to ` +
        `finish, or if that run crashed: esinfer force-unlock ${id}`,
      { code: "ESINFER_STATE_LOCKED" },
    );
  }
}

/** The lock could not be removed (e.g. the cluster did not answer); it was left in place and expires by itself. */
export class LockReleaseError extends EsinferError {
  constructor(
    readonly store: string,
    readonly lock: LockInfo,
    reason: string,
  ) {
    const expiry =
      lock.lease_ms === undefined ? "" : ` (other runs take it over ${formatMs(lock.lease_ms)} after its last renewal)`;
    super(
      `could not release the lock ${lock.id} on the stack's state (${store}): ${reason}; it was left in place` +
        `${expiry}; to remove it now: esinfer force-unlock ${lock.id}`,
      { code: "ESINFER_LOCK_RELEASE" },
    );
  }
}

export class StateConflictError extends EsinferError {
  constructor(store: string, detail: string) {
    super(`the stack's state (${store}) was changed by someone else meanwhile (${detail}); plan again`, {
      code: "ESINFER_STATE_CONFLICT",
    });
  }
}

/**
 * Where the state or its lock is kept cannot be used: a path that is a directory, a FIFO or a device, a file that
 * cannot be read or written (permissions, a read-only file system). Nothing was changed.
 */
export class StateAccessError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_STATE_ACCESS" });
  }
}
