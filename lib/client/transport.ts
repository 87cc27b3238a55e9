/**
 * HTTP transport: one keep-alive undici pool per node, round-robin with failover, per-request timeout, retries
 * within a {@link RetryBudget}, and redacted one-line request logging.
 *
 * Retry safety is decided per request by its {@link RetryPolicy}. A failure is either
 * - not processed (429, connection refused, DNS failure, connect timeout): safe to re-send for any request;
 * - ambiguous (connection reset after sending, timeout, 502/503/504): the server may have acted on it. Idempotent
 *   requests are re-sent; non-idempotent ones are not, and the error is thrown for the caller to resolve (see
 *   {@link isAmbiguousFailure} and the create logic in the inference client);
 * - final (any other status, TLS failures, unparseable 2xx bodies): thrown at once.
 */
import { Pool } from "undici";
import type { IncomingHttpHeaders } from "node:http";
import { performance } from "node:perf_hooks";
import { ConnectionOptions, ResolvedConnection, ResolvedNode, resolveConnection } from "./connection";
import {
  ConnectionError,
  ElasticsearchClientError,
  ElasticsearchError,
  errorFromResponse,
  RequestAbortedError,
  RequestTimeoutError,
  UnexpectedResponseError,
} from "./errors";
import { connectionAdvice, responseAdvice, timeoutAdvice } from "./diagnosis";
import { redact, redactJson } from "./redact";
import { defaultSleep, parseRetryAfter, RetryBudget, RetrySettings } from "./retry";
import { isTlsErrorCode, tlsConnectOption } from "./tls";

export type HttpMethod = "GET" | "HEAD" | "PUT" | "POST" | "DELETE";

/**
 * - `idempotent`: every retryable failure is retried (GET, DELETE, `_update`, unconditional document writes).
 * - `non-idempotent`: only failures that certainly were not processed are retried; ambiguous ones are thrown.
 */
export type RetryPolicy = "idempotent" | "non-idempotent";

/** One logical request. */
export interface TransportRequest {
  method: HttpMethod;
  /** Path starting with `/`, segments already URL-encoded. */
  path: string;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Serialized as JSON. */
  body?: unknown;
  /** A body of several JSON documents, one per line (`application/x-ndjson`: `_bulk`), instead of `body`. */
  ndjson?: readonly unknown[];
  /** Default: idempotent for GET, HEAD and DELETE; non-idempotent for PUT and POST. */
  policy?: RetryPolicy;
  /** Non-2xx statuses returned as a response (with {@link TransportResponse.error}) instead of thrown. */
  allowStatuses?: readonly number[];
  /** Overrides the per-request timeout. */
  timeoutMs?: number;
  /** Shares attempts and deadline with other requests of the same operation. Default: a fresh budget. */
  budget?: RetryBudget;
}

/** A response with a 2xx status or a status listed in `allowStatuses`. */
export interface TransportResponse<T = unknown> {
  status: number;
  /** Parsed JSON; undefined for an empty body or a non-2xx status whose body is not JSON. */
  body: T;
  headers: IncomingHttpHeaders;
  /** For an allowed non-2xx status: the error it would have been. */
  error?: ElasticsearchError;
  /** Attempts made for this request (under its budget). */
  attempts: number;
  /**
   * True when an earlier attempt of this request failed ambiguously (it may have been processed). A DELETE that
   * then answers 404 most likely deleted the resource on that earlier attempt.
   */
  afterAmbiguousFailure: boolean;
}

type Classification = "not-processed" | "ambiguous" | "final";

// Connection errors that happen before a byte of the request can have been sent.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
]);

// Connection errors after which the request may have been received.
const AMBIGUOUS_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

const AMBIGUOUS_STATUSES = new Set([502, 503, 504]);

/** How long a node that refused a connection is skipped while other nodes are available. */
const DEAD_NODE_COOLDOWN_MS = 30_000;

/** Whether a failure may have been processed by the server (so a non-idempotent request must not be blindly re-sent). */
export function isAmbiguousFailure(e: unknown): boolean {
  if (e instanceof RequestTimeoutError) return true;
  if (e instanceof ConnectionError) return !e.notSent && !isTlsErrorCode(e.networkCode);
  if (e instanceof ElasticsearchError) return AMBIGUOUS_STATUSES.has(e.status);
  return false;
}

