/**
 * A stack's state kept in the cluster itself, for teams that apply from several machines: one document per stack
 * in an index (default `esinfer-state`), written with optimistic concurrency (`if_seq_no`/`if_primary_term`, or
 * `op_type=create` for the first write), and a lock document created with `op_type=create`.
 *
 * Documents (ids `state:<stack>` and `lock:<stack>`):
 * - state: `{ kind: "state", stack, serial, lineage, updated_at, state: "<the state as a JSON string>" }`. The state
 *   is a string, not an object: with the index's dynamic mapping, arbitrary declared settings would become mapped
 *   fields (and conflict across endpoints); a string is stored as is. `serial` and `lineage` are repeated at the
 *   top level for people inspecting the index.
 * - lock: `{ kind: "lock", stack, id, operation, who, created_at, host, pid }`.
 *
 * Unlike the file store, a lock is never taken over automatically: its holder may run on another machine, so
 * whether it still runs cannot be known here. A crashed run's lock is removed with `forceUnlock`.
 */
import type { ElasticsearchClient } from "../../client";
import { isConflict } from "../../client/errors";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ForceUnlockError,
  lockInfoOf,
  newLockRecord,
  parseLockRecord,
  unreadableLockInfo,
  type HeldLock,
} from "./lock-info";
import { checkStateToWrite, emptyState, parseStateJson, StateFormatError } from "./new-state";
import { assertNoSecretValues } from "./secret-guard";
import { StateConflictError, StateLockedError, type LockInfo, type StackState, type StateStore } from "./types";

/** Index of the state and lock documents unless another is given. */
export const DEFAULT_STATE_INDEX = "esinfer-state";

export interface ClusterStateStoreOptions {
  /** The stack whose state this is; names the documents. */
  readonly stack: string;
  /** Index holding the documents, default {@link DEFAULT_STATE_INDEX}. Created by the first write (auto-create). */
  readonly index?: string;
  /** Receives notes about unusual events that were handled (a lock found no longer ours). Default `console.warn`. */
  readonly onNote?: (message: string) => void;
  /** How often a held lock is checked again while waiting for it, default 200 ms. */
  readonly pollIntervalMs?: number;
}

/** The state last read or written, with its document's concurrency tokens (`doc` undefined: no document yet). */
interface KnownVersion {
  readonly lineage: string;
  readonly serial: number;
  readonly doc?: { readonly seqNo: number; readonly primaryTerm: number };
}

const tokens = (d: { seqNo: number; primaryTerm: number }) => ({ seqNo: d.seqNo, primaryTerm: d.primaryTerm });

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A stack's state as a document in an Elasticsearch index, locked with a second document. */
export class ClusterStateStore implements StateStore {
  readonly description: string;
  readonly index: string;
  readonly stack: string;
  readonly stateDocId: string;
  readonly lockDocId: string;
  private readonly note: (message: string) => void;
  private readonly pollIntervalMs: number;
  private known: KnownVersion | undefined;

  constructor(
    private readonly client: ElasticsearchClient,
    options: ClusterStateStoreOptions,
  ) {
    if (typeof options.stack !== "string" || options.stack === "")
      throw new TypeError("stack must be a non-empty string");
    this.stack = options.stack;
    this.index = options.index ?? DEFAULT_STATE_INDEX;
    this.stateDocId = `state:${this.stack}`;
    this.lockDocId = `lock:${this.stack}`;
    this.description = `cluster index ${this.index} (document ${this.stateDocId})`;
    this.note = options.onNote ?? ((m) => console.warn(m));
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
  }

  /** The stored state, or a new empty state when the document (or the index) does not exist. */
  async read(): Promise<StackState> {
    const doc = await this.client.getDocument(this.index, this.stateDocId);
    if (doc === undefined) {
      const empty = emptyState(this.stack);
      this.known = { lineage: empty.lineage, serial: 0 };
      return empty;
    }
    const state = this.parseDocument(doc.source);
    this.known = { lineage: state.lineage, serial: state.serial, doc: tokens(doc) };
    return state;
  }

  /**
   * Writes `state` with serial + 1, conditional on the document still being the one `state` was read from (else
   * `StateConflictError`); returns the written state. Refuses states holding secret values (`SecretInStateError`).
   */
  async write(state: StackState): Promise<StackState> {
    assertNoSecretValues(state, this.description);
    const checked = checkStateToWrite(state, this.description, this.stack);
    const known =
      this.known?.lineage === checked.lineage && this.known.serial === checked.serial
        ? this.known
        : await this.currentVersion(checked);
    const next: StackState = { ...checked, serial: checked.serial + 1 };
    const source = {
      kind: "state",
      stack: this.stack,
      serial: next.serial,
      lineage: next.lineage,
      updated_at: new Date().toISOString(),
      state: JSON.stringify(next),
    };
    let result;
    try {
      result = await this.client.putDocument(
        this.index,
        this.stateDocId,
        source,
        known.doc === undefined
          ? { opType: "create", refresh: true }
          : { ifSeqNo: known.doc.seqNo, ifPrimaryTerm: known.doc.primaryTerm, refresh: true },
      );
    } catch (e) {
      if (!isConflict(e)) throw e;
      this.known = undefined;
      throw new StateConflictError(
        this.description,
        known.doc === undefined
          ? "the document was created meanwhile"
          : `the document changed since serial ${checked.serial} was read`,
      );
    }
    this.known = { lineage: next.lineage, serial: next.serial, doc: tokens(result) };
    return parseStateJson(source.state, this.description, this.stack);
  }

