/**
 * The operations esinfer needs: cluster info, inference endpoint CRUD, perform inference, and the documents that
 * hold esinfer's own state in the cluster.
 *
 * Non-idempotent writes are never blindly re-sent. When a create's (or conditional document write's) outcome is
 * unknown, the client reads the resource back first: if the write landed, it returns what is stored, marked
 * `recovered`; otherwise it sends the write again.
 */
import type { ConnectionOptions } from "./connection";
import { ElasticsearchError, isAlreadyExists, UnexpectedResponseError } from "./errors";
import type { RetryBudget } from "./retry";
import { HttpMethod, isAmbiguousFailure, RetryPolicy, Transport, TransportResponse } from "./transport";
import type {
  BulkItemResult,
  BulkOperation,
  ClusterInfo,
  CreateEndpointBody,
  CreateEndpointResult,
  DeleteDocumentOptions,
  DeleteDocumentResult,
  DeleteEndpointResult,
  DocumentWriteResult,
  InferenceEndpoint,
  InferRequest,
  InferResponse,
  PutDocumentOptions,
  StoredDocument,
  TaskType,
  UpdateEndpointBody,
} from "./types";

/** Options of {@link ElasticsearchClient.createEndpoint}. */
export interface CreateEndpointOptions {
  /**
   * Server-side `timeout` query parameter (e.g. `"30s"`), sent only when given: clusters before 8.19/9.1 reject it.
   * The client-side timeout is raised to exceed it.
   */
  timeout?: string;
}

/** Options of {@link ElasticsearchClient.deleteEndpoint}. */
export interface DeleteEndpointOptions {
  taskType?: TaskType;
  /** Delete even when pipelines or `semantic_text` mappings reference the endpoint (and default endpoints, 8.18+). */
  force?: boolean;
  /** Report references without deleting. */
  dryRun?: boolean;
}

/** Options of {@link ElasticsearchClient.infer}. */
export interface InferOptions {
  /** Server-side `timeout` query parameter (e.g. `"60s"`); the client-side timeout is raised to exceed it. */
  timeout?: string;
}

/** Options of {@link ElasticsearchClient.request}. */
export interface RawRequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  policy?: RetryPolicy;
  allowStatuses?: readonly number[];
  timeoutMs?: number;
}

// Margin between a server-side timeout and the client's own: the server's timeout response must arrive first.
const SERVER_TIMEOUT_MARGIN_MS = 10_000;

/** Parses an Elasticsearch time value (`30s`, `2m`, `500ms`) to milliseconds; undefined when it is not one. */
export function parseTimeValue(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(nanos|micros|ms|s|m|h|d)\s*$/.exec(text);
  if (!m) return undefined;
  const factor = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s"];
  return Number(m[1]) * factor;
}

const seg = (s: string, what: string): string => {
  if (typeof s !== "string" || s === "") throw new TypeError(`${what} must be a non-empty string`);
  return encodeURIComponent(s);
};

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Canonical JSON (sorted keys), to compare a document read back with the one sent. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Normalizes one endpoint of a GET/PUT response (`model_id` → `inference_id` for clusters before 8.15). */
export function normalizeEndpoint(raw: unknown, method = "GET", path = "/_inference"): InferenceEndpoint {
  const bad = (detail: string) => new UnexpectedResponseError({ status: 200, method, path, detail });
  if (!isObject(raw)) throw bad("an inference endpoint is not an object");
  const { model_id, ...rest } = raw;
  const id = rest["inference_id"] ?? model_id;
  if (typeof id !== "string") throw bad("an inference endpoint has no inference_id");
  if (typeof rest["task_type"] !== "string") throw bad(`inference endpoint [${id}] has no task_type`);
  if (typeof rest["service"] !== "string") throw bad(`inference endpoint [${id}] has no service`);
  const serviceSettings = rest["service_settings"] ?? {};
  if (!isObject(serviceSettings)) throw bad(`inference endpoint [${id}] has non-object service_settings`);
  return { ...rest, inference_id: id, service_settings: serviceSettings } as InferenceEndpoint;
}