function errorCode(e: unknown): string | undefined {
  // The code may sit on a wrapped cause, or on the members of an AggregateError (dual-stack connect attempts).
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur !== null && typeof cur === "object"; depth++) {
    const { code, cause, errors } = cur as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === "string") return code;
    cur = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return undefined;
}

function classifyConnectionFailure(code: string | undefined, message: string): Classification {
  if (isTlsErrorCode(code)) return "final";
  if (code !== undefined && NOT_SENT_CODES.has(code)) return "not-processed";
  if (code !== undefined && AMBIGUOUS_CODES.has(code)) return "ambiguous";
  if (/socket hang up|other side closed/i.test(message)) return "ambiguous";
  // Unknown network errors: treat as possibly processed, the safe assumption for non-idempotent requests.
  return "ambiguous";
}

interface NodeState {
  node: ResolvedNode;
  pool: Pool;
  deadUntil: number;
}

type Attempt =
  | { ok: true; status: number; headers: IncomingHttpHeaders; text: string }
  | { ok: false; error: Error; classification: Classification };

/** The HTTP layer of {@link ElasticsearchClient}; usable alone for APIs the client does not wrap. */
export class Transport {
  // Private: its headers carry the credentials.
  private readonly connection: ResolvedConnection;
  private readonly nodes: NodeState[];
  private readonly settings: RetrySettings;
  private readonly log: ((line: string) => void) | undefined;
  private cursor = 0;
  private closed = false;
  private readonly signal: AbortSignal | undefined;

  constructor(options: ConnectionOptions) {
    this.connection = resolveConnection(options);
    const warn = options.warn ?? ((m: string) => console.warn(`esinfer: warning: ${m}`));
    for (const w of this.connection.warnings) warn(redact(w));
    const connect = tlsConnectOption(this.connection.tls);
    this.nodes = this.connection.nodes.map((node) => ({
      node,
      deadUntil: 0,
      pool: new Pool(node.origin, {
        connections: this.connection.maxConnectionsPerNode,
        pipelining: 1,
        ...(node.https && connect !== undefined ? { connect } : {}),
      }),
    }));
    this.settings = {
      maxRetries: this.connection.maxRetries,
      maxRetryTimeMs: this.connection.maxRetryTimeMs,
      retryBaseDelayMs: this.connection.retryBaseDelayMs,
      retryMaxDelayMs: this.connection.retryMaxDelayMs,
      sleep: options.sleep ?? ((ms: number) => defaultSleep(ms, options.signal)),
      random: options.random ?? Math.random,
      now: options.now ?? (() => performance.now()),
    };
    this.signal = options.signal;
    const verbose = options.verbose;
    this.log = verbose ? (line: string) => verbose(redact(line)) : undefined;
  }

  /** The default per-request timeout in ms. */
  get requestTimeoutMs(): number {
    return this.connection.requestTimeoutMs;
  }

  /** Node URLs as shown in logs (origin and path prefix, no credentials). */
  get nodeUrls(): string[] {
    return this.connection.nodes.map((n) => n.display);
  }

  /** Writes a line to the verbose log (redacted), if one is configured. */
  note(line: string): void {
    this.log?.(line);
  }

  /** A fresh retry budget for one logical operation. */
  createBudget(): RetryBudget {
    return new RetryBudget(this.settings);
  }

