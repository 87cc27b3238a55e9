/**
 * The document APIs esinfer keeps its own state with (and the mappings it reads to find `semantic_text` fields):
 * single-document reads and writes with optimistic concurrency, `_mget`, `_bulk` and `_mapping`. Conditional
 * writes are never blindly re-sent.
 */
import { canonicalJson } from "../model/canonical";
import { UnexpectedResponseError, type ElasticsearchError } from "./errors";
import type { RetryBudget } from "./retry";
import type { Transport } from "./transport";
import type {
  BulkItemResult,
  BulkOperation,
  DeleteDocumentOptions,
  DeleteDocumentResult,
  DocumentWriteResult,
  PutDocumentOptions,
  StoredDocument,
} from "./types";
import { sendVerified } from "./verified-write";
import { isObject, seg } from "./wire";

/** esinfer's document operations on one cluster; {@link ElasticsearchClient} delegates to it. */
export class ElasticsearchDocuments {
  constructor(private readonly transport: Transport) {}

  /**
   * Writes a document: `PUT /{index}/_doc/{id}`. With `opType: "create"` or `ifSeqNo`/`ifPrimaryTerm` the write is
   * conditional and so not blindly re-sent: after an ambiguous failure the document is read back, and if it holds
   * exactly `source` (at a new sequence number) the write is reported as landed (`recovered`).
   */
  async putDocument(
    index: string,
    id: string,
    source: Record<string, unknown>,
    options: PutDocumentOptions = {},
  ): Promise<DocumentWriteResult> {
    const path = `/${seg(index, "index")}/_doc/${seg(id, "id")}`;
    const query = {
      op_type: options.opType,
      if_seq_no: options.ifSeqNo,
      if_primary_term: options.ifPrimaryTerm,
      refresh: options.refresh === undefined ? undefined : String(options.refresh),
    };
    const conditional =
      options.opType !== undefined || options.ifSeqNo !== undefined || options.ifPrimaryTerm !== undefined;
    if (!conditional) {
      const res = await this.transport.request({ method: "PUT", path, query, body: source, policy: "idempotent" });
      return writeResult(res.body, path);
    }
    const wanted = canonicalJson(source);
    const result = await sendVerified(this.transport, {
      method: "PUT",
      path,
      query,
      body: source,
      readBack: async (budget) => {
        const doc = await this.fetchDocument(index, id, budget);
        const landed =
          doc &&
          canonicalJson(doc.source) === wanted &&
          (options.ifSeqNo === undefined || doc.seqNo !== options.ifSeqNo);
        return landed
          ? {
              seqNo: doc.seqNo,
              primaryTerm: doc.primaryTerm,
              version: doc.version,
              result: options.opType === "create" ? "created" : "updated",
            }
          : undefined;
      },
    });
    return result.recovered ? { ...result.value, recovered: true } : writeResult(result.response.body, path);
  }

  /** Reads a document; undefined when it or its index does not exist. */
  async getDocument<T = Record<string, unknown>>(index: string, id: string): Promise<StoredDocument<T> | undefined> {
    const doc = await this.fetchDocument<T>(index, id);
    return doc && { source: doc.source, seqNo: doc.seqNo, primaryTerm: doc.primaryTerm };
  }

  /**
   * Deletes a document: `DELETE /{index}/_doc/{id}`, optionally only at a sequence number. `deleted: false` when
   * the document or index does not exist; a 404 on a retry after an ambiguous failure counts as deleted.
   */
  async deleteDocument(index: string, id: string, options: DeleteDocumentOptions = {}): Promise<DeleteDocumentResult> {
    const path = `/${seg(index, "index")}/_doc/${seg(id, "id")}`;
    const query = {
      if_seq_no: options.ifSeqNo,
      if_primary_term: options.ifPrimaryTerm,
      refresh: options.refresh === undefined ? undefined : String(options.refresh),
    };
    const res = await this.transport.request({ method: "DELETE", path, query, allowStatuses: [404] });
    if (res.error) {
      if (!isMissingDocument(res.error)) throw res.error;
      return res.afterAmbiguousFailure ? { deleted: true, recovered: true } : { deleted: false };
    }
    return { deleted: true };
  }

  /**
   * Several documents of one index in one request (`POST /{index}/_mget`), realtime: what was last written, refresh
   * or not. Missing documents, and all of them when the index does not exist, are absent from the map.
   */
  async mgetDocuments<T = Record<string, unknown>>(
    index: string,
    ids: readonly string[],
  ): Promise<Map<string, StoredDocument<T>>> {
    const found = new Map<string, StoredDocument<T>>();
    if (ids.length === 0) return found;
    const path = `/${seg(index, "index")}/_mget`;
    const res = await this.transport.request<Record<string, unknown>>({
      method: "POST",
      path,
      body: { ids },
      policy: "idempotent",
      allowStatuses: [404],
    });
    if (res.error) {
      if (res.error.type === "index_not_found_exception") return found;
      throw res.error;
    }
    const docs = isObject(res.body) && Array.isArray(res.body["docs"]) ? res.body["docs"] : undefined;
    if (!docs) throw new UnexpectedResponseError({ status: res.status, method: "POST", path, detail: "no docs" });
    for (const d of docs) {
      if (!isObject(d)) continue;
      const error = d["error"];
      if (isObject(error)) {
        // A missing index answers per document, as the server resolves the index per item.
        if (error["type"] === "index_not_found_exception") continue;
        throw new UnexpectedResponseError({
          status: res.status,
          method: "POST",
          path,
          detail: `document ${String(d["_id"])}: ${String(error["type"])}: ${String(error["reason"])}`,
        });
      }
      if (d["found"] !== true || !isObject(d["_source"])) continue;
      found.set(String(d["_id"]), {
        source: d["_source"] as T,
        seqNo: Number(d["_seq_no"]),
        primaryTerm: Number(d["_primary_term"]),
      });
    }
    return found;
  }

