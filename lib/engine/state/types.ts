/**
 * Where a stack's state lives and how it is locked: the `StateStore` contract both backends implement, lock
 * records, and the errors of stores and locks. The state document itself is in schema.ts.
 */
import { EsinferError } from "../../errors";
import type { StackState } from "./schema";

export * from "./schema";

/** A held lock; release it when done (also on failure). */
export interface StateLock {
  release(): Promise<void>;
}

export interface LockInfo {
  readonly id: string;
  readonly operation: string;
  readonly who: string;
  readonly created_at: string;
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
  /** Takes the stack's lock, waiting up to `timeoutMs` (0: fail at once) with `StateLockedError` naming the holder. */
  lock(operation: string, timeoutMs: number): Promise<StateLock>;
  /** Removes a lock left by a crashed run. */
  forceUnlock(lockId: string): Promise<void>;
}

export class StateLockedError extends EsinferError {
  constructor(
    readonly store: string,
    readonly holder: LockInfo,
  ) {
    super(
      `the stack's state (${store}) is locked by ${holder.who} for ${holder.operation} since ${holder.created_at} ` +
        `(lock id ${holder.id}); wait for it to finish, or if that run crashed: esinfer force-unlock ${holder.id}`,
      { code: "ESINFER_STATE_LOCKED" },
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
