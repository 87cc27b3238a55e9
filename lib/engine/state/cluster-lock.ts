/**
 * The cluster store's lock: a document (`lock:<stack>`) beside the state document, created with `op_type=create`,
 * renewed, taken over and removed only at the sequence number last seen (`if_seq_no` / `if_primary_term`), so two
 * runs never both believe they hold it. Every renewal advances the sequence number, which is what waiters watch.
 */
import type { ElasticsearchClient } from "../../client";
import { isConflict } from "../../client/errors";
import { lockInfoOf, parseLockRecord, unreadableLockInfo, type LockRecord } from "./lock-info";
import type { LockBackend, StoredLock } from "./lock-protocol";

/** A lock document's concurrency tokens. */
export interface DocumentVersion {
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/** A lock document as read. */
export interface LockDocument extends StoredLock, DocumentVersion {}

const versionOf = (d: DocumentVersion): DocumentVersion => ({ seqNo: d.seqNo, primaryTerm: d.primaryTerm });

// A conditional delete that conflicts is retried against the version read back, this many times at most.
const REMOVE_ATTEMPTS = 3;

export class ClusterLockBackend implements LockBackend<DocumentVersion, LockDocument> {
  readonly lockDescription: string;

  constructor(
    private readonly client: ElasticsearchClient,
    private readonly index: string,
    private readonly docId: string,
    private readonly stack: string,
  ) {
    this.lockDescription = `cluster index ${index} (document ${docId})`;
  }

  private source(record: LockRecord): Record<string, unknown> {
    return { kind: "lock", stack: this.stack, ...record };
  }

  async create(record: LockRecord): Promise<DocumentVersion | undefined> {
    return this.put(record, { opType: "create", refresh: true });
  }

  async read(): Promise<LockDocument | undefined> {
    const doc = await this.client.getDocument(this.index, this.docId);
    if (doc === undefined) return undefined;
    const record = parseLockRecord(doc.source);
    return {
      record,
      info: record
        ? lockInfoOf(record)
        : unreadableLockInfo(`lock document ${this.docId} is not an esinfer lock`, "an unknown time"),
      version: `${doc.primaryTerm}:${doc.seqNo}`,
      ...versionOf(doc),
    };
  }

  async replace(seen: LockDocument, record: LockRecord): Promise<DocumentVersion | undefined> {
    return this.put(record, { ifSeqNo: seen.seqNo, ifPrimaryTerm: seen.primaryTerm, refresh: true });
  }

  async renew(held: DocumentVersion, record: LockRecord): Promise<DocumentVersion | "lost"> {
    const renewed = await this.put(record, { ifSeqNo: held.seqNo, ifPrimaryTerm: held.primaryTerm });
    if (renewed !== undefined) return renewed;
    // A renewal whose answer was lost may have landed: still ours, it is renewed at the version it reached.
    const current = await this.read();
    if (current?.record?.id !== record.id) return "lost";
    return (await this.put(record, { ifSeqNo: current.seqNo, ifPrimaryTerm: current.primaryTerm })) ?? "lost";
  }

  async remove(id: string, held?: DocumentVersion): Promise<boolean> {
    let version = held;
    for (let attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
      if (version === undefined) {
        const current = await this.read();
        if (current?.info.id !== id) return false;
        version = versionOf(current);
      }
      try {
        const options = { ifSeqNo: version.seqNo, ifPrimaryTerm: version.primaryTerm, refresh: true };
        return (await this.client.deleteDocument(this.index, this.docId, options)).deleted;
      } catch (e) {
        if (!isConflict(e)) throw e;
        version = undefined; // renewed or replaced meanwhile: read it again
      }
    }
    return false;
  }

  /** Writes the lock document conditionally; undefined on a conflict. */
  private async put(
    record: LockRecord,
    options: Parameters<ElasticsearchClient["putDocument"]>[3],
  ): Promise<DocumentVersion | undefined> {
    try {
      return versionOf(await this.client.putDocument(this.index, this.docId, this.source(record), options));
    } catch (e) {
      if (isConflict(e)) return undefined;
      throw e;
    }
  }
}
