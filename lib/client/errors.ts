/**
 * Typed errors of the Elasticsearch client, and predicates so that callers decide on `status`/`type` instead of
 * parsing messages. Every message and reason is passed through the redactor: Elasticsearch can echo a bad value.
 */
import { EsinferError } from "../errors";
import { redact, redactValue } from "./redact";

/** Base class of every error the client throws. */
export class ElasticsearchClientError extends EsinferError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(redact(message), { code: options?.code ?? "ESINFER_CLIENT", cause: options?.cause });
  }
}

/** Invalid connection options or environment variables. The message names the option or variable, never a credential. */
export class ConfigurationError extends ElasticsearchClientError {}

/** One entry of `error.root_cause`. */
export interface RootCause {
  readonly type: string;
  readonly reason: string;
}

/** Elasticsearch answered with an HTTP error status (or a proxy in front of it did). */
export class ElasticsearchError extends ElasticsearchClientError {
  /** HTTP status code. */
  readonly status: number;
  /** `error.type`, e.g. `resource_not_found_exception`; undefined for non-JSON (proxy) bodies. */
  readonly type: string | undefined;
  /** `error.reason` (redacted); for non-JSON bodies, the start of the text body. */
  readonly reason: string;
  /** `error.root_cause` (redacted). */
  readonly rootCause: readonly RootCause[];
  readonly method: string;
  /** Request path including the query string. */
  readonly path: string;
  /** The parsed error body, redacted; undefined when the body was not JSON. */
  readonly body: unknown;
  /** Delay the server asked for in `Retry-After`, in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(init: {
    status: number;
    type: string | undefined;
    reason: string;
    rootCause?: readonly RootCause[];
    method: string;
    path: string;
    body?: unknown;
    retryAfterMs?: number;
  }) {
    const what = init.type ? `${init.type}: ${init.reason}` : init.reason;
    super(`${init.method} ${init.path}: ${init.status} ${what}`);
    this.status = init.status;
    this.type = init.type;
    this.reason = redact(init.reason);
    this.rootCause = (init.rootCause ?? []).map((c) => ({ type: c.type, reason: redact(c.reason) }));
    this.method = init.method;
    this.path = init.path;
    this.body = init.body === undefined ? undefined : redactValue(init.body);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** The node could not be reached, or the connection broke before a complete response arrived. */
export class ConnectionError extends ElasticsearchClientError {
  /** Node URL (origin and path prefix; never credentials). */
  readonly node: string;
  /** Node's error code such as `ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, or a TLS code. */
  readonly networkCode: string | undefined;
  readonly method: string;
  readonly path: string;
  /** Whether the request certainly did not reach the server (connection refused, DNS failure, ...). */
  readonly notSent: boolean;

  constructor(init: {
    node: string;
    code: string | undefined;
    method: string;
    path: string;
    notSent: boolean;
    cause: unknown;
  }) {
    const causeMessage = init.cause instanceof Error ? init.cause.message : String(init.cause);
    super(
      `${init.method} ${init.path}: cannot reach ${init.node}: ${init.code ? `${init.code} ` : ""}${causeMessage}`,
      { cause: init.cause, code: "ESINFER_CONNECTION" },
    );
    this.node = init.node;
    this.networkCode = init.code;
    this.method = init.method;
    this.path = init.path;
    this.notSent = init.notSent;
  }
}

/** No complete response within the per-request timeout. The request may have been processed. */
export class RequestTimeoutError extends ElasticsearchClientError {
  readonly node: string;
  readonly timeoutMs: number;
  readonly method: string;
  readonly path: string;

  constructor(init: { node: string; timeoutMs: number; method: string; path: string }) {
    super(`${init.method} ${init.path}: no response from ${init.node} within ${init.timeoutMs} ms`);
    this.node = init.node;
    this.timeoutMs = init.timeoutMs;
    this.method = init.method;
    this.path = init.path;
  }
}

/** A 2xx response whose body is not what the API documents (e.g. not JSON). */
export class UnexpectedResponseError extends ElasticsearchClientError {
  readonly status: number;
  readonly method: string;
  readonly path: string;

  constructor(init: { status: number; method: string; path: string; detail: string }) {
    super(`${init.method} ${init.path}: ${init.status} unexpected response: ${init.detail}`);
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
  }
}

/**
 * The request was abandoned because the client's abort signal fired (the run was interrupted). It may have reached
 * the server: whatever it was meant to change must be read back before it is trusted.
 */
export class RequestAbortedError extends ElasticsearchClientError {
  readonly method: string;
  readonly path: string;

  constructor(init: { method: string; path: string }) {
    super(`${init.method} ${init.path}: abandoned, the run was interrupted`, { code: "ESINFER_ABORTED" });
    this.method = init.method;
    this.path = init.path;
  }
}

/** A retryable failure persisted until the retry budget (count or total time) ran out. */
export class RetryBudgetExceededError extends ElasticsearchClientError {
  /** Attempts made, the first one included. */
  readonly attempts: number;
  /** Milliseconds from the first attempt until giving up. */
  readonly elapsedMs: number;
  /** The failure of the last attempt. */
  readonly lastError: Error;
  readonly method: string;
  readonly path: string;