/** The endpoints array of a GET response: `{endpoints: [...]}`, or `{models: [...]}` before 8.15. */
function endpointList(body: unknown, method: string, path: string): InferenceEndpoint[] {
  const list = isObject(body) ? (body["endpoints"] ?? body["models"]) : undefined;
  if (!Array.isArray(list)) {
    throw new UnexpectedResponseError({ status: 200, method, path, detail: "no endpoints array in the response" });
  }
  return list.map((e) => normalizeEndpoint(e, method, path));
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/**
 * Client for the Elasticsearch APIs esinfer uses. Construct from {@link ConnectionOptions} (see
 * {@link connectionFromEnv}); call {@link close} when done to release pooled connections.
 */
export class ElasticsearchClient {
  /** The HTTP layer, for APIs not wrapped here. */
  readonly transport: Transport;

  constructor(options: ConnectionOptions) {
    this.transport = new Transport(options);
  }

  /** Releases the connection pools. */
  close(): Promise<void> {
    return this.transport.close();
  }

  /**
   * Sends any request through the transport (retries, timeout, logging, typed errors). Segments of `path` must be
   * URL-encoded by the caller.
   */
  async request<T = unknown>(
    method: HttpMethod,
    path: string,
    options: RawRequestOptions = {},
  ): Promise<TransportResponse<T>> {
    return this.transport.request<T>({ method, path, ...options });
  }

  /** `GET /`: version, build flavor and cluster identity. */
  async info(): Promise<ClusterInfo> {
    const res = await this.transport.request<Record<string, unknown>>({ method: "GET", path: "/" });
    const body = res.body;
    const version = isObject(body) && isObject(body["version"]) ? body["version"] : undefined;
    const number = version?.["number"];
    if (!isObject(body) || typeof number !== "string") {
      throw new UnexpectedResponseError({
        status: res.status,
        method: "GET",
        path: "/",
        detail: "no version.number in the response",
      });
    }
    const flavor = version?.["build_flavor"];
    return {
      version: number,
      ...(typeof flavor === "string" ? { buildFlavor: flavor } : {}),
      serverless: flavor === "serverless",
      clusterName: String(body["cluster_name"] ?? ""),
      clusterUuid: String(body["cluster_uuid"] ?? ""),
    };
  }

  /** All inference endpoints (default endpoints included) in one request: `GET /_inference/_all`. */
  async listEndpoints(): Promise<InferenceEndpoint[]> {
    const path = "/_inference/_all";
    const res = await this.transport.request({ method: "GET", path });
    return endpointList(res.body, "GET", path);
  }

  /**
   * One endpoint, or undefined when it does not exist (404 `resource_not_found_exception`). With `taskType`, a
   * stored endpoint of another task type is a 400 error from the server.
   */
  getEndpoint(id: string, taskType?: TaskType): Promise<InferenceEndpoint | undefined> {
    return this.fetchEndpoint(id, taskType);
  }

  private async fetchEndpoint(
    id: string,
    taskType?: TaskType,
    budget?: RetryBudget,
  ): Promise<InferenceEndpoint | undefined> {
    const path =
      taskType === undefined
        ? `/_inference/${seg(id, "id")}`
        : `/_inference/${seg(taskType, "taskType")}/${seg(id, "id")}`;
    const res = await this.transport.request({
      method: "GET",
      path,
      allowStatuses: [404],
      ...(budget ? { budget } : {}),
    });
    if (res.error) {
      if (res.error.type === "resource_not_found_exception") return undefined;
      throw res.error;
    }
    // Ids are not validated on GET: `_all` or a wildcard would list several; only an exact match counts.
    return endpointList(res.body, "GET", path).find((e) => e.inference_id === id);
  }

  /**
   * Creates an endpoint: `PUT /_inference/{task_type}/{id}`.
   *
   * Never blindly re-sent. 429 and connection failures before sending are retried directly. After an ambiguous
   * failure (connection broken after sending, timeout, 502/503/504) the endpoint is read back: if it exists now it
   * is returned with `recovered: true` (callers should re-diff it: someone else may have created it), else the
   * PUT is sent again. A re-sent PUT answered with `resource_already_exists_exception` means the earlier one
   * landed after all, and is also recovered.
   */
  async createEndpoint(
    taskType: TaskType,
    id: string,
    body: CreateEndpointBody,
    options: CreateEndpointOptions = {},
  ): Promise<CreateEndpointResult> {
    const path = `/_inference/${seg(taskType, "taskType")}/${seg(id, "id")}`;
    const query = options.timeout !== undefined ? { timeout: options.timeout } : undefined;
    const result = await this.sendVerified({
      method: "PUT",
      path,
      ...(query ? { query } : {}),
      body,
      timeoutMs: this.timeoutFor(options.timeout),
      readBack: (budget) => this.fetchEndpoint(id, taskType, budget),
      treatAsLanded: isAlreadyExists,
    });
    if (result.recovered) return { endpoint: result.value, recovered: true };
    return { endpoint: normalizeEndpoint(result.response.body, "PUT", path), recovered: false };
  }

  /**
   * Updates an endpoint: `PUT /_inference/{task_type}/{id}/_update`. The task type is always in the path, the form
   * every version since 8.17 accepts. Retried like an idempotent request: re-applying the same update is harmless.
   */
  async updateEndpoint(taskType: TaskType, id: string, body: UpdateEndpointBody): Promise<InferenceEndpoint> {
    const path = `/_inference/${seg(taskType, "taskType")}/${seg(id, "id")}/_update`;
    const res = await this.transport.request({ method: "PUT", path, body, policy: "idempotent" });
    return normalizeEndpoint(res.body, "PUT", path);
  }

  /**
   * Deletes an endpoint: `DELETE /_inference[/{task_type}]/{id}`, with `force=true` / `dry_run=true` only when set.
   * A 404 on a retry after an ambiguous failure means the earlier attempt deleted it: reported as success.
   */
  async deleteEndpoint(id: string, options: DeleteEndpointOptions = {}): Promise<DeleteEndpointResult> {
    const path =
      options.taskType === undefined
        ? `/_inference/${seg(id, "id")}`
        : `/_inference/${seg(options.taskType, "taskType")}/${seg(id, "id")}`;
    const query = { force: options.force ? "true" : undefined, dry_run: options.dryRun ? "true" : undefined };
    const res = await this.transport.request({ method: "DELETE", path, query, allowStatuses: [404] });
    if (res.error) {
      if (res.afterAmbiguousFailure && !options.dryRun && res.error.type === "resource_not_found_exception") {
        return { acknowledged: true, pipelines: [], indexes: [], recovered: true };
      }
      throw res.error;
    }
    const body = isObject(res.body) ? res.body : {};
    const message = body["error_message"];
    return {
      acknowledged: body["acknowledged"] === true,
      pipelines: stringList(body["pipelines"]),
      indexes: stringList(body["indexes"]),
      ...(typeof message === "string" && message !== "" ? { errorMessage: message } : {}),
    };
  }

  /**
   * Performs inference: `POST /_inference/{task_type}/{id}`. Not re-sent after an ambiguous failure (a provider
   * call may have been made and billed); 429 and failures before sending are retried.
   */
  async infer(
    taskType: TaskType,
    id: string,
    request: InferRequest,
    options: InferOptions = {},
  ): Promise<InferResponse> {
    const path = `/_inference/${seg(taskType, "taskType")}/${seg(id, "id")}`;
    const body: Record<string, unknown> = { input: request.input };
    if (request.query !== undefined) body["query"] = request.query;
    if (request.inputType !== undefined) body["input_type"] = request.inputType;
    if (request.taskSettings !== undefined) body["task_settings"] = request.taskSettings;
    const res = await this.transport.request<InferResponse>({
      method: "POST",
      path,
      ...(options.timeout !== undefined ? { query: { timeout: options.timeout } } : {}),
      body,
      policy: "non-idempotent",
      timeoutMs: this.timeoutFor(options.timeout),
    });
    if (!isObject(res.body))
      throw new UnexpectedResponseError({ status: res.status, method: "POST", path, detail: "not a JSON object" });
    return res.body;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Documents (esinfer's own state)

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
    const wanted = canonical(source);
    const result = await this.sendVerified({
      method: "PUT",
      path,
      query,
      body: source,
      readBack: async (budget) => {
        const doc = await this.fetchDocument(index, id, budget);
        const landed =
          doc && canonical(doc.source) === wanted && (options.ifSeqNo === undefined || doc.seqNo !== options.ifSeqNo);
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
        o.op !== "create" && o.ifSeqNo !== undefined
          ? { if_seq_no: o.ifSeqNo, if_primary_term: o.ifPrimaryTerm }
          : {};
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

  // ---------------------------------------------------------------------------------------------------------------

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

  /**
   * Sends a non-idempotent write without ever re-sending it blindly. On an ambiguous failure, `readBack` decides
   * whether the write landed (a value) or not (undefined → re-send, within one retry budget). On a re-send,
   * an error for which `treatAsLanded` holds means an earlier attempt landed; it is read back once more.
   */
  private async sendVerified<V>(req: {
    method: HttpMethod;
    path: string;
    query?: Record<string, string | number | boolean | undefined>;
    body: unknown;
    timeoutMs?: number;
    readBack: (budget: RetryBudget) => Promise<V | undefined>;
    treatAsLanded?: (e: unknown) => boolean;
  }): Promise<{ recovered: true; value: V } | { recovered: false; response: TransportResponse }> {
    const budget = this.transport.createBudget();
    let resent = false;
    for (;;) {
      try {
        const response = await this.transport.request({
          method: req.method,
          path: req.path,
          ...(req.query ? { query: req.query } : {}),
          body: req.body,
          policy: "non-idempotent",
          budget,
          ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
        });
        return { recovered: false, response };
      } catch (e) {
        if (resent && req.treatAsLanded?.(e)) {
          const value = await req.readBack(budget.child());
          if (value !== undefined) return { recovered: true, value };
          throw e;
        }
        if (!isAmbiguousFailure(e)) throw e;
        this.transport.note(
          `~ ${req.method} ${req.path}: outcome unknown (${(e as Error).name}); reading it back before any re-send`,
        );
        const value = await req.readBack(budget.child());
        if (value !== undefined) {
          this.transport.note(`~ ${req.method} ${req.path}: the write had landed; not re-sent`);
          return { recovered: true, value };
        }
        const { method, path } = e as { method?: string; path?: string };
        const delay = await budget.wait(e as Error, method ?? req.method, path ?? req.path, retryHintOf(e));
        this.transport.note(`~ ${req.method} ${req.path}: the write had not landed; re-sending after ${delay} ms`);
        resent = true;
      }
    }
  }

  private timeoutFor(serverTimeout: string | undefined): number | undefined {
    if (serverTimeout === undefined) return undefined;
    const ms = parseTimeValue(serverTimeout);
    if (ms === undefined) return undefined;
    return Math.max(this.transport.requestTimeoutMs, ms + SERVER_TIMEOUT_MARGIN_MS);
  }
}

function retryHintOf(e: unknown): { retryAfterMs?: number } {
  return e instanceof ElasticsearchError && e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {};
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
