/**
 * The client: cluster info, the inference API (endpoint CRUD, perform inference) and, through
 * {@link ElasticsearchDocuments}, the documents that hold esinfer's own state in the cluster.
 *
 * A create is never blindly re-sent: when its outcome is unknown, the endpoint is read back first; if the create
 * landed, what is stored is returned, marked `recovered`; otherwise the create is sent again.
 */
import type { ConnectionOptions } from "./connection";
import { ElasticsearchDocuments } from "./documents";
import { isAlreadyExists, UnexpectedResponseError } from "./errors";
import type { RetryBudget } from "./retry";
import { HttpMethod, RetryPolicy, Transport, TransportResponse } from "./transport";
import { sendVerified } from "./verified-write";
import { isObject, seg } from "./wire";
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
    this.documents = new ElasticsearchDocuments(this.transport);
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
    const result = await sendVerified(this.transport, {
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
   * esinfer's document operations (its own state, and the mappings it reads), also reachable through the
   * delegating methods below.
   */
  readonly documents: ElasticsearchDocuments;

  /** {@link ElasticsearchDocuments.putDocument}. */
  putDocument(
    index: string,
    id: string,
    source: Record<string, unknown>,
    options: PutDocumentOptions = {},
  ): Promise<DocumentWriteResult> {
    return this.documents.putDocument(index, id, source, options);
  }

  /** {@link ElasticsearchDocuments.getDocument}. */
  getDocument<T = Record<string, unknown>>(index: string, id: string): Promise<StoredDocument<T> | undefined> {
    return this.documents.getDocument<T>(index, id);
  }

  /** {@link ElasticsearchDocuments.deleteDocument}. */
  deleteDocument(index: string, id: string, options: DeleteDocumentOptions = {}): Promise<DeleteDocumentResult> {
    return this.documents.deleteDocument(index, id, options);
  }

  /** {@link ElasticsearchDocuments.mgetDocuments}. */
  mgetDocuments<T = Record<string, unknown>>(
    index: string,
    ids: readonly string[],
  ): Promise<Map<string, StoredDocument<T>>> {
    return this.documents.mgetDocuments<T>(index, ids);
  }

  /** {@link ElasticsearchDocuments.bulkDocuments}. */
  bulkDocuments(
    index: string,
    operations: readonly BulkOperation[],
    options: { refresh?: boolean | "wait_for" } = {},
  ): Promise<BulkItemResult[]> {
    return this.documents.bulkDocuments(index, operations, options);
  }

  /** {@link ElasticsearchDocuments.getMappings}. */
  getMappings(indices: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    return this.documents.getMappings(indices);
  }

  private timeoutFor(serverTimeout: string | undefined): number | undefined {
    if (serverTimeout === undefined) return undefined;
    const ms = parseTimeValue(serverTimeout);
    if (ms === undefined) return undefined;
    return Math.max(this.transport.requestTimeoutMs, ms + SERVER_TIMEOUT_MARGIN_MS);
  }
}