  constructor(init: { attempts: number; elapsedMs: number; lastError: Error; method: string; path: string }) {
    super(
      `${init.method} ${init.path}: gave up after ${init.attempts} attempt${init.attempts === 1 ? "" : "s"} in ` +
        `${Math.round(init.elapsedMs)} ms: ${init.lastError.message}`,
      { cause: init.lastError },
    );
    this.attempts = init.attempts;
    this.elapsedMs = init.elapsedMs;
    this.lastError = init.lastError;
    this.method = init.method;
    this.path = init.path;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Building an ElasticsearchError from a response.

const SNIPPET_LENGTH = 300;

/** Builds the error for a non-2xx response; `text` is the raw body. Never throws. */
export function errorFromResponse(
  method: string,
  path: string,
  status: number,
  text: string,
  retryAfterMs?: number,
): ElasticsearchError {
  const extra = retryAfterMs !== undefined ? { retryAfterMs } : {};
  let parsed: unknown;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === "object" && "error" in parsed) {
    const err = (parsed as { error: unknown }).error;
    if (typeof err === "string") {
      // Some errors (e.g. unknown routes on older versions) carry a bare string.
      return new ElasticsearchError({ status, type: undefined, reason: err, method, path, body: parsed, ...extra });
    }
    if (err !== null && typeof err === "object") {
      const e = err as { type?: unknown; reason?: unknown; root_cause?: unknown };
      const rootCause = Array.isArray(e.root_cause)
        ? e.root_cause.map((c: { type?: unknown; reason?: unknown }) => ({
            type: String(c?.type ?? ""),
            reason: String(c?.reason ?? ""),
          }))
        : [];
      const type = typeof e.type === "string" ? e.type : rootCause[0]?.type;
      const reason = typeof e.reason === "string" ? e.reason : (rootCause[0]?.reason ?? JSON.stringify(err));
      return new ElasticsearchError({ status, type, reason, rootCause, method, path, body: parsed, ...extra });
    }
  }
  if (parsed !== undefined) {
    // JSON without the standard envelope, e.g. a document GET with `found: false`.
    return new ElasticsearchError({
      status,
      type: undefined,
      reason: snippet(JSON.stringify(redactValue(parsed))),
      method,
      path,
      body: parsed,
    });
  }
  const body = text.trim();
  const reason = body.length > 0 ? `(non-JSON response) ${snippet(body)}` : "(empty response body)";
  return new ElasticsearchError({ status, type: undefined, reason, method, path, ...extra });
}

function snippet(text: string): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > SNIPPET_LENGTH ? `${oneLine.slice(0, SNIPPET_LENGTH)}…` : oneLine;
}

// ---------------------------------------------------------------------------------------------------------------
// Predicates. Each looks through RetryBudgetExceededError to the last attempt's error.

/** The error itself, or the last attempt's error when retries ran out. */
export function rootError(e: unknown): unknown {
  return e instanceof RetryBudgetExceededError ? e.lastError : e;
}

function esError(e: unknown): ElasticsearchError | undefined {
  const r = rootError(e);
  return r instanceof ElasticsearchError ? r : undefined;
}

/** HTTP status of an Elasticsearch error response, if `e` is one. */
export function statusOf(e: unknown): number | undefined {
  return esError(e)?.status;
}

/** `error.type` of an Elasticsearch error response, if `e` is one. */
export function errorTypeOf(e: unknown): string | undefined {
  return esError(e)?.type;
}

/** 404 from Elasticsearch (missing endpoint, document or index). */
export function isNotFound(e: unknown): boolean {
  return esError(e)?.status === 404;
}

/** 409: version conflict on a document, endpoint still referenced on delete, or concurrent endpoint update. */
export function isConflict(e: unknown): boolean {
  return esError(e)?.status === 409;
}

/** 400 `resource_already_exists_exception`: creating an inference endpoint whose id exists. */
export function isAlreadyExists(e: unknown): boolean {
  const err = esError(e);
  return err?.status === 400 && err.type === "resource_already_exists_exception";
}

/** 400 with a validation or status exception: the request itself is wrong. */
export function isBadRequest(e: unknown): boolean {
  return esError(e)?.status === 400;
}

/** 401 or 403: bad credentials, missing privilege, or missing license. */
export function isAuthError(e: unknown): boolean {
  const s = esError(e)?.status;
  return s === 401 || s === 403;
}

/** The per-request timeout fired. */
export function isTimeout(e: unknown): boolean {
  return rootError(e) instanceof RequestTimeoutError;
}

/** The request was abandoned because the run was interrupted. */
export function isAborted(e: unknown): boolean {
  return rootError(e) instanceof RequestAbortedError;
}

/** The node could not be reached or the connection broke. */
export function isConnectionError(e: unknown): boolean {
  return rootError(e) instanceof ConnectionError;
}