  /**
   * Several writes to one index in one request (`POST /{index}/_bulk`); each item succeeds or fails on its own.
   * Not re-sent after an ambiguous failure (creates and conditional writes are not idempotent): that error is
   * thrown, and the caller reads the documents back to learn what landed.
   */
  async bulkDocuments(
    index: string,
    operations: readonly BulkOperation[],
    options: { refresh?: boolean | "wait_for" } = {},
  ): Promise<BulkItemResult[]> {
    if (operations.length === 0) return [];
    const path = `/${seg(index, "index")}/_bulk`;
    const lines: unknown[] = [];
    for (const o of operations) {
      const cas =
        o.op !== "create" && o.ifSeqNo !== undefined ? { if_seq_no: o.ifSeqNo, if_primary_term: o.ifPrimaryTerm } : {};
      lines.push({ [o.op]: { _id: o.id, ...cas } });
      if (o.op !== "delete") lines.push(o.source);
    }
    const res = await this.transport.request<Record<string, unknown>>({
      method: "POST",
      path,
      query: { refresh: options.refresh === undefined ? undefined : String(options.refresh) },
      ndjson: lines,
      policy: "non-idempotent",
    });
    const items = isObject(res.body) && Array.isArray(res.body["items"]) ? res.body["items"] : undefined;
    if (!items || items.length !== operations.length)
      throw new UnexpectedResponseError({ status: res.status, method: "POST", path, detail: "items do not match" });
    return operations.map((o, i) => {
      const wrapper = items[i] as Record<string, unknown>;
      const item = isObject(wrapper) && isObject(wrapper[o.op]) ? (wrapper[o.op] as Record<string, unknown>) : {};
      const status = Number(item["status"]);
      const error = isObject(item["error"]) ? item["error"] : undefined;
      return {
        id: o.id,
        op: o.op,
        status,
        ok: status >= 200 && status < 300,
        ...(typeof item["_seq_no"] === "number" ? { seqNo: item["_seq_no"] } : {}),
        ...(typeof item["_primary_term"] === "number" ? { primaryTerm: item["_primary_term"] } : {}),
        ...(error ? { errorType: String(error["type"]), reason: String(error["reason"]) } : {}),
      };
    });
  }

  /** The mappings of several indices (`GET /{i1,i2}/_mapping`): index name to its `mappings` object. */
  async getMappings(indices: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const mappings = new Map<string, Record<string, unknown>>();
    if (indices.length === 0) return mappings;
    const path = `/${indices.map((i) => seg(i, "index")).join(",")}/_mapping`;
    const res = await this.transport.request<Record<string, unknown>>({ method: "GET", path });
    if (isObject(res.body))
      for (const [name, value] of Object.entries(res.body))
        if (isObject(value) && isObject(value["mappings"])) mappings.set(name, value["mappings"]);
    return mappings;
  }

  private async fetchDocument<T>(
    index: string,
    id: string,
    budget?: RetryBudget,
  ): Promise<(StoredDocument<T> & { version: number }) | undefined> {
    const path = `/${seg(index, "index")}/_doc/${seg(id, "id")}`;
    const res = await this.transport.request<Record<string, unknown>>({
      method: "GET",
      path,
      allowStatuses: [404],
      ...(budget ? { budget } : {}),
    });
    if (res.error) {
      if (isMissingDocument(res.error)) return undefined;
      throw res.error;
    }
    const b = res.body;
    if (!isObject(b) || b["found"] !== true || !isObject(b["_source"])) {
      if (isObject(b) && b["found"] === false) return undefined;
      throw new UnexpectedResponseError({
        status: res.status,
        method: "GET",
        path,
        detail: "no _source in the response",
      });
    }
    return {
      source: b["_source"] as T,
      seqNo: Number(b["_seq_no"]),
      primaryTerm: Number(b["_primary_term"]),
      version: Number(b["_version"]),
    };
  }
}

function isMissingDocument(e: ElasticsearchError): boolean {
  if (e.type === "index_not_found_exception") return true;
  const b = e.body;
  return isObject(b) && (b["found"] === false || b["result"] === "not_found");
}

function writeResult(body: unknown, path: string): DocumentWriteResult {
  if (!isObject(body) || typeof body["_seq_no"] !== "number") {
    throw new UnexpectedResponseError({ status: 200, method: "PUT", path, detail: "no _seq_no in the response" });
  }
  return {
    seqNo: body["_seq_no"],
    primaryTerm: Number(body["_primary_term"]),
    version: Number(body["_version"]),
    result: String(body["result"] ?? ""),
  };
}