  /** Sends a request, retrying as its policy allows. Throws the typed errors of `./errors`. */
  async request<T = unknown>(req: TransportRequest): Promise<TransportResponse<T>> {
    if (this.closed) throw new ElasticsearchClientError("the Elasticsearch client is closed");
    const budget = req.budget ?? this.createBudget();
    const policy =
      req.policy ??
      (req.method === "GET" || req.method === "HEAD" || req.method === "DELETE" ? "idempotent" : "non-idempotent");
    const pathWithQuery = req.path + queryString(req.query);
    const bodyText = req.ndjson
      ? req.ndjson.map((line) => JSON.stringify(line) + "\n").join("")
      : req.body === undefined
        ? undefined
        : JSON.stringify(req.body);
    const contentType = req.ndjson ? "application/x-ndjson" : "application/json";
    const aborted = () => new RequestAbortedError({ method: req.method, path: pathWithQuery });
    const timeoutMs = req.timeoutMs ?? this.connection.requestTimeoutMs;
    const tried = new Set<NodeState>();
    let afterAmbiguousFailure = false;

    for (;;) {
      if (this.signal?.aborted) throw aborted();
      const state = this.pickNode(tried);
      tried.add(state);
      budget.attempts++;
      const attemptNo = budget.attempts;
      this.log?.(
        `> ${req.method} ${pathWithQuery} (attempt ${attemptNo}, ${state.node.display})` +
          (req.ndjson
            ? ` ${req.ndjson.map((line) => redactJson(line)).join(" ")}`
            : req.body === undefined
              ? ""
              : ` ${redactJson(req.body)}`),
      );
      const started = this.settings.now();
      const outcome = await this.attempt(state, req.method, pathWithQuery, bodyText, contentType, timeoutMs);
      if (this.signal?.aborted && !outcome.ok) {
        this.log?.(`x ${req.method} ${pathWithQuery} abandoned: the run was interrupted`);
        throw aborted();
      }
      const took = Math.round(this.settings.now() - started);

      let failure: Error;
      let classification: Classification;
      let retryAfterMs: number | undefined;
      if (outcome.ok) {
        const { status, headers, text } = outcome;
        if ((status >= 200 && status < 300) || req.allowStatuses?.includes(status)) {
          state.deadUntil = 0;
          const error =
            status >= 300
              ? errorFromResponse(
                  req.method,
                  pathWithQuery,
                  status,
                  text,
                  undefined,
                  this.advisor(req.method, pathWithQuery, state),
                )
              : undefined;
          this.log?.(
            `< ${status} ${req.method} ${pathWithQuery} ${took} ms (attempt ${attemptNo})${error ? ` ${error.type ?? ""} ${error.reason}` : ""}`,
          );
          const body = error ? (error.body as T) : this.parseBody<T>(req.method, pathWithQuery, status, text);
          return {
            status,
            body,
            headers,
            ...(error ? { error } : {}),
            attempts: budget.attempts,
            afterAmbiguousFailure,
          };
        }
        retryAfterMs = parseRetryAfter(headers["retry-after"]);
        const error = errorFromResponse(
          req.method,
          pathWithQuery,
          status,
          text,
          retryAfterMs,
          this.advisor(req.method, pathWithQuery, state),
        );
        this.log?.(
          `< ${status} ${req.method} ${pathWithQuery} ${took} ms (attempt ${attemptNo}) ${error.type ?? ""} ${error.reason}`,
        );
        failure = error;
        classification = status === 429 ? "not-processed" : AMBIGUOUS_STATUSES.has(status) ? "ambiguous" : "final";
      } else {
        failure = outcome.error;
        classification = outcome.classification;
        this.log?.(`x ${req.method} ${pathWithQuery} ${took} ms (attempt ${attemptNo}) ${describeFailure(failure)}`);
      }

      if (classification === "final") throw failure;
      if (classification === "ambiguous" && policy === "non-idempotent") throw failure;
      if (classification === "ambiguous") afterAmbiguousFailure = true;

      // A node that refused the connection is skipped for a while, and the next untried node is tried at once.
      const refused = failure instanceof ConnectionError && failure.notSent;
      if (refused) state.deadUntil = this.settings.now() + DEAD_NODE_COOLDOWN_MS;
      const untriedLeft = this.nodes.some((n) => !tried.has(n));
      const delay = await abortable(
        budget.wait(failure, req.method, pathWithQuery, {
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
          immediate: refused && untriedLeft,
        }),
        this.signal,
        aborted,
      );
      this.log?.(`~ retrying ${req.method} ${pathWithQuery} after ${delay} ms (${retryReason(failure)})`);
    }
  }

