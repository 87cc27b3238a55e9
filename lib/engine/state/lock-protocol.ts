/**
 * The stack lock, the same for both stores: take it (waiting, saying who holds it, taking over a holder that is
 * gone), renew its lease while it is held, release it, force-unlock it. A store supplies a {@link LockBackend}:
 * where the lock record lives and its compare-and-set operations (an exclusively created file, a document written
 * with `op_type=create` / `if_seq_no`).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { escapeUnsafe } from "../../model/text";
import { goneReason, msUntilLeaseRuns, watchOf, type LockSettings, type SeenLock, type Watch } from "./lease";
import {
  ForceUnlockError,
  LockLostError,
  lockInfoOf,
  newLockRecord,
  renewedRecord,
  type HeldLock,
  type LockHolderPlace,
  type LockRecord,
} from "./lock-info";
import { describeHolder, formatMs, shown } from "./describe";
import { LockReleaseError, StateAccessError, StateLockedError, type LockInfo, type LockOptions } from "./types";

/** A lock as a backend read it. */
export interface StoredLock extends SeenLock {
  /** What messages show of its holder (a placeholder for an unreadable lock). */
  readonly info: LockInfo;
}

/**
 * Where a lock record lives. `Handle` is what the backend needs to rewrite or remove a lock it wrote (a document's
 * sequence number, a file's inode). Every operation is atomic with respect to the others, across processes.
 */
export interface LockBackend<Handle, Seen extends StoredLock> {
  /** Names the lock in messages: `file .esinfer/state/prod.json`, `cluster index esinfer-state (document lock:prod)`. */
  readonly lockDescription: string;
  /** Stores `record` as the lock if there is none; undefined when a lock exists. */
  create(record: LockRecord): Promise<Handle | undefined>;
  /** The lock, or undefined when there is none. */
  read(): Promise<Seen | undefined>;
  /** Replaces the lock with `record` if it is still exactly `seen` (same version); undefined when it changed. */
  replace(seen: Seen, record: LockRecord): Promise<Handle | undefined>;
  /** Writes `record` (a renewal) over the lock this run holds; "lost" when the lock is no longer this run's. */
  renew(held: Handle, record: LockRecord): Promise<Handle | "lost">;
  /** Removes the lock if its id is `id` (`held`: where this run last wrote it); false when it is not there. */
  remove(id: string, held?: Handle): Promise<boolean>;
}

/** What the protocol needs besides the backend. */
export interface LockContext {
  /** The state store's description, as messages about the stack's state name it. */
  readonly description: string;
  readonly note: (message: string) => void;
  /** The settings, or the error of an invalid `ESINFER_LOCK_LEASE` (thrown when a lock is taken). */
  readonly settings: LockSettings | Error;
  readonly here: LockHolderPlace;
}

// A lock that keeps vanishing between a failed create and the read is being taken and released at a furious rate
// or the backend cannot see what blocks it; either way, give up instead of spinning.
const MAX_VANISHED = 1000;

