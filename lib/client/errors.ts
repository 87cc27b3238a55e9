/**
 * Typed errors of the Elasticsearch client, and predicates so that callers decide on `status`/`type` instead of
 * parsing messages. Every message and reason is passed through the redactor: Elasticsearch can echo a bad value.
 */
import { EsinferError } from "../errors";
import { redact, redactValue } from "./redact";

/**
 * Base class of every error the client throws. Its message leads with what is wrong and what to do (`summary`);
 * the request and the raw codes follow in parentheses (`detail`).
 */
export class ElasticsearchClientError extends EsinferError {
  /** What is wrong and what to do, without the request and codes. */
  readonly summary: string;
  /** The request and the raw codes (`GET /_inference/_all: ECONNREFUSED ...`), when there is one. */
  readonly detail: string | undefined;

  constructor(summary: string, options?: { cause?: unknown; code?: string; detail?: string }) {
    const detail = options?.detail === undefined ? undefined : redact(options.detail);
    super(redact(detail === undefined ? summary : `${summary} (${detail})`), {
      code: options?.code ?? "ESINFER_CLIENT",
      cause: options?.cause,
    });
    this.summary = redact(summary);
    this.detail = detail;
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
    /** What to do (a refused credential, a missing privilege); the reason leads the message otherwise. */
    advice?: string;
  }) {
    const codes = `${init.method} ${init.path}: ${init.status}${init.type ? ` ${init.type}` : ""}`;
    super(init.advice ? `${init.advice}; the server said: ${init.reason}` : init.reason, { detail: codes });
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
    /** What is wrong and what to do (see `connectionAdvice`). */
    advice?: string;
  }) {
    const causeMessage = (init.cause instanceof Error ? init.cause.message : String(init.cause)).replace(
      /^Error( \[[A-Z0-9_]+\])?: /,
      "",
    );
    // Node's messages usually carry the code already ("connect ECONNREFUSED 127.0.0.1:9").
    const codes = init.code && !causeMessage.includes(init.code) ? `${init.code} ${causeMessage}` : causeMessage;
    super(init.advice ?? `cannot reach ${init.node}`, {
      cause: init.cause,
      code: "ESINFER_CONNECTION",
      detail: `${init.method} ${init.path}: ${codes || init.code || "connection error"}`,
    });
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

  constructor(init: { node: string; timeoutMs: number; method: string; path: string; advice?: string }) {
    super(init.advice ?? `no response from ${init.node} within ${init.timeoutMs} ms`, {
      detail: `${init.method} ${init.path}`,
    });
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
    super(`Elasticsearch sent a response esinfer cannot read: ${init.detail}`, {
      detail: `${init.method} ${init.path}: ${init.status}`,
    });
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
    const last = init.lastError;
    const tried = `gave up after ${init.attempts} attempt${init.attempts === 1 ? "" : "s"} in ${Math.round(init.elapsedMs)} ms`;
    super(last instanceof ElasticsearchClientError ? `${last.summary}; ${tried}` : `${last.message}; ${tried}`, {
      cause: last,
      detail: last instanceof ElasticsearchClientError ? last.detail : `${init.method} ${init.path}`,
    });
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

/** What to do about an error response of this status and `error.type`, if the client can tell (401, 403). */
export type ResponseAdvisor = (status: number, type: string | undefined) => string | undefined;

/** Builds the error for a non-2xx response; `text` is the raw body. Never throws. */
export function errorFromResponse(
  method: string,
  path: string,
  status: number,
  text: string,
  retryAfterMs?: number,
  advise?: ResponseAdvisor,
): ElasticsearchError {
  const parsed = parseErrorBody(text);
  const advice = advise?.(status, parsed.type);
  return new ElasticsearchError({
    status,
    method,
    path,
    ...parsed,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(advice !== undefined ? { advice } : {}),
  });
}

/** `error.type`, `error.reason`, `error.root_cause` and the body of an error response, whatever its shape. */
function parseErrorBody(text: string): {
  type: string | undefined;
  reason: string;
  rootCause?: RootCause[];
  body?: unknown;
} {
  let parsed: unknown;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === "object" && Object.hasOwn(parsed, "error")) {
    const err = (parsed as { error: unknown }).error;
    // Some errors (e.g. unknown routes on older versions) carry a bare string.
    if (typeof err === "string") return { type: undefined, reason: err, body: parsed };
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
      return { type, reason, rootCause, body: parsed };
    }
  }
  // JSON without the standard envelope, e.g. a document GET with `found: false`.
  if (parsed !== undefined)
    return { type: undefined, reason: snippet(JSON.stringify(redactValue(parsed))), body: parsed };
  const body = text.trim();
  return {
    type: undefined,
    reason: body.length > 0 ? `(non-JSON response) ${snippet(body)}` : "(empty response body)",
  };
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