  /** Creates the lock document, waiting up to `timeoutMs` while another run holds it. */
  async lock(operation: string, timeoutMs: number): Promise<HeldLock> {
    const record = newLockRecord(operation);
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      try {
        const r = await this.client.putDocument(
          this.index,
          this.lockDocId,
          { kind: "lock", stack: this.stack, ...record },
          { opType: "create", refresh: true },
        );
        return this.heldLock(lockInfoOf(record), r.seqNo, r.primaryTerm);
      } catch (e) {
        if (!isConflict(e)) throw e;
      }
      const holder = await this.readLock();
      if (holder === undefined) continue; // released meanwhile: try again at once
      const left = deadline - Date.now();
      if (left <= 0) throw new StateLockedError(this.description, holder.info);
      await sleep(Math.min(this.pollIntervalMs, left));
    }
  }

  /** Deletes the lock document if its id is `lockId`; `ForceUnlockError` when there is no lock or another one. */
  async forceUnlock(lockId: string): Promise<void> {
    const where = `cluster index ${this.index} (document ${this.lockDocId})`;
    const holder = await this.readLock();
    if (holder === undefined)
      throw new ForceUnlockError(`the stack's state (${where}) is not locked; nothing to unlock`);
    const { info } = holder;
    if (info.id !== lockId) {
      throw new ForceUnlockError(
        `the lock on the stack's state (${where}) has id ${info.id} (held by ${info.who} for ${info.operation} ` +
          `since ${info.created_at}), not ${lockId}; nothing was removed`,
      );
    }
    try {
      await this.client.deleteDocument(this.index, this.lockDocId, {
        ifSeqNo: holder.seqNo,
        ifPrimaryTerm: holder.primaryTerm,
        refresh: true,
      });
    } catch (e) {
      if (!isConflict(e)) throw e;
      throw new ForceUnlockError(
        `the lock on the stack's state (${where}) changed while it was being removed; nothing was removed`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private parseDocument(source: Record<string, unknown>): StackState {
    if (!isObject(source) || typeof source["state"] !== "string") {
      throw new StateFormatError(this.description, "is not an esinfer state document (no `state` string field)");
    }
    return parseStateJson(source["state"], this.description, this.stack);
  }

  /** The version to write against when `state` was not the last one this store read or wrote. */
  private async currentVersion(state: StackState): Promise<KnownVersion> {
    const doc = await this.client.getDocument(this.index, this.stateDocId);
    if (doc === undefined) {
      if (state.serial === 0) return { lineage: state.lineage, serial: 0 };
      throw new StateConflictError(
        this.description,
        `the document is gone; it was at serial ${state.serial} when read`,
      );
    }
    const stored = this.parseDocument(doc.source);
    if (stored.lineage !== state.lineage || stored.serial !== state.serial) {
      throw new StateConflictError(
        this.description,
        `the document holds serial ${stored.serial} of lineage ${stored.lineage}, the state read was serial ` +
          `${state.serial} of lineage ${state.lineage}`,
      );
    }
    return { lineage: stored.lineage, serial: stored.serial, doc: tokens(doc) };
  }

  private async readLock(): Promise<{ info: LockInfo; seqNo: number; primaryTerm: number } | undefined> {
    const doc = await this.client.getDocument(this.index, this.lockDocId);
    if (doc === undefined) return undefined;
    const record = parseLockRecord(doc.source);
    const info = record
      ? lockInfoOf(record)
      : unreadableLockInfo(`lock document ${this.lockDocId} is not an esinfer lock`, "an unknown time");
    return { info, seqNo: doc.seqNo, primaryTerm: doc.primaryTerm };
  }

  private heldLock(info: LockInfo, seqNo: number, primaryTerm: number): HeldLock {
    let released = false;
    return {
      info,
      release: async () => {
        if (released) return;
        // Conditional on the version we created: a lock someone else took after a force-unlock is never deleted.
        let deleted: boolean;
        try {
          const options = { ifSeqNo: seqNo, ifPrimaryTerm: primaryTerm, refresh: true };
          deleted = (await this.client.deleteDocument(this.index, this.lockDocId, options)).deleted;
        } catch (e) {
          if (!isConflict(e)) throw e; // e.g. unreachable: release may be called again
          deleted = false;
        }
        released = true;
        if (!deleted) {
          this.note(
            `the lock ${info.id} on the stack's state (${this.description}) was no longer held by this run ` +
              `(force-unlocked?); any other lock was left in place`,
          );
        }
      },
    };
  }
}
