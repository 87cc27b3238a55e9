/**
 * A stack's state kept in the cluster itself, for teams that apply from several machines: one document per stack
 * in an index (default `esinfer-state`), written with optimistic concurrency (`if_seq_no`/`if_primary_term`, or
 * `op_type=create` for the first write), and a lock document (see cluster-lock.ts).
 *
 * Documents (ids `state:<stack>` and `lock:<stack>`):
 * - state: `{ kind: "state", stack, serial, lineage, updated_at, state: "<the state as a JSON string>" }`. The state
 *   is a string, not an object: with the index's dynamic mapping, arbitrary declared settings would become mapped
 *   fields (and conflict across endpoints); a string is stored as is. `serial` and `lineage` are repeated at the
 *   top level for people inspecting the index.
 * - lock: `{ kind: "lock", stack, id, operation, who, created_at, host, host_id, pid, lease_ms, renewed_at,
 *   renewals }`.
 *
 * Privileges the cluster user needs on the index: `read`, `index`, `delete` and, for the first write,
 * `create_index` (or an index created beforehand).
 */
import type { ElasticsearchClient } from "../../client";
import { isConflict } from "../../client/errors";
import { ClusterLockBackend } from "./cluster-lock";
import { resolveLockSettings, type LockSettingsOptions } from "./lease";
import { placeOfThisProcess, type HeldLock } from "./lock-info";
import { acquireLock, forceUnlockLock, type LockContext } from "./lock-protocol";
import { checkStateToWrite, emptyState, parseStateJson, stateText, StateFormatError } from "./new-state";
import { assertNoSecretValues } from "./secret-guard";
import { StateConflictError, type LockOptions, type StackState, type StateStore } from "./types";

/** Index of the state and lock documents unless another is given. */
export const DEFAULT_STATE_INDEX = "esinfer-state";

export interface ClusterStateStoreOptions extends LockSettingsOptions {
  /** The stack whose state this is; names the documents. */
  readonly stack: string;
  /** Index holding the documents, default {@link DEFAULT_STATE_INDEX}. Created by the first write (auto-create). */
  readonly index?: string;
  /**
   * Receives notes about unusual events that were handled: a stale lock taken over, a wait for a held lock, a
   * failed lease renewal, a lock found no longer ours on release. Default: `console.warn`.
   */
  readonly onNote?: (message: string) => void;
}

/** The state last read or written, with its document's concurrency tokens (`doc` undefined: no document yet). */
interface KnownVersion {
  readonly lineage: string;
  readonly serial: number;
  readonly doc?: { readonly seqNo: number; readonly primaryTerm: number };
}

const tokens = (d: { seqNo: number; primaryTerm: number }) => ({ seqNo: d.seqNo, primaryTerm: d.primaryTerm });

/** A stack's state as a document in an Elasticsearch index, locked with a second document. */
export class ClusterStateStore implements StateStore {
  readonly description: string;
  readonly index: string;
  readonly stack: string;
  readonly stateDocId: string;
  readonly lockDocId: string;
  private readonly locks: ClusterLockBackend;
  private readonly lockContext: LockContext;
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
    this.locks = new ClusterLockBackend(client, this.index, this.lockDocId, this.stack);
    this.lockContext = {
      description: this.description,
      note: options.onNote ?? ((m) => console.warn(m)),
      settings: resolveLockSettings(options),
      here: placeOfThisProcess(options.host),
    };
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
    const next: StackState = { ...checked, serial: checked.serial + 1 };
    // Serialized before the first await: later changes by the caller are not part of this write.
    const source = {
      kind: "state",
      stack: this.stack,
      serial: next.serial,
      lineage: next.lineage,
      updated_at: new Date().toISOString(),
      state: JSON.stringify(next),
    };
    const known =
      this.known?.lineage === checked.lineage && this.known.serial === checked.serial
        ? this.known
        : await this.currentVersion(checked);
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
    return next;
  }

  /** Takes the lock document: see {@link StateStore.lock}. */
  lock(operation: string, timeoutMs: number, options?: LockOptions): Promise<HeldLock> {
    return acquireLock(this.locks, this.lockContext, operation, timeoutMs, options);
  }

  /** Deletes the lock document if its id is `lockId`; `ForceUnlockError` when there is no lock or another one. */
  forceUnlock(lockId: string): Promise<void> {
    return forceUnlockLock(this.locks, lockId);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private parseDocument(source: Record<string, unknown>): StackState {
    const text = Object.hasOwn(source, "state") ? source["state"] : undefined;
    if (typeof text !== "string") {
      throw new StateFormatError(this.description, "is not an esinfer state document (no `state` string field)");
    }
    return parseStateJson(stateText(text, this.description), this.description, this.stack);
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
}
