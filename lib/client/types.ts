/**
 * Wire types of the Elasticsearch APIs the client calls. Inference configurations keep the server's snake_case
 * keys: the plan engine diffs them against declared settings field by field.
 */

/** A task type as it appears in paths and bodies (`text_embedding`, `rerank`, ...). Kept open: newer clusters add types. */
export type TaskType = string;

/** An inference endpoint as `GET /_inference` returns it (normalized to `inference_id` on old clusters). */
export interface InferenceEndpoint {
  inference_id: string;
  task_type: TaskType;
  service: string;
  service_settings: Record<string, unknown>;
  task_settings?: Record<string, unknown>;
  chunking_settings?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  /** Anything else a newer server adds is kept. */
  [key: string]: unknown;
}

/** Body of a create (`PUT /_inference/{task_type}/{id}`). */
export interface CreateEndpointBody {
  service: string;
  service_settings: Record<string, unknown>;
  task_settings?: Record<string, unknown>;
  chunking_settings?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Body of an update (`PUT /_inference/{task_type}/{id}/_update`). Which keys a version accepts is the caller's concern. */
export interface UpdateEndpointBody {
  service_settings?: Record<string, unknown>;
  task_settings?: Record<string, unknown>;
  chunking_settings?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Result of {@link ElasticsearchClient.createEndpoint}. */
export interface CreateEndpointResult {
  /** The stored configuration. */
  endpoint: InferenceEndpoint;
  /**
   * True when the create's response was lost (connection broke, timeout, gateway error) and the endpoint was
   * found by a follow-up GET instead. The endpoint exists, but it may have been created by someone else in the
   * meantime: callers should diff it against what they sent.
   */
  recovered: boolean;
}

/** Result of {@link ElasticsearchClient.deleteEndpoint}. */
export interface DeleteEndpointResult {
  acknowledged: boolean;
  /** Ingest pipelines referencing the endpoint (empty before 8.15). */
  pipelines: string[];
  /** Indexes whose `semantic_text` mappings reference the endpoint (empty on older versions). */
  indexes: string[];
  /** With `dryRun`, the reason a delete without `force` would be refused (409 text), if any. */
  errorMessage?: string;
  /** True when an earlier attempt's response was lost and a retry found the endpoint already gone. */
  recovered?: boolean;
}

/** Result of {@link ElasticsearchClient.info}. */
export interface ClusterInfo {
  /** `version.number`, e.g. `9.1.0`. On serverless this is a placeholder, not a release. */
  version: string;
  /** `version.build_flavor`, e.g. `default` or `serverless`. */
  buildFlavor?: string;
  serverless: boolean;
  clusterName: string;
  clusterUuid: string;
}

/** Body of a perform-inference request. */
export interface InferRequest {
  input: string | string[];
  /** Required for `rerank`. */
  query?: string;
  /** Sent as `input_type`. */
  inputType?: string;
  /** Sent as `task_settings`. */
  taskSettings?: Record<string, unknown>;
}

/** Perform-inference response, keyed by result type (`text_embedding`, `sparse_embedding`, `rerank`, `completion`). */
export type InferResponse = Record<string, unknown>;

/** Options of {@link ElasticsearchClient.putDocument}. */
export interface PutDocumentOptions {
  /** `create`: fail with 409 if the document exists. */
  opType?: "create";
  /** Optimistic concurrency: only write if the document is at this sequence number ... */
  ifSeqNo?: number;
  /** ... and primary term. */
  ifPrimaryTerm?: number;
  refresh?: boolean | "wait_for";
}

/** Result of a document write. */
export interface DocumentWriteResult {
  seqNo: number;
  primaryTerm: number;
  version: number;
  /** `created`, `updated`, `noop`. */
  result: string;
  /** True when the response was lost and a follow-up GET showed the document as written. */
  recovered?: boolean;
}

/** A stored document with its concurrency tokens. */
export interface StoredDocument<T = Record<string, unknown>> {
  source: T;
  seqNo: number;
  primaryTerm: number;
}

/** Options of {@link ElasticsearchClient.deleteDocument}. */
export interface DeleteDocumentOptions {
  ifSeqNo?: number;
  ifPrimaryTerm?: number;
  refresh?: boolean | "wait_for";
}

/** Result of {@link ElasticsearchClient.deleteDocument}. */
export interface DeleteDocumentResult {
  /** False when the document (or its index) did not exist. */
  deleted: boolean;
  /** True when an earlier attempt's response was lost and a retry found the document already gone. */
  recovered?: boolean;
}

/** One operation of {@link ElasticsearchClient.bulkDocuments}. */
export type BulkOperation =
  /** Create the document; the item fails with 409 when it exists. */
  | { readonly op: "create"; readonly id: string; readonly source: Record<string, unknown> }
  /** Write the document, optionally only at a sequence number. */
  | {
      readonly op: "index";
      readonly id: string;
      readonly source: Record<string, unknown>;
      readonly ifSeqNo?: number;
      readonly ifPrimaryTerm?: number;
    }
  /** Delete the document, optionally only at a sequence number. */
  | { readonly op: "delete"; readonly id: string; readonly ifSeqNo?: number; readonly ifPrimaryTerm?: number };

/** The outcome of one bulk operation, in the order sent. */
export interface BulkItemResult {
  readonly id: string;
  readonly op: BulkOperation["op"];
  /** The item's HTTP status: 200/201 done, 404 (delete of a missing document), 409 conflict, ... */
  readonly status: number;
  readonly ok: boolean;
  readonly seqNo?: number;
  readonly primaryTerm?: number;
  /** `error.type` and `error.reason` of a failed item. */
  readonly errorType?: string;
  readonly reason?: string;
}