/** Takes the lock: see {@link StateStore.lock}. */
export async function acquireLock<H, S extends StoredLock>(
  backend: LockBackend<H, S>,
  context: LockContext,
  operation: string,
  timeoutMs: number,
  options: LockOptions = {},
): Promise<HeldLock> {
  const { settings } = context;
  if (settings instanceof Error) throw settings;
  const { signal } = options;
  const started = performance.now();
  const deadline = started + Math.max(0, timeoutMs);
  let watch: Watch | undefined;
  let announced: string | undefined;
  let vanished = 0;
  for (;;) {
    if (signal?.aborted) throw abortReason(signal);
    // Stamped per attempt: a record written after a long wait must not look unrenewed since the wait began.
    const record = newLockRecord(operation, context.here, settings.leaseMs);
    const created = await backend.create(record);
    if (created !== undefined) return new RenewedLock(backend, context, settings, created, record);
    const seen = await backend.read();
    if (seen === undefined) {
      // released meanwhile: try again at once
      if (++vanished > MAX_VANISHED)
        throw new StateAccessError(
          `the lock on the stack's state (${context.description}) could not be taken: it exists when created and ` +
            `is gone when read, ${MAX_VANISHED} times in a row`,
        );
      continue;
    }
    vanished = 0;
    const now = performance.now();
    watch = watchOf(seen, watch, now);
    const gone = goneReason(seen, watch, { here: context.here, settings, now });
    if (gone !== undefined) {
      const fresh = newLockRecord(operation, context.here, settings.leaseMs);
      const taken = await backend.replace(seen, fresh);
      if (taken === undefined) continue; // it changed meanwhile (renewed, released, or someone else took it)
      const info = shown(seen.info);
      context.note(
        `took over the lock on the stack's state (${context.description}) held by ${info.who} for ` +
          `${info.operation} since ${info.created_at} (lock id ${info.id}): ${gone}`,
      );
      return new RenewedLock(backend, context, settings, taken, fresh);
    }
    const left = deadline - now;
    if (left <= 0) throw new StateLockedError(context.description, seen.info);
    // Once per holder; a torn read of a lock being renewed in place (unreadable for a moment) is no new holder.
    if (announced === undefined || (seen.record !== undefined && announced !== seen.info.id)) {
      announced = seen.info.id;
      const message = waitMessage(context.description, seen, timeoutMs - (now - started));
      if (options.onWait) options.onWait(seen.info, message);
      else context.note(message);
    }
    const pause = Math.min(settings.pollIntervalMs, left, msUntilLeaseRuns(seen, watch, settings, now));
    try {
      await sleep(Math.max(1, pause), undefined, signal ? { signal } : undefined);
    } catch (e) {
      if (signal?.aborted) throw abortReason(signal);
      throw e;
    }
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason instanceof Error ? signal.reason : new Error("stopped waiting for the stack's state lock");
}

/** Said at once by a caller that is going to wait: who holds the lock, how long we wait, how it ends. */
function waitMessage(description: string, seen: StoredLock, waitMs: number): string {
  const { record } = seen;
  const { id } = shown(seen.info);
  const expiry =
    record === undefined
      ? "; it is not a readable esinfer lock: it is taken over if it does not change for a whole lease"
      : record.lease_ms === undefined
        ? "; it has no lease (an older esinfer wrote it), so only its end or a force-unlock frees it"
        : `; if its holder stops renewing it, it is taken over ${formatMs(record.lease_ms)} after the last renewal`;
  return (
    `the stack's state (${description}) is locked by ${describeHolder(seen.info)} (lock id ${id}); waiting up to ` +
    `${formatMs(waitMs)} for it${expiry}; if that run crashed: esinfer force-unlock ${id}`
  );
}

/** Removes the lock with id `lockId`: see {@link StateStore.forceUnlock}. */
export async function forceUnlockLock<H, S extends StoredLock>(
  backend: LockBackend<H, S>,
  lockId: string,
): Promise<void> {
  const where = backend.lockDescription;
  const seen = await backend.read();
  if (seen === undefined) throw new ForceUnlockError(`the stack's state (${where}) is not locked; nothing to unlock`);
  if (seen.info.id !== lockId) {
    const info = shown(seen.info);
    throw new ForceUnlockError(
      `the lock on the stack's state (${where}) has id ${info.id} (held by ${info.who} for ${info.operation} ` +
        `since ${info.created_at}), not ${escapeUnsafe(lockId)}; nothing was removed`,
    );
  }
  if (!(await backend.remove(lockId))) {
    throw new ForceUnlockError(
      `the lock on the stack's state (${where}) changed while it was being removed; nothing was removed`,
    );
  }
}

/**
 * A held lock whose lease is renewed every `renewIntervalMs` by a timer that does not keep the process alive.
 * Renewal failures are reported as notes (and retried at the next tick); a renewal that finds the lock gone
 * reports it and aborts {@link HeldLock.lost}.
 */
class RenewedLock<H, S extends StoredLock> implements HeldLock {
  readonly info: LockInfo;
  readonly #lost = new AbortController();
  readonly #timer: NodeJS.Timeout;
  #handle: H;
  #record: LockRecord;
  #renewing: Promise<void> | undefined;
  #failures = 0;
  #removing: Promise<void> | undefined;
  #released = false;

  constructor(
    private readonly backend: LockBackend<H, S>,
    private readonly context: LockContext,
    private readonly settings: LockSettings,
    handle: H,
    record: LockRecord,
  ) {
    this.info = lockInfoOf(record);
    this.#handle = handle;
    this.#record = record;
    this.#timer = setInterval(() => this.#renew(), settings.renewIntervalMs);
    this.#timer.unref();
  }

  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  #renew(): void {
    if (this.#renewing !== undefined || this.#removing !== undefined || this.#lost.signal.aborted) return;
    this.#renewing = this.#renewOnce().finally(() => (this.#renewing = undefined));
  }

  async #renewOnce(): Promise<void> {
    const { description, note } = this.context;
    const next = renewedRecord(this.#record);
    let outcome: H | "lost";
    try {
      outcome = await this.backend.renew(this.#handle, next);
    } catch (e) {
      this.#failures++;
      note(
        `could not renew the lock ${this.info.id} on the stack's state (${description}): ${oneLine(e)}; trying ` +
          `again in ${formatMs(this.settings.renewIntervalMs)} (other runs may take the lock over once it has not ` +
          `been renewed for ${formatMs(this.settings.leaseMs)}; last renewed at ${this.#record.renewed_at})`,
      );
      return;
    }
    if (outcome === "lost") {
      clearInterval(this.#timer);
      const message =
        `the lock ${this.info.id} on the stack's state (${description}) is no longer held by this run: it was ` +
        `force-unlocked, or taken over after ${formatMs(this.settings.leaseMs)} without a renewal; state writes of ` +
        `this run fail from now on if another run wrote meanwhile`;
      note(message);
      this.#lost.abort(new LockLostError(message));
      return;
    }
    if (this.#failures > 0)
      note(
        `renewed the lock ${this.info.id} on the stack's state (${description}) again, after ${this.#failures} ` +
          `failed attempt${this.#failures === 1 ? "" : "s"}`,
      );
    this.#failures = 0;
    this.#handle = outcome;
    this.#record = next;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    clearInterval(this.#timer);
    const removing = (this.#removing ??= this.#remove());
    removing.catch(() => undefined); // reported below, or by a later call once the timeout has won
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const ms = this.settings.releaseTimeoutMs;
      timer = setTimeout(() => reject(new Error(`no answer within ${formatMs(ms)}`)), ms);
      timer.unref();
    });
    try {
      await Promise.race([removing, timeout]);
    } catch (e) {
      // Not released: a later call tries again (a removal still under way is awaited, not repeated).
      throw new LockReleaseError(this.context.description, lockInfoOf(this.#record), oneLine(e));
    } finally {
      clearTimeout(timer);
    }
    this.#released = true;
  }

  async #remove(): Promise<void> {
    try {
      // A renewal in flight moves the lock to a new version: wait for it, the removal then uses the latest.
      await this.#renewing;
      if (this.#lost.signal.aborted) return; // reported when found
      if (await this.backend.remove(this.info.id, this.#handle)) return;
      this.context.note(
        `the lock ${this.info.id} on the stack's state (${this.context.description}) was no longer held by this ` +
          `run (force-unlocked?); any other lock was left in place`,
      );
    } catch (e) {
      this.#removing = undefined;
      throw e;
    }
  }
}

function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split("\n")[0]!;
}
