/**
 * One index of one shard, as the document APIs (single-document, `_mget`, `_bulk`) see it: index names, automatic
 * creation, the compare-and-set checks of `IndexRequest.validate` / `DeleteRequest.validate`, version conflicts,
 * and the write itself (which records semantic_text model settings first). Writes are realtime: a read right after
 * a write sees it, refresh or not, as Elasticsearch's realtime GET and `_mget` do.
 */
import { randomUUID } from "node:crypto";
import { EsError, indexNotFound, msg } from "./errors";
import { clone, isPlainObject } from "./json";
import { lookupEndpoint } from "./lookup";
import { recordModelSettings, withSemanticTextDefaults } from "./semantic-text";
import { PRIMARY_TERM, type IndexState, type Store } from "./store";
import type { Behavior } from "./versions";

export const SHARDS = Object.freeze({ total: 2, successful: 1, failed: 0 });

/** `MetadataCreateIndexService.validateIndexOrAliasName` (the common cases). */
export function validateIndexName(name: string): void {
  const fail = (why: string) => {
    throw new EsError(400, "invalid_index_name_exception", `Invalid index name [${name}], ${why}`, {
      index_uuid: "_na_",
      index: name,
    });
  };
  if (name !== name.toLowerCase()) fail("must be lowercase");
  if (/[\\/*?"<>| ,#:]/.test(name))
    fail("must not contain the following characters [' ', '\"', '*', ',', '/', '<', '>', '?', '\\\\', '|']");
  if (/^[-_+]/.test(name)) fail("must not start with '_', '-', or '+'");
  if (name === "." || name === "..") fail("must not be '.' or '..'");
}

/** The index, or 404 `index_not_found_exception`. */
export function getIndex(store: Store, name: string): IndexState {
  const index = store.indices.get(name);
  if (!index) throw indexNotFound(name);
  return index;
}

/** A new, empty index whose semantic_text fields carry their stored defaults. */
export function newIndex(
  name: string,
  mappings: Record<string, unknown> = {},
  settings: Record<string, unknown> = {},
): IndexState {
  return {
    name,
    uuid: randomUUID().replace(/-/g, "").slice(0, 22),
    mappings: withSemanticTextDefaults(mappings),
    settings,
    docs: new Map(),
    versions: new Map(),
    nextSeqNo: 0,
  };
}

export interface CasOptions {
  readonly opType?: "index" | "create" | "delete";
  readonly ifSeqNo?: number;
  readonly ifPrimaryTerm?: number;
}

/** `IndexRequest.validate` / `DeleteRequest.validate` compare-and-set messages (wording inferred); empty when valid. */
export function casErrors(o: CasOptions): string[] {
  const errors: string[] = [];
  if (o.opType === "create" && o.ifSeqNo !== undefined)
    errors.push("create operations do not support compare and set. use index instead");
  if (o.ifSeqNo !== undefined && o.ifPrimaryTerm === undefined) errors.push("ifSeqNo is set, but primary term is [0]");
  if (o.ifPrimaryTerm !== undefined && o.ifSeqNo === undefined)
    errors.push(`ifSeqNo is unassigned, but primary term is [${o.ifPrimaryTerm}]`);
  return errors;
}

function conflict(index: IndexState, reason: string): EsError {
  return new EsError(409, "version_conflict_engine_exception", reason, {
    index_uuid: index.uuid,
    shard: "0",
    index: index.name,
  });
}

function checkSeqNo(index: IndexState, id: string, o: CasOptions): void {
  if (o.ifSeqNo === undefined) return;
  const doc = index.docs.get(id);
  if (!doc) throw conflict(index, msg.docSeqNoConflict(id, o.ifSeqNo, o.ifPrimaryTerm!));
  if (doc.seqNo !== o.ifSeqNo || doc.primaryTerm !== o.ifPrimaryTerm)
    throw conflict(
      index,
      msg.docSeqNoConflict(id, o.ifSeqNo, o.ifPrimaryTerm!, { seqNo: doc.seqNo, term: doc.primaryTerm }),
    );
}

export interface WriteOptions extends CasOptions {
  readonly opType: "index" | "create";
  readonly refresh: boolean;
}

/** What a document write answers: its status and `DocWriteResponse` body. */
export interface WriteOutcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

function writeResponse(
  index: IndexState,
  id: string,
  result: string,
  version: number,
  seqNo: number,
  refresh: boolean,
): Record<string, unknown> {
  return {
    _index: index.name,
    _id: id,
    _version: version,
    result,
    ...(refresh ? { forced_refresh: true } : {}),
    _shards: { ...SHARDS },
    _seq_no: seqNo,
    _primary_term: PRIMARY_TERM,
  };
}

/**
 * Indexes (or creates) one document, creating the index when it is missing, as a single-document write and a bulk
 * `index`/`create` item do. Throws the item's error (version conflict, missing inference endpoint, ...) having
 * changed nothing but the index's creation. Does not persist the store (callers save once).
 */
export function writeDocument(
  store: Store,
  behavior: Behavior,
  indexName: string,
  id: string,
  source: unknown,
  o: WriteOptions,
): WriteOutcome {
  validateIndexName(indexName);
  if (!isPlainObject(source))
    throw new EsError(400, "document_parsing_exception", "[1:1] failed to parse: the document must be a JSON object");
  let index = store.indices.get(indexName);
  if (!index) {
    index = newIndex(indexName);
    store.indices.set(indexName, index);
  }
  const existing = index.docs.get(id);
  if (o.opType === "create" && existing) throw conflict(index, msg.docAlreadyExists(id, existing.version));
  checkSeqNo(index, id, o);
  recordModelSettings(index.mappings, source, (inferenceId) => lookupEndpoint(store, behavior, inferenceId), behavior);
  const version = (index.versions.get(id) ?? 0) + 1;
  const doc = { source: clone(source), version, seqNo: index.nextSeqNo++, primaryTerm: PRIMARY_TERM };
  index.docs.set(id, doc);
  index.versions.set(id, version);
  return {
    status: existing ? 200 : 201,
    body: writeResponse(index, id, existing ? "updated" : "created", version, doc.seqNo, o.refresh),
  };
}

/**
 * Deletes one document: 404 `not_found` (not an error) when it does not exist, a version conflict when the
 * compare-and-set fails, `index_not_found_exception` when the index does not exist (deletes never create one).
 */
export function deleteDocument(
  store: Store,
  indexName: string,
  id: string,
  o: CasOptions & { readonly refresh: boolean },
): WriteOutcome {
  const index = getIndex(store, indexName);
  checkSeqNo(index, id, o);
  const existing = index.docs.get(id);
  const version = (index.versions.get(id) ?? 0) + 1;
  const seqNo = index.nextSeqNo++;
  index.versions.set(id, version);
  if (existing) index.docs.delete(id);
  return {
    status: existing ? 200 : 404,
    body: writeResponse(index, id, existing ? "deleted" : "not_found", version, seqNo, o.refresh),
  };
}

/** A realtime GET of one document (`GetResponse.toXContent`): found with its source, or `found: false`. */
export function documentView(index: IndexState, id: string, withSource = true): Record<string, unknown> {
  const doc = index.docs.get(id);
  if (!doc) return { _index: index.name, _id: id, found: false };
  return {
    _index: index.name,
    _id: id,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: doc.primaryTerm,
    found: true,
    ...(withSource ? { _source: clone(doc.source) } : {}),
  };
}