  /** Closes every pool; waits for requests in flight. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.nodes.map((n) => n.pool.close()));
  }

  // Round-robin over nodes, preferring ones not yet tried by this request and not recently refusing connections.
  private pickNode(tried: Set<NodeState>): NodeState {
    const n = this.nodes.length;
    const now = this.settings.now();
    const start = this.cursor++ % n;
    const order = Array.from({ length: n }, (_, i) => this.nodes[(start + i) % n]!);
    return (
      order.find((s) => !tried.has(s) && s.deadUntil <= now) ??
      order.find((s) => !tried.has(s)) ??
      order.find((s) => s.deadUntil <= now) ??
      order[0]!
    );
  }

  private async attempt(
    state: NodeState,
    method: HttpMethod,
    pathWithQuery: string,
    bodyText: string | undefined,
    contentType: string,
    timeoutMs: number,
  ): Promise<Attempt> {
    const controller = new AbortController();
    // The run's abort signal ends the attempt too (classified by the caller, which sees the signal).
    const onAbort = () => controller.abort();
    this.signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const headers: Record<string, string> = { ...this.connection.headers };
    if (bodyText !== undefined) headers["content-type"] = contentType;
    try {
      const res = await state.pool.request({
        method,
        path: state.node.pathPrefix + pathWithQuery,
        headers,
        ...(bodyText !== undefined ? { body: bodyText } : {}),
        signal: controller.signal,
        idempotent: method === "GET" || method === "HEAD",
      });
      const text = await res.body.text();
      return { ok: true, status: res.statusCode, headers: res.headers, text };
    } catch (e) {
      if (timedOut) {
        return {
          ok: false,
          classification: "ambiguous",
          error: new RequestTimeoutError({
            node: state.node.display,
            timeoutMs,
            method,
            path: pathWithQuery,
            advice: timeoutAdvice(state.node, timeoutMs, this.connection),
          }),
        };
      }
      const code = errorCode(e);
      const message = e instanceof Error ? e.message : String(e);
      const classification = classifyConnectionFailure(code, message);
      return {
        ok: false,
        classification,
        error: new ConnectionError({
          node: state.node.display,
          code,
          method,
          path: pathWithQuery,
          notSent: classification === "not-processed",
          cause: e,
          advice: connectionAdvice(code, message, state.node, this.connection),
        }),
      };
    } finally {
      clearTimeout(timer);
      this.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** What to do about a refused credential or a missing privilege, for errors of this request. */
  private advisor(method: string, path: string, state: NodeState) {
    return (status: number, type: string | undefined) =>
      responseAdvice(status, type, method, path, state.node.display, this.connection);
  }

  private parseBody<T>(method: string, path: string, status: number, text: string): T {
    if (text.trim() === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UnexpectedResponseError({
        status,
        method,
        path,
        detail: `body is not JSON: ${text.slice(0, 200).replace(/\s+/g, " ")}`,
      });
    }
  }
}

/** `wait`, or the abort error as soon as `signal` fires (a retry is never waited for once the run is abandoned). */
async function abortable<T>(wait: Promise<T>, signal: AbortSignal | undefined, aborted: () => Error): Promise<T> {
  if (!signal) return wait;
  if (signal.aborted) throw aborted();
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    onAbort = () => reject(aborted());
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([wait, stop]);
  } finally {
    signal.removeEventListener("abort", onAbort!);
  }
}

function queryString(query: TransportRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** A failure in a few words for a log line (method and path are already on the line). */
function describeFailure(e: Error): string {
  if (e instanceof ConnectionError) {
    const cause = e.cause instanceof Error ? e.cause.message : "";
    return `${e.networkCode ?? "connection error"}${cause ? ` ${cause}` : ""}`;
  }
  if (e instanceof RequestTimeoutError) return `no response within ${e.timeoutMs} ms`;
  return e.message;
}

function retryReason(e: Error): string {
  if (e instanceof ElasticsearchError) return `${e.status}${e.type ? ` ${e.type}` : ""}`;
  if (e instanceof ConnectionError) return e.networkCode ?? "connection error";
  if (e instanceof RequestTimeoutError) return "timeout";
  return e.name;
}
