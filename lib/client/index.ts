/** Elasticsearch client of esinfer: connection settings, typed errors, redaction, transport and operations. */
export { ElasticsearchClient, normalizeEndpoint, parseTimeValue } from "./inference-client";
export { ElasticsearchDocuments } from "./documents";
export type { CreateEndpointOptions, DeleteEndpointOptions, InferOptions, RawRequestOptions } from "./inference-client";
export { connectionFromEnv, decodeCloudId, DEFAULTS, ENV, normalizeFingerprint, resolveConnection } from "./connection";
export { connectionAdvice, privilegeFor, responseAdvice, timeoutAdvice } from "./diagnosis";
export type { DiagnosisContext } from "./diagnosis";
export type {
  Auth,
  AuthKind,
  CloudIdParts,
  ConnectionOptions,
  ConnectionSources,
  ResolvedConnection,
  ResolvedNode,
  ResolvedTls,
} from "./connection";
export {
  ConfigurationError,
  ConnectionError,
  ElasticsearchClientError,
  ElasticsearchError,
  errorTypeOf,
  isAborted,
  isAlreadyExists,
  isAuthError,
  isBadRequest,
  isConflict,
  isConnectionError,
  isNotFound,
  isTimeout,
  RequestAbortedError,
  RequestTimeoutError,
  RetryBudgetExceededError,
  rootError,
  statusOf,
  UnexpectedResponseError,
} from "./errors";
export type { RootCause } from "./errors";
export {
  clearSecretValues,
  encodedForms,
  isSecretKey,
  MIN_SECRET_LENGTH,
  redact,
  redactJson,
  redactValue,
  REDACTED,
  registerSecretValue,
} from "./redact";
export { backoffDelay, parseRetryAfter, RetryBudget } from "./retry";
export type { RetryHint, RetrySettings } from "./retry";
export { certificateFingerprint, FINGERPRINT_MISMATCH, verifyPinnedChain } from "./tls";
export { isAmbiguousFailure, Transport } from "./transport";
export type { HttpMethod, RetryPolicy, TransportRequest, TransportResponse } from "./transport";
export { supportsCreateTimeout, unsupportedVersionReason } from "./compat";
export type * from "./types";
